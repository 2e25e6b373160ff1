/**
 * The monitor's two languages: Spanish by default, English with `?lang=en`
 * or when the browser's Accept-Language prefers it.
 */
export type Lang = 'es' | 'en'

export const LANGS: readonly Lang[] = ['es', 'en']

/** `?lang=` wins; then the Accept-Language entry with the highest q among es and en; else Spanish. */
export function pickLang(query: unknown, acceptLanguage: string | undefined): Lang {
  if (query === 'es' || query === 'en') return query
  let best: { lang: Lang; q: number } | undefined
  for (const entry of (acceptLanguage ?? '').split(',')) {
    const [tag, ...params] = entry.trim().toLowerCase().split(';')
    const primary = tag.split('-')[0]
    if (primary !== 'es' && primary !== 'en') continue
    const qParam = params.map((param) => param.trim()).find((param) => param.startsWith('q='))
    const q = qParam ? Number(qParam.slice(2)) : 1
    if (Number.isFinite(q) && q > 0 && (!best || q > best.q)) best = { lang: primary, q }
  }
  return best?.lang ?? 'es'
}

const es = {
  title: 'labsync: estado de la red',
  efectorTitle: 'Efector',
  efector: 'Efector',
  state: 'Estado',
  lastUpload: 'Última subida',
  lastImport: 'Última importación',
  lastCounts: 'Últimos registros',
  headers: 'encabezados',
  details: 'detalles',
  lastError: 'Último error',
  showError: 'ver error',
  none: '—',
  never: 'nunca',
  overdue: 'Sin importación exitosa hace más de {minutes} min',
  overdueShort: 'atrasado',
  threshold: 'Umbral de alerta',
  schedule: 'Frecuencia',
  refreshEvery: 'Se actualiza cada {seconds} s',
  readAt: 'Leído a las {time} (reloj del servidor central)',
  databaseDown: 'No se puede leer la base central',
  databaseDownHint: 'Los datos no se muestran hasta que la base vuelva a responder.',
  notFound: 'No existe el efector {id}',
  back: 'Volver al tablero',
  history: 'Historial de corridas',
  chartTitle: 'Registros y duración por corrida, últimos {days} días',
  chartEmpty: 'Sin corridas en los últimos {days} días',
  rows: 'registros',
  duration: 'duración',
  started: 'Inicio',
  kind: 'Tipo',
  outcome: 'Resultado',
  rowsPerSecond: 'registros/s',
  message: 'Mensaje',
  upload: 'subida',
  import: 'importación',
  failures: 'Fallos seguidos',
  retryAfter: 'Próximo intento',
  legacy: 'subida del job anterior',
  importerPass: 'Última pasada del importador',
  importerPassNone: 'ninguna registrada',
  passImports: '{count} importaciones',
  passImport: '1 importación',
  efectoresCount: '{count} efectores',
  alertCount: '{count} con alerta',
  stateNames: {
    idle: 'al día',
    uploading: 'subiendo',
    importing: 'importando',
    pending: 'importación pendiente',
    stale: 'colgado',
    failed: 'con error',
  },
  outcomeNames: { ok: 'ok', warning: 'advertencia', partial: 'parcial', failed: 'fallida' },
  otherLanguage: 'English',
  justNow: 'recién',
  ago: (amount: string) => `hace ${amount}`,
  units: { s: 's', min: 'min', h: 'h', d: ['día', 'días'] },
}

export type Messages = typeof es

const en: Messages = {
  title: 'labsync: network status',
  efectorTitle: 'Hospital',
  efector: 'Hospital',
  state: 'State',
  lastUpload: 'Last upload',
  lastImport: 'Last import',
  lastCounts: 'Last counts',
  headers: 'headers',
  details: 'details',
  lastError: 'Last error',
  showError: 'show error',
  none: '—',
  never: 'never',
  overdue: 'No successful import for more than {minutes} min',
  overdueShort: 'overdue',
  threshold: 'Alert threshold',
  schedule: 'Schedule',
  refreshEvery: 'Refreshes every {seconds} s',
  readAt: 'Read at {time} (central server clock)',
  databaseDown: 'The central database cannot be read',
  databaseDownHint: 'No figures are shown until the database answers again.',
  notFound: 'There is no hospital {id}',
  back: 'Back to the dashboard',
  history: 'Run history',
  chartTitle: 'Rows and duration per run, last {days} days',
  chartEmpty: 'No runs in the last {days} days',
  rows: 'rows',
  duration: 'duration',
  started: 'Started',
  kind: 'Kind',
  outcome: 'Outcome',
  rowsPerSecond: 'rows/s',
  message: 'Message',
  upload: 'upload',
  import: 'import',
  failures: 'Failures in a row',
  retryAfter: 'Next attempt',
  legacy: 'upload by the legacy job',
  importerPass: 'Latest importer pass',
  importerPassNone: 'none recorded',
  passImports: '{count} imports',
  passImport: '1 import',
  efectoresCount: '{count} hospitals',
  alertCount: '{count} with an alert',
  stateNames: {
    idle: 'idle',
    uploading: 'uploading',
    importing: 'importing',
    pending: 'pending import',
    stale: 'stale',
    failed: 'failed',
  },
  outcomeNames: { ok: 'ok', warning: 'warning', partial: 'partial', failed: 'failed' },
  otherLanguage: 'Español',
  justNow: 'just now',
  ago: (amount: string) => `${amount} ago`,
  units: { s: 's', min: 'min', h: 'h', d: ['day', 'days'] },
}

export const MESSAGES: Record<Lang, Messages> = { es, en }

/** Replaces `{name}` placeholders. */
export function fill(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (match, name: string) => (name in values ? String(values[name]) : match))
}

/** "hace 12 min" / "12 min ago"; "hace 3 h"; "hace 2 días"; under 10 seconds "recién" / "just now". */
export function timeAgo(seconds: number | null, lang: Lang): string {
  const messages = MESSAGES[lang]
  if (seconds === null) return messages.never
  if (seconds < 10) return messages.justNow
  const { units } = messages
  if (seconds < 60) return messages.ago(`${Math.floor(seconds)} ${units.s}`)
  const minutes = Math.floor(seconds / 60)
  if (minutes < 60) return messages.ago(`${minutes} ${units.min}`)
  const hours = Math.floor(minutes / 60)
  if (hours < 48) return messages.ago(`${hours} ${units.h}`)
  const days = Math.floor(hours / 24)
  return messages.ago(`${days} ${days === 1 ? units.d[0] : units.d[1]}`)
}
