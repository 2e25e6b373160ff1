import type { CentralConfig } from '../core/config.js'
import { LabsyncError } from '../core/errors.js'
import { requireTable } from '../db/catalog.js'
import type { Database } from '../db/database.js'
import { usingSession } from '../db/session.js'
import { HISTORY_TABLE_NAME } from '../db/tables/history-table.js'
import {
  countFailedRuns,
  readLastCommittedRuns,
  readLatestPass,
  readRuns,
  type StoredRun,
} from '../history/run-history.js'
import { addMinutes, minutesBetween, type EfectorState } from '../protocol/efector-state.js'
import { readStatusReport, type EfectorReport } from '../status/status-report.js'
import { alertThresholdMinutes, scheduleMinutes, type AlertRule } from './alert-threshold.js'
import { wallClockToIso, wallClockToIsoOrNull } from './wall-clock.js'

/**
 * What the monitor shows, read from the central database with SELECTs
 * only: the status report of every hospital with the alert rule applied,
 * and the run history. Every date leaves here as ISO 8601 with the offset
 * of the configured time zone; "seconds since" are measured on the central
 * clock, like the values they compare.
 */

/** The one state a row of the dashboard shows: a stale claim first, then a failure, then the protocol state. */
export type ShownState = EfectorState | 'failed'

export interface EfectorView {
  idEfector: number
  nombreEfector: string | null
  status: ShownState
  /** The protocol state (PROTOCOL.md) and whether the last upload or import failed. */
  state: EfectorState
  failed: boolean
  /** The last committed upload: ultimoUpdateEfectorFin, or while that is NULL the last committed upload in the history. */
  lastUploadAt: string | null
  /** The last successful import: ultimoSyncFechaFin, or while that is NULL the last committed import in the history. */
  lastImportAt: string | null
  uploadStartedAt: string | null
  importStartedAt: string | null
  secondsSinceUpload: number | null
  secondsSinceImport: number | null
  /** Counts of the last upload or import, whichever came last (status row). */
  lastHeaders: number | null
  lastDetails: number | null
  /** Rows of the last committed import (run history); null when labsync never imported it. */
  lastImportHeaders: number | null
  lastImportDetails: number | null
  /** Failed runs in the history, by kind. */
  failuresTotal: FailureCounts
  lastError: string | null
  lastErrorAt: string | null
  importFailures: number
  retryAfter: string | null
  legacyUpload: boolean
  scheduleMinutes: number
  alertThresholdMinutes: number
  /** No successful import for longer than the alert threshold (or never). */
  overdue: boolean
}

export interface PassView {
  owner: string
  startedAt: string
  finishedAt: string
  durationSeconds: number
  imports: number
  failed: number
}

export interface NetworkView {
  /** The central server's clock when this was read. */
  now: string
  efectores: EfectorView[]
  importerPass: PassView | null
}

export interface RunView {
  id: number
  kind: StoredRun['kind']
  outcome: StoredRun['outcome']
  startedAt: string
  finishedAt: string | null
  headerRows: number | null
  detailRows: number | null
  /** headerRows + detailRows. */
  rows: number
  deletedProtocols: number | null
  orphanDetails: number | null
  refusedRows: number | null
  durationMs: number | null
  rowsPerSecond: number | null
  message: string | null
}

export interface MonitorSource {
  database: Database
  central: Pick<CentralConfig, 'schema' | 'leaseMinutes'>
  timeZone: string
  alert: AlertRule
}

export interface FailureCounts {
  upload: number
  import: number
}

export async function readNetwork(source: MonitorSource): Promise<NetworkView> {
  return usingSession(source.database, async (session) => {
    const history = await requireTable(session, HISTORY_TABLE_NAME, {
      schema: source.central.schema,
      hint: 'run `labsync central install`',
    })
    const lastImports = await readLastCommittedRuns(session, history, 'import')
    const report = await readStatusReport(session, source.central, { lastImports })
    const pass = await readLatestPass(session, history)
    const failures = new Map<number, FailureCounts>()
    for (const entry of await countFailedRuns(session, history)) {
      const counts = failures.get(entry.idEfector) ?? { upload: 0, import: 0 }
      counts[entry.kind] = entry.failures
      failures.set(entry.idEfector, counts)
    }
    const iso = (value: string) => wallClockToIso(value, source.timeZone)
    return {
      now: iso(report.now),
      efectores: report.efectores.map((efector) =>
        viewOf(efector, report.now, source, {
          failures: failures.get(efector.idEfector) ?? { upload: 0, import: 0 },
          lastImport: lastImports.get(efector.idEfector),
        }),
      ),
      importerPass: pass
        ? {
            owner: pass.owner,
            startedAt: iso(pass.startedAt),
            finishedAt: iso(pass.finishedAt),
            durationSeconds: pass.durationMs / 1000,
            imports: pass.imports,
            failed: pass.failed,
          }
        : null,
    }
  })
}

export function viewOf(
  report: EfectorReport,
  now: string,
  source: Pick<MonitorSource, 'timeZone' | 'alert'>,
  history: { failures: FailureCounts; lastImport: StoredRun | undefined },
): EfectorView {
  const iso = (value: string | null) => wallClockToIsoOrNull(value, source.timeZone)
  const since = (value: string | null) =>
    value === null ? null : Math.max(0, Math.round(minutesBetween(value, now) * 60))
  const threshold = alertThresholdMinutes(source.alert, report)
  // readStatusReport took them from the run history where the status row's Fin column is NULL.
  const { lastUploadAt, lastImportAt } = report
  return {
    idEfector: report.idEfector,
    nombreEfector: report.nombreEfector,
    status: report.state === 'stale' ? 'stale' : report.failed ? 'failed' : report.state,
    state: report.state,
    failed: report.failed,
    lastUploadAt: iso(lastUploadAt),
    lastImportAt: iso(lastImportAt),
    uploadStartedAt: iso(report.uploadStartedAt),
    importStartedAt: iso(report.importStartedAt),
    secondsSinceUpload: since(lastUploadAt),
    secondsSinceImport: since(lastImportAt),
    lastHeaders: report.lastHeaders,
    lastDetails: report.lastDetails,
    lastImportHeaders: history.lastImport?.headerRows ?? null,
    lastImportDetails: history.lastImport?.detailRows ?? null,
    failuresTotal: history.failures,
    lastError: report.lastError,
    lastErrorAt: iso(report.lastErrorAt),
    importFailures: report.importFailures,
    retryAfter: iso(report.retryAfter),
    legacyUpload: report.legacyUpload,
    scheduleMinutes: scheduleMinutes(source.alert, report),
    alertThresholdMinutes: threshold,
    overdue: lastImportAt === null || lastImportAt < addMinutes(now, -threshold),
  }
}

export async function readEfector(
  source: MonitorSource,
  idEfector: number,
): Promise<{ now: string; efector: EfectorView }> {
  const network = await readNetwork(source)
  const efector = network.efectores.find((entry) => entry.idEfector === idEfector)
  if (!efector) throw unknownEfector(idEfector)
  return { now: network.now, efector }
}

/** The hospital's runs of the last `days` days (central clock), newest first, at most `limit`. */
export async function readEfectorRuns(
  source: MonitorSource,
  idEfector: number,
  options: { days: number; limit: number },
): Promise<{ now: string; since: string; runs: RunView[] }> {
  return usingSession(source.database, async (session) => {
    const report = await readStatusReport(session, source.central)
    if (!report.efectores.some((entry) => entry.idEfector === idEfector)) throw unknownEfector(idEfector)
    const history = await requireTable(session, HISTORY_TABLE_NAME, {
      schema: source.central.schema,
      hint: 'run `labsync central install`',
    })
    const since = addMinutes(report.now, -options.days * 24 * 60)
    const runs = await readRuns(session, history, { idEfector, since, limit: options.limit })
    const iso = (value: string) => wallClockToIso(value, source.timeZone)
    return {
      now: iso(report.now),
      since: iso(since),
      runs: runs.map((run) => ({
        id: run.id,
        kind: run.kind,
        outcome: run.outcome,
        startedAt: iso(run.startedAt),
        finishedAt: run.finishedAt === null ? null : iso(run.finishedAt),
        headerRows: run.headerRows,
        detailRows: run.detailRows,
        rows: (run.headerRows ?? 0) + (run.detailRows ?? 0),
        deletedProtocols: run.deletedProtocols,
        orphanDetails: run.orphanDetails,
        refusedRows: run.refusedRows,
        durationMs: run.durationMs,
        rowsPerSecond: run.rowsPerSecond,
        message: run.message,
      })),
    }
  })
}

export function unknownEfector(idEfector: number): LabsyncError {
  return new LabsyncError('LABSYNC_EFECTOR_UNKNOWN', `efector ${idEfector} is not registered on the central server`)
}
