import type { CentralConfig, LabsyncConfig } from '../core/config.js'
import { LabsyncError, toLabsyncError } from '../core/errors.js'
import type { Database } from '../db/database.js'
import { usingSession, type Session } from '../db/session.js'
import { recordRun } from '../history/run-history.js'
import { importBlockedBecause, isPendingImport, retryDelayMinutes, type StatusRow } from '../protocol/efector-state.js'
import {
  centralNow,
  claimImport,
  listImportCandidates,
  listStatusRows,
  markImportCommitted,
  markImportFailed,
} from '../status/status-store.js'
import { resolveCentralTables, resolveStagingTables, type CentralTables } from './central-tables.js'
import { mergeStaging, type MergeResult } from './merge-staging.js'

/**
 * One central pass (PROTOCOL.md, "Central pass"): every hospital that is
 * pending import is claimed, merged and committed in its own transaction.
 * A failure of one hospital is recorded and released, and the pass goes on
 * with the next; the result lists each hospital's outcome.
 */
export interface ImportOutcome {
  idEfector: number
  nombreEfector: string | null
  outcome: 'ok' | 'warning' | 'partial' | 'failed' | 'taken'
  merge?: MergeResult
  durationMs: number
  /** Set for warning, partial and failed; names rows by their keys only. */
  message?: string
  error?: LabsyncError
}

export interface PassResult {
  owner: string
  startedAt: string
  durationMs: number
  outcomes: ImportOutcome[]
  /** Hospitals with an upload not yet imported that this pass could not take, and why (backoff, uploading, minimum minutes). */
  waiting: { idEfector: number; reason: string }[]
}

export interface PassOptions {
  owner: string
  /** Called before each hospital's merge starts (for progress output), with its row as it was before the claim. */
  onHospital?: (row: StatusRow) => void | Promise<void>
  /** Called with each hospital's outcome as soon as it is known. */
  onImported?: (outcome: ImportOutcome) => void
  /** Checked before each claim: once aborted, no further hospital is claimed (shutdown). */
  signal?: AbortSignal
  /** Runs each hospital's merge transaction; the daemon passes one that retries deadlocks while the claim is held. */
  runMerge?: <T>(work: () => Promise<T>, row: StatusRow) => Promise<T>
}

export async function runCentralPass(
  database: Database,
  central: CentralConfig,
  retry: LabsyncConfig['importer']['retry'],
  options: PassOptions,
): Promise<PassResult> {
  const started = performance.now()
  return usingSession(database, async (session) => {
    const tables = await resolveCentralTables(session, central.schema)
    const startedAt = await centralNow(session)
    const candidates = await listImportCandidates(session, tables.status, central.leaseMinutes)
    const outcomes: ImportOutcome[] = []
    for (const candidate of candidates) {
      if (options.signal?.aborted) break
      const claimed = await claimImport(
        session,
        tables.status,
        candidate.idEfector,
        options.owner,
        central.leaseMinutes,
      )
      if (!claimed) {
        outcomes.push({
          idEfector: candidate.idEfector,
          nombreEfector: candidate.nombreEfector,
          outcome: 'taken',
          durationMs: 0,
        })
        continue
      }
      await options.onHospital?.(candidate)
      const outcome = await importOne(session, tables, central, retry, candidate, options)
      outcomes.push(outcome)
      options.onImported?.(outcome)
    }
    const taken = new Set(candidates.map((candidate) => candidate.idEfector))
    const now = await centralNow(session)
    const waiting = (await listStatusRows(session, tables.status))
      .filter((row) => !taken.has(row.idEfector) && isPendingImport(row))
      .flatMap((row) => {
        const reason = importBlockedBecause(row, now, central.leaseMinutes)
        return reason ? [{ idEfector: row.idEfector, reason }] : []
      })
    return { owner: options.owner, startedAt, durationMs: performance.now() - started, outcomes, waiting }
  })
}

async function importOne(
  session: Session,
  tables: CentralTables,
  central: CentralConfig,
  retry: LabsyncConfig['importer']['retry'],
  row: StatusRow,
  options: PassOptions,
): Promise<ImportOutcome> {
  const owner = options.owner
  const runMerge = options.runMerge ?? ((work) => work())
  const started = performance.now()
  const startedAt = await centralNow(session)
  const base = { idEfector: row.idEfector, nombreEfector: row.nombreEfector }
  try {
    const staging = await resolveStagingTables(session, row, central.schema)
    const result = await runMerge(
      () =>
        session.transaction(async () => {
          const merge = await mergeStaging(
            session,
            row.idEfector,
            {
              stagingHeader: staging.header,
              stagingDetail: staging.detail,
              centralHeader: tables.header,
              centralDetail: tables.detail,
            },
            { importedBefore: row.ultimoSyncFechaFin !== null },
          )
          const judged = judge(row.idEfector, merge)
          const committed = await markImportCommitted(
            session,
            tables.status,
            row.idEfector,
            owner,
            { headers: merge.stagedHeaders, details: merge.importedDetails },
            judged.outcome === 'partial' ? judged.message! : null,
          )
          if (!committed) {
            throw new LabsyncError(
              'LABSYNC_CLAIM_LOST',
              'the import claim was taken over by another importer (lease expired)',
              {
                location: { efector: row.idEfector },
              },
            )
          }
          await recordRun(session, tables.history, {
            idEfector: row.idEfector,
            kind: 'import',
            startedAt,
            finishedAt: await centralNow(session),
            outcome: judged.outcome,
            headerRows: merge.stagedHeaders,
            detailRows: merge.importedDetails,
            deletedProtocols: merge.deletedProtocols,
            orphanDetails: merge.orphanDetails,
            refusedRows: merge.foreignHeaders + merge.foreignDetails,
            durationMs: performance.now() - started,
            owner,
            message: judged.message,
            details: { ...merge, foreignKeys: undefined },
          })
          return { merge, ...judged }
        }),
      row,
    )
    return { ...base, ...result, durationMs: performance.now() - started }
  } catch (thrown) {
    const error = toLabsyncError(thrown, 'LABSYNC_IMPORT', { efector: row.idEfector })
    const failures = (row.labsyncImportFailures ?? 0) + 1
    const delay = retryDelayMinutes(failures, retry.firstMinutes, retry.maxMinutes)
    await recordImportFailure(session, tables, row, owner, error, startedAt, performance.now() - started, delay)
    return { ...base, outcome: 'failed', message: error.message, error, durationMs: performance.now() - started }
  }
}

function judge(
  idEfector: number,
  merge: MergeResult,
): { outcome: ImportOutcome['outcome'] & ('ok' | 'warning' | 'partial'); message?: string } {
  const refused = merge.foreignHeaders + merge.foreignDetails
  if (refused > 0) {
    return {
      outcome: 'partial',
      message: new LabsyncError(
        'LABSYNC_FOREIGN_ROWS',
        `${refused} staged rows carry another hospital's idEfector and were not imported: ${merge.foreignKeys.join('; ')}${
          refused > merge.foreignKeys.length ? '; ...' : ''
        }`,
        { location: { efector: idEfector } },
      ).message,
    }
  }
  if (merge.orphanDetails > 0) {
    return {
      outcome: 'warning',
      message: `${merge.orphanDetails} staged details have no staged header and were not imported`,
    }
  }
  return { outcome: 'ok' }
}

/** In its own transaction, after the merge's was rolled back. */
async function recordImportFailure(
  session: Session,
  tables: CentralTables,
  row: StatusRow,
  owner: string,
  error: LabsyncError,
  startedAt: string,
  durationMs: number,
  retryAfterMinutes: number,
): Promise<void> {
  await session.transaction(async () => {
    await markImportFailed(session, tables.status, row, owner, `${error.code}: ${error.message}`, retryAfterMinutes)
    await recordRun(session, tables.history, {
      idEfector: row.idEfector,
      kind: 'import',
      startedAt,
      finishedAt: await centralNow(session),
      outcome: 'failed',
      durationMs,
      owner,
      message: `${error.code}: ${error.message}`,
    })
  })
}
