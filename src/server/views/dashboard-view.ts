import { MESSAGES, fill, type Lang } from '../i18n.js'
import type { EfectorView, NetworkView } from '../monitor-data.js'
import { agoCell, clockOf, countsText, errorCell } from './format.js'
import { html, type SafeHtml } from './html.js'

/** The dashboard: one row per hospital; on a phone each row folds into a card (see monitor.css). */
export function dashboardBody(network: NetworkView, lang: Lang): SafeHtml {
  const messages = MESSAGES[lang]
  const alerts = network.efectores.filter((efector) => efector.overdue).length
  const pass = network.importerPass
  return html`<h1>${messages.title}</h1>
<p class="summary">
  <span>${fill(messages.efectoresCount, { count: network.efectores.length })}</span>
  ${alerts > 0 ? html`<span class="alert-count">${fill(messages.alertCount, { count: alerts })}</span>` : ''}
  <span class="read-at">${fill(messages.readAt, { time: clockOf(network.now) })}</span>
</p>
<p class="importer-pass">${messages.importerPass}: ${
    pass
      ? html`<time datetime="${pass.finishedAt}">${pass.finishedAt.slice(0, 19).replace('T', ' ')}</time>, ${pass.durationSeconds.toFixed(1)} s, ${pass.imports === 1 ? messages.passImport : fill(messages.passImports, { count: pass.imports })}${pass.failed ? html` <span class="bad">(${pass.failed} ${messages.stateNames.failed})</span>` : ''}`
      : messages.importerPassNone
  }</p>
<table class="efectores">
<thead><tr>
  <th scope="col">${messages.efector}</th>
  <th scope="col">${messages.state}</th>
  <th scope="col">${messages.lastUpload}</th>
  <th scope="col">${messages.lastImport}</th>
  <th scope="col">${messages.lastCounts}</th>
  <th scope="col">${messages.lastError}</th>
</tr></thead>
<tbody>
${network.efectores.map((efector) => efectorRow(efector, lang))}
</tbody>
</table>`
}

function efectorRow(efector: EfectorView, lang: Lang): SafeHtml {
  const messages = MESSAGES[lang]
  const overdueText = fill(messages.overdue, { minutes: efector.alertThresholdMinutes })
  return html`<tr class="efector status-${efector.status}${efector.overdue ? ' overdue' : ''}" data-efector="${efector.idEfector}" data-status="${efector.status}" data-overdue="${String(efector.overdue)}">
  <td data-label="${messages.efector}"><span class="name"><a href="/efectores/${efector.idEfector}?lang=${lang}"><span class="id">${efector.idEfector}</span> ${efector.nombreEfector ?? ''}</a>${
    efector.overdue
      ? html` <span class="alert-mark" role="img" aria-label="${overdueText}" title="${overdueText}">● ${messages.overdueShort}</span>`
      : ''
  }</span></td>
  <td data-label="${messages.state}"><span class="badge state-${efector.status}">${messages.stateNames[efector.status]}</span></td>
  <td data-label="${messages.lastUpload}">${agoCell(efector.lastUploadAt, efector.secondsSinceUpload, lang)}</td>
  <td data-label="${messages.lastImport}">${agoCell(efector.lastImportAt, efector.secondsSinceImport, lang)}</td>
  <td data-label="${messages.lastCounts}">${countsText(efector.lastHeaders, efector.lastDetails, lang)}</td>
  <td data-label="${messages.lastError}">${errorCell(efector.lastError, efector.lastErrorAt, lang)}</td>
</tr>
`
}

/** What a page shows instead of figures when the central database does not answer. */
export function databaseDownBody(message: string, lang: Lang): SafeHtml {
  const messages = MESSAGES[lang]
  return html`<div class="db-error" role="alert">
<h1>${messages.databaseDown}</h1>
<pre>${message}</pre>
<p>${messages.databaseDownHint}</p>
</div>`
}

export function notFoundBody(id: string, lang: Lang): SafeHtml {
  const messages = MESSAGES[lang]
  return html`<div class="not-found" role="alert"><h1>${fill(messages.notFound, { id })}</h1><p><a href="/?lang=${lang}">${messages.back}</a></p></div>`
}
