import { MESSAGES, fill, type Lang } from '../i18n.js'
import type { RunView } from '../monitor-data.js'
import { formatNumber } from './format.js'
import { html, type SafeHtml } from './html.js'

/**
 * The hospital page's chart, drawn here as SVG (no script, no library):
 * one bar per run for its rows (left axis), and a dot per run joined by a
 * line for its duration (right axis), in the order the runs started (one
 * slot each, so runs minutes apart stay apart on a chart of days), with the
 * first and last start times below. Uploads and imports have their own
 * colour; failed runs are marked.
 */
const WIDTH = 720
const HEIGHT = 260
const PAD = { left: 56, right: 56, top: 16, bottom: 36 }

export function runChart(runs: RunView[], window: { days: number }, lang: Lang): SafeHtml {
  const messages = MESSAGES[lang]
  const title = fill(messages.chartTitle, { days: window.days })
  if (runs.length === 0) {
    return html`<figure class="run-chart empty"><figcaption>${title}</figcaption><p>${fill(messages.chartEmpty, { days: window.days })}</p></figure>`
  }
  const plotWidth = WIDTH - PAD.left - PAD.right
  const plotHeight = HEIGHT - PAD.top - PAD.bottom
  const ordered = [...runs].sort((a, b) => Date.parse(a.startedAt) - Date.parse(b.startedAt))
  const maxRows = niceCeiling(Math.max(1, ...ordered.map((run) => run.rows)))
  const maxSeconds = niceCeiling(Math.max(0.001, ...ordered.map((run) => (run.durationMs ?? 0) / 1000)))
  const slot = plotWidth / ordered.length
  const x = (index: number) => PAD.left + slot * (index + 0.5)
  const yRows = (rows: number) => PAD.top + plotHeight - (rows / maxRows) * plotHeight
  const ySeconds = (seconds: number) => PAD.top + plotHeight - (seconds / maxSeconds) * plotHeight
  const barWidth = Math.max(1, Math.min(28, slot * 0.6))

  const bars = ordered.map((run, index) => {
    const top = yRows(run.rows)
    const label = `${run.startedAt.slice(0, 16).replace('T', ' ')} · ${messages[run.kind]} · ${formatNumber(run.rows, lang)} ${messages.rows} · ${
      run.durationMs === null ? messages.none : `${formatNumber(run.durationMs / 1000, lang, 1)} s`
    } · ${messages.outcomeNames[run.outcome]}`
    return html`<rect class="bar bar-${run.kind}${run.outcome === 'failed' ? ' failed' : ''}" data-run="${run.id}" x="${(x(index) - barWidth / 2).toFixed(1)}" y="${top.toFixed(1)}" width="${barWidth.toFixed(1)}" height="${Math.max(run.outcome === 'failed' ? 3 : 0, PAD.top + plotHeight - top).toFixed(1)}"><title>${label}</title></rect>`
  })
  const timed = ordered.map((run, index) => ({ run, index })).filter(({ run }) => run.durationMs !== null)
  const points = timed.map(({ run, index }) => `${x(index).toFixed(1)},${ySeconds(run.durationMs! / 1000).toFixed(1)}`)
  const dots = timed.map(
    ({ run, index }) =>
      html`<circle class="dot" cx="${x(index).toFixed(1)}" cy="${ySeconds(run.durationMs! / 1000).toFixed(1)}" r="3"></circle>`,
  )
  const bottom = PAD.top + plotHeight
  const dateLabel = (iso: string) => iso.slice(5, 16).replace('T', ' ')

  return html`<figure class="run-chart">
<figcaption>${title}</figcaption>
<svg class="chart" viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-label="${title}" preserveAspectRatio="xMidYMid meet">
  <g class="grid">
    <line x1="${PAD.left}" y1="${PAD.top}" x2="${WIDTH - PAD.right}" y2="${PAD.top}"></line>
    <line x1="${PAD.left}" y1="${PAD.top + plotHeight / 2}" x2="${WIDTH - PAD.right}" y2="${PAD.top + plotHeight / 2}"></line>
    <line class="axis" x1="${PAD.left}" y1="${bottom}" x2="${WIDTH - PAD.right}" y2="${bottom}"></line>
  </g>
  <g class="labels">
    <text class="rows-label" x="${PAD.left - 6}" y="${PAD.top + 4}" text-anchor="end">${formatNumber(maxRows, lang)}</text>
    <text class="rows-label" x="${PAD.left - 6}" y="${bottom}" text-anchor="end">0</text>
    <text class="rows-label" x="${PAD.left - 6}" y="${bottom + 14}" text-anchor="end">${messages.rows}</text>
    <text class="seconds-label" x="${WIDTH - PAD.right + 6}" y="${PAD.top + 4}">${formatNumber(maxSeconds, lang, 3)} s</text>
    <text class="seconds-label" x="${WIDTH - PAD.right + 6}" y="${bottom}">0 s</text>
    <text class="seconds-label" x="${WIDTH - PAD.right + 6}" y="${bottom + 14}">${messages.duration}</text>
    <text x="${PAD.left}" y="${HEIGHT - 4}">${dateLabel(ordered[0].startedAt)}</text>
    <text x="${WIDTH - PAD.right}" y="${HEIGHT - 4}" text-anchor="end">${dateLabel(ordered[ordered.length - 1].startedAt)}</text>
  </g>
  <g class="bars">${bars}</g>
  <polyline class="duration-line" points="${points.join(' ')}"></polyline>
  <g class="dots">${dots}</g>
</svg>
<p class="legend"><span class="key key-import"></span>${messages.import} <span class="key key-upload"></span>${messages.upload} <span class="key key-duration"></span>${messages.duration}</p>
</figure>`
}

/** 1, 2 or 5 times a power of ten, at least `value`, so the axis top reads well. */
export function niceCeiling(value: number): number {
  const power = 10 ** Math.floor(Math.log10(value))
  for (const step of [1, 2, 5, 10]) if (step * power >= value) return step * power
  return 10 * power
}
