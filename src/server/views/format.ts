import { MESSAGES, timeAgo, type Lang } from '../i18n.js'
import { html, type SafeHtml } from './html.js'

/** A time as words, with the exact ISO value in `datetime` and as a tooltip. */
export function agoCell(iso: string | null, seconds: number | null, lang: Lang): SafeHtml {
  if (iso === null) return html`<span class="never">${MESSAGES[lang].never}</span>`
  return html`<time datetime="${iso}" title="${iso}">${timeAgo(seconds, lang)}</time>`
}

export function countsText(headers: number | null, details: number | null, lang: Lang): string {
  const messages = MESSAGES[lang]
  if (headers === null && details === null) return messages.none
  const number = new Intl.NumberFormat(lang === 'es' ? 'es-AR' : 'en-US')
  return `${number.format(headers ?? 0)} ${messages.headers} · ${number.format(details ?? 0)} ${messages.details}`
}

export function formatNumber(value: number | null, lang: Lang, digits = 0): string {
  if (value === null) return MESSAGES[lang].none
  return new Intl.NumberFormat(lang === 'es' ? 'es-AR' : 'en-US', { maximumFractionDigits: digits }).format(value)
}

/** The error in full, folded away until asked for. */
export function errorCell(error: string | null, at: string | null, lang: Lang): SafeHtml {
  const messages = MESSAGES[lang]
  if (!error) return html`<span class="none">${messages.none}</span>`
  return html`<details class="error"><summary>${messages.showError}</summary><pre>${error}</pre>${
    at ? html`<p class="error-at"><time datetime="${at}">${at}</time></p>` : ''
  }</details>`
}

/** The visible time of a reading, HH:MM:SS as the ISO value has it (the central server's wall clock). */
export function clockOf(iso: string): string {
  return iso.slice(11, 19)
}
