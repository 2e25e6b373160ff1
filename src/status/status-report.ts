import type { CentralConfig } from '../core/config.js'
import { findTable } from '../db/catalog.js'
import { LabsyncError } from '../core/errors.js'
import type { Session } from '../db/session.js'
import { HISTORY_TABLE_NAME } from '../db/tables/history-table.js'
import { SENTINEL_DATE, STATUS_TABLE_NAME } from '../db/tables/status-table.js'
import { readLastCommittedRuns, type StoredRun } from '../history/run-history.js'
import { deriveState, type EfectorState, type StatusRow } from '../protocol/efector-state.js'
import { centralNow, listStatusRows } from './status-store.js'

/**
 * What `labsync status` and the monitor show of each hospital: its state,
 * the last upload and import, their counts and the last error. Read-only.
 */
export interface EfectorReport {
  idEfector: number
  nombreEfector: string | null
  state: EfectorState
  /** The last upload or import failed (or refused rows) and nothing has succeeded since. */
  failed: boolean
  /**
   * ultimoUpdateEfectorFin; while an upload runs, or after one failed or
   * died, that column is NULL and this is the end of the last upload that
   * committed, from the run history. Null when never.
   */
  lastUploadAt: string | null
  /** ultimoSyncFechaFin, with the same fallback to the run history. */
  lastImportAt: string | null
  uploadStartedAt: string | null
  importStartedAt: string | null
  lastHeaders: number | null
  lastDetails: number | null
  lastError: string | null
  lastErrorAt: string | null
  importFailures: number
  retryAfter: string | null
  /** The legacy job, not labsync, made the last upload. */
  legacyUpload: boolean
  /** Least minutes between two uploads / two imports of this hospital (status row). */
  minutosMinimoSyncEfector: number | null
  minutosMinimoSyncPrincipal: number | null
}

export interface StatusReport {
  /** The central server's clock when the report was read. */
  now: string
  efectores: EfectorReport[]
}

export async function readStatusReport(
  session: Session,
  central: Pick<CentralConfig, 'schema' | 'leaseMinutes'>,
  /** Each hospital's last committed import, when the caller has read them already (the monitor does). */
  known: { lastImports?: Map<number, StoredRun> } = {},
): Promise<StatusReport> {
  const table = await findTable(session, STATUS_TABLE_NAME, central.schema)
  if (!table)
    throw new LabsyncError(
      'LABSYNC_TABLE_MISSING',
      `table ${STATUS_TABLE_NAME} does not exist; run \`labsync central install\``,
    )
  const now = await centralNow(session)
  const rows = await listStatusRows(session, table)
  const reports = rows.map((row) => reportOf(row, now, central.leaseMinutes))
  const history = await findTable(session, HISTORY_TABLE_NAME, central.schema)
  if (history && reports.some((report) => report.lastUploadAt === null || report.lastImportAt === null)) {
    const uploads = await readLastCommittedRuns(session, history, 'upload')
    const imports = known.lastImports ?? (await readLastCommittedRuns(session, history, 'import'))
    for (const report of reports) {
      report.lastUploadAt ??= uploads.get(report.idEfector)?.finishedAt ?? null
      report.lastImportAt ??= imports.get(report.idEfector)?.finishedAt ?? null
    }
  }
  return { now, efectores: reports }
}

const never = (value: string | null) => (value === null || value <= SENTINEL_DATE ? null : value)

export function reportOf(row: StatusRow, now: string, leaseMinutes: number): EfectorReport {
  const derived = deriveState(row, now, leaseMinutes)
  // A failed claimed upload, or a failure before the claim recorded after the last claim started.
  const uploadErrorCurrent =
    derived.uploadFailed ||
    (row.labsyncUploadError !== null &&
      row.labsyncUploadErrorAt !== null &&
      !derived.uploading &&
      (row.ultimoUpdateEfectorInicio === null || row.labsyncUploadErrorAt >= row.ultimoUpdateEfectorInicio))
  const importErrorCurrent = row.labsyncImportError !== null
  const errors = [
    uploadErrorCurrent ? { text: row.labsyncUploadError, at: row.labsyncUploadErrorAt } : undefined,
    importErrorCurrent ? { text: row.labsyncImportError, at: row.labsyncImportErrorAt } : undefined,
  ].filter((entry): entry is { text: string | null; at: string | null } => entry !== undefined)
  errors.sort((a, b) => (b.at ?? '').localeCompare(a.at ?? ''))
  return {
    idEfector: row.idEfector,
    nombreEfector: row.nombreEfector,
    state: derived.state,
    failed: uploadErrorCurrent || importErrorCurrent,
    lastUploadAt: never(row.ultimoUpdateEfectorFin),
    lastImportAt: never(row.ultimoSyncFechaFin),
    uploadStartedAt: never(row.ultimoUpdateEfectorInicio),
    importStartedAt: never(row.ultimoSyncFechaInicio),
    lastHeaders: row.ultimoSyncRegistrosEncabezado,
    lastDetails: row.ultimoSyncRegistrosDetalle,
    lastError: errors[0]?.text ?? null,
    lastErrorAt: errors[0]?.at ?? null,
    importFailures: row.labsyncImportFailures ?? 0,
    retryAfter: row.labsyncImportRetryAfter,
    legacyUpload: row.ultimoUpdateEfectorFin !== null && row.labsyncUploadFin !== row.ultimoUpdateEfectorFin,
    minutosMinimoSyncEfector: row.minutosMinimoSyncEfector,
    minutosMinimoSyncPrincipal: row.minutosMinimoSyncPrincipal,
  }
}
