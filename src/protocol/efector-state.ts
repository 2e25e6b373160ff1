/**
 * The states of one hospital, derived from its status row (the contract is
 * docs/PROTOCOL.md). Pure: the same rules are written as SQL conditions in
 * status/status-conditions.ts, and the tests hold the two to each other.
 *
 * Datetimes are canonical strings 'YYYY-MM-DD HH:MM:SS.SSS' of the central
 * clock, which compare as the times they name.
 */

export interface StatusRow {
  idEfector: number
  nombreEfector: string | null
  tablaEncabezado: string | null
  tablaDetalle: string | null
  ultimoUpdateEfectorInicio: string | null
  ultimoUpdateEfectorFin: string | null
  ultimoSyncFechaInicio: string | null
  ultimoSyncFechaFin: string | null
  ultimoSyncRegistrosEncabezado: number | null
  ultimoSyncRegistrosDetalle: number | null
  minutosMinimoSyncEfector: number | null
  minutosMinimoSyncPrincipal: number | null
  labsyncUploadSeq: number | null
  labsyncUploadFin: string | null
  labsyncImportedSeq: number | null
  labsyncUploadOwner: string | null
  labsyncImportOwner: string | null
  labsyncUploadError: string | null
  labsyncUploadErrorAt: string | null
  labsyncUploadFailedInicio: string | null
  labsyncImportError: string | null
  labsyncImportErrorAt: string | null
  labsyncImportFailures: number | null
  labsyncImportRetryAfter: string | null
}

export type EfectorState = 'uploading' | 'importing' | 'pending' | 'idle' | 'stale'

export interface DerivedState {
  state: EfectorState
  uploading: boolean
  importing: boolean
  /** An upload or import claim older than the lease: its process is presumed dead. */
  staleUpload: boolean
  staleImport: boolean
  /** The last labsync upload failed and left its claim for the next upload to take. */
  uploadFailed: boolean
  pendingImport: boolean
  /** The last import failed (or refused rows) and has not succeeded since. */
  importFailed: boolean
}

/** Adds minutes to a canonical datetime, in plain calendar arithmetic (the value has no time zone). */
export function addMinutes(datetime: string, minutes: number): string {
  const asUtc = Date.parse(`${datetime.replace(' ', 'T')}Z`)
  return new Date(asUtc + minutes * 60_000).toISOString().replace('T', ' ').slice(0, 23)
}

/** Minutes from `from` to `to`, both canonical datetimes. */
export function minutesBetween(from: string, to: string): number {
  return (Date.parse(`${to.replace(' ', 'T')}Z`) - Date.parse(`${from.replace(' ', 'T')}Z`)) / 60_000
}

export function isUploading(row: StatusRow): boolean {
  return row.ultimoUpdateEfectorInicio !== null && row.ultimoUpdateEfectorFin === null
}

export function isImporting(row: StatusRow): boolean {
  return row.ultimoSyncFechaInicio !== null && row.ultimoSyncFechaFin === null
}

/**
 * Whether the last upload has not been imported yet. When the last upload
 * was labsync's, its sequence number decides (immune to the central clock
 * stepping back); for uploads of the legacy job, the timestamps do.
 */
export function isPendingImport(row: StatusRow): boolean {
  if (uploadedByLabsync(row)) return row.labsyncUploadSeq !== (row.labsyncImportedSeq ?? -1)
  if (row.ultimoUpdateEfectorFin === null) return false
  return row.ultimoSyncFechaInicio === null || row.ultimoSyncFechaInicio < row.ultimoUpdateEfectorFin
}

export function uploadedByLabsync(row: StatusRow): boolean {
  return (
    row.labsyncUploadSeq !== null &&
    row.labsyncUploadFin !== null &&
    row.ultimoUpdateEfectorFin !== null &&
    row.labsyncUploadFin === row.ultimoUpdateEfectorFin
  )
}

export function deriveState(row: StatusRow, now: string, leaseMinutes: number): DerivedState {
  const leaseStart = addMinutes(now, -leaseMinutes)
  const uploading = isUploading(row)
  const importing = isImporting(row)
  const staleUpload = uploading && row.ultimoUpdateEfectorInicio! < leaseStart
  const staleImport = importing && row.ultimoSyncFechaInicio! < leaseStart
  const uploadFailed =
    uploading &&
    row.labsyncUploadFailedInicio !== null &&
    row.labsyncUploadFailedInicio === row.ultimoUpdateEfectorInicio
  const pendingImport = !uploading && !importing && isPendingImport(row)
  const state: EfectorState =
    staleUpload || staleImport
      ? 'stale'
      : uploading
        ? 'uploading'
        : importing
          ? 'importing'
          : pendingImport
            ? 'pending'
            : 'idle'
  return {
    state,
    uploading,
    importing,
    staleUpload,
    staleImport,
    uploadFailed,
    pendingImport,
    importFailed: row.labsyncImportError !== null,
  }
}

/** Why an upload claim would not be granted now, or undefined when it would. */
export function uploadBlockedBecause(row: StatusRow, now: string, leaseMinutes: number): string | undefined {
  const state = deriveState(row, now, leaseMinutes)
  if (state.importing && !state.staleImport) {
    return `the central server is importing this hospital since ${row.ultimoSyncFechaInicio}`
  }
  if (state.uploading && !state.staleUpload && !state.uploadFailed) {
    const owner = row.labsyncUploadOwner ? ` (held by ${row.labsyncUploadOwner})` : ''
    return `another upload of this hospital is under way since ${row.ultimoUpdateEfectorInicio}${owner}`
  }
  const minimum = row.minutosMinimoSyncEfector ?? 0
  // A claim whose upload failed uploaded nothing: the retry does not wait for the minimum.
  if (row.ultimoUpdateEfectorInicio !== null && minimum > 0 && !state.uploadFailed) {
    const next = addMinutes(row.ultimoUpdateEfectorInicio, minimum)
    if (next > now)
      return `the last upload started at ${row.ultimoUpdateEfectorInicio}; the next is allowed from ${next}`
  }
  return undefined
}

/** Why a hospital is not eligible for import now, or undefined when it is. */
export function importBlockedBecause(row: StatusRow, now: string, leaseMinutes: number): string | undefined {
  const state = deriveState(row, now, leaseMinutes)
  if (state.uploading) {
    return state.staleUpload
      ? `its upload since ${row.ultimoUpdateEfectorInicio} never finished (stale); its staging may be partial`
      : state.uploadFailed
        ? 'its last upload failed; waiting for the next upload'
        : `it is uploading since ${row.ultimoUpdateEfectorInicio}`
  }
  if (state.importing && !state.staleImport) return `another importer holds it since ${row.ultimoSyncFechaInicio}`
  if (!state.staleImport && !isPendingImport(row)) return 'nothing new to import'
  const minimum = row.minutosMinimoSyncPrincipal ?? 0
  if (!state.staleImport && row.ultimoSyncFechaInicio !== null && minimum > 0) {
    const next = addMinutes(row.ultimoSyncFechaInicio, minimum)
    if (next > now) return `the last import started at ${row.ultimoSyncFechaInicio}; the next is allowed from ${next}`
  }
  if (row.labsyncImportRetryAfter !== null && row.labsyncImportRetryAfter > now) {
    return `its last import failed; next attempt from ${row.labsyncImportRetryAfter}`
  }
  return undefined
}

/** Minutes to wait after the n-th import failure in a row: doubling from `first`, at most `max`. */
export function retryDelayMinutes(failures: number, first: number, max: number): number {
  return Math.min(max, first * 2 ** Math.max(0, failures - 1))
}
