import { MESSAGES, fill, type Lang } from '../i18n.js'
import type { EfectorView, RunView } from '../monitor-data.js'
import { agoCell, clockOf, countsText, errorCell, formatNumber } from './format.js'
import { html, type SafeHtml } from './html.js'
import { runChart } from './run-chart.js'

/** A hospital's page: its state, the chart of its runs, and a table of the latest runs. */
export function efectorBody(
  data: { now: string; efector: EfectorView; since: string; runs: RunView[]; days: number; tableRows: number },
  lang: Lang,
): SafeHtml {
  const messages = MESSAGES[lang]
  const { efector } = data
  const overdueText = fill(messages.overdue, { minutes: efector.alertThresholdMinutes })
  return html`<p><a href="/?lang=${lang}">← ${messages.back}</a></p>
<h1 class="efector-title${efector.overdue ? ' overdue' : ''}" data-efector="${efector.idEfector}" data-status="${efector.status}" data-overdue="${String(efector.overdue)}">
  <span class="id">${efector.idEfector}</span> ${efector.nombreEfector ?? ''}
  <span class="badge state-${efector.status}">${messages.stateNames[efector.status]}</span>
  ${efector.overdue ? html`<span class="alert-mark" role="img" aria-label="${overdueText}" title="${overdueText}">● ${messages.overdueShort}</span>` : ''}
</h1>
<p class="read-at">${fill(messages.readAt, { time: clockOf(data.now) })}</p>
<dl class="facts">
  <div><dt>${messages.lastUpload}</dt><dd>${agoCell(efector.lastUploadAt, efector.secondsSinceUpload, lang)}${efector.legacyUpload ? html` <small>(${messages.legacy})</small>` : ''}</dd></div>
  <div><dt>${messages.lastImport}</dt><dd>${agoCell(efector.lastImportAt, efector.secondsSinceImport, lang)}</dd></div>
  <div><dt>${messages.lastCounts}</dt><dd>${countsText(efector.lastHeaders, efector.lastDetails, lang)}</dd></div>
  <div><dt>${messages.schedule}</dt><dd>${efector.scheduleMinutes} min</dd></div>
  <div><dt>${messages.threshold}</dt><dd>${efector.alertThresholdMinutes} min</dd></div>
  <div><dt>${messages.failures}</dt><dd>${efector.importFailures}</dd></div>
  ${efector.retryAfter ? html`<div><dt>${messages.retryAfter}</dt><dd><time datetime="${efector.retryAfter}">${efector.retryAfter.slice(0, 19).replace('T', ' ')}</time></dd></div>` : ''}
  <div class="wide"><dt>${messages.lastError}</dt><dd>${errorCell(efector.lastError, efector.lastErrorAt, lang)}</dd></div>
</dl>
${runChart(data.runs, { days: data.days }, lang)}
<h2>${messages.history}</h2>
<table class="runs">
<thead><tr>
  <th scope="col">${messages.started}</th>
  <th scope="col">${messages.kind}</th>
  <th scope="col">${messages.outcome}</th>
  <th scope="col">${messages.rows}</th>
  <th scope="col">${messages.duration}</th>
  <th scope="col">${messages.rowsPerSecond}</th>
  <th scope="col">${messages.message}</th>
</tr></thead>
<tbody>
${data.runs.slice(0, data.tableRows).map((run) => runRow(run, lang))}
</tbody>
</table>`
}

function runRow(run: RunView, lang: Lang): SafeHtml {
  const messages = MESSAGES[lang]
  return html`<tr class="run" data-run="${run.id}" data-outcome="${run.outcome}">
  <td data-label="${messages.started}"><time datetime="${run.startedAt}">${run.startedAt.slice(0, 19).replace('T', ' ')}</time></td>
  <td data-label="${messages.kind}">${messages[run.kind]}</td>
  <td data-label="${messages.outcome}"><span class="badge outcome-${run.outcome}">${messages.outcomeNames[run.outcome]}</span></td>
  <td data-label="${messages.rows}">${countsText(run.headerRows, run.detailRows, lang)}</td>
  <td data-label="${messages.duration}">${durationText(run.durationMs, lang)}</td>
  <td data-label="${messages.rowsPerSecond}">${formatNumber(run.rowsPerSecond, lang)}</td>
  <td data-label="${messages.message}">${run.message ? html`<details class="error"><summary>${messages.showError}</summary><pre>${run.message}</pre></details>` : messages.none}</td>
</tr>
`
}

function durationText(ms: number | null, lang: Lang): string {
  if (ms === null) return MESSAGES[lang].none
  return ms < 1000 ? `${formatNumber(ms, lang)} ms` : `${formatNumber(ms / 1000, lang, 2)} s`
}
