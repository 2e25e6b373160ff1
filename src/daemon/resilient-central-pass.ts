import { runCentralPass, type ImportOutcome, type PassResult } from '../central/import-pass.js'
import { resolveCentralTables } from '../central/central-tables.js'
import type { CentralConfig, LabsyncConfig, TransientRetryConfig } from '../core/config.js'
import { toLabsyncError } from '../core/errors.js'
import type { Logger } from '../core/logger.js'
import type { Database } from '../db/database.js'
import { usingSession } from '../db/session.js'
import { transientKind } from '../db/transient-errors.js'
import type { StatusRow } from '../protocol/efector-state.js'
import { listImportCandidates } from '../status/status-store.js'
import type { ProgressSink } from './progress-sink.js'
import { releaseImportClaim } from './release-claims.js'
import type { CleanupRegistry } from './shutdown.js'
import { withRetries, type RetryNotice } from './with-retries.js'

export interface ResilientPassOptions {
  owner: string
  retries: TransientRetryConfig
  logger: Logger
  signal?: AbortSignal
  progress?: ProgressSink
  /** Told how to release a held import claim should the process be forced to exit mid-merge. */
  cleanup?: CleanupRegistry
}

export type ResilientPassResult = PassResult & { attempts: number }

/**
 * One central pass as an unattended run does it. A deadlock or
 * serialization failure in a hospital's merge retries that merge in place,
 * while the claim is held. A lost connection ends the pass attempt: the
 * claim it held is released on a fresh connection and the pass is attempted
 * again (hospitals already committed are no longer pending). Outcomes of
 * every attempt are returned together.
 */
export async function runResilientCentralPass(
  database: Database,
  central: CentralConfig,
  importerRetry: LabsyncConfig['importer']['retry'],
  options: ResilientPassOptions,
): Promise<ResilientPassResult> {
  const { logger: log, progress, signal, owner } = options
  const started = performance.now()
  const outcomes: ImportOutcome[] = []
  const onRetry =
    (what: string) =>
    ({ attempt, delayMs, kind, error }: RetryNotice) =>
      log.warn(
        { attempt, delayMs, kind, code: toLabsyncError(error).code, error: toLabsyncError(error).message },
        `${what} attempt ${attempt} failed (${kind}); retrying`,
      )

  // TODO(issue 6): on shutdown a merge statement in progress is not cancelled; a stalled one waits for the forced exit.
  const attemptOnce = async (attempt: number): Promise<PassResult> => {
    let claimed: StatusRow | undefined
    const forcedRelease = options.cleanup?.addCleanup(async () => {
      if (claimed)
        await releaseImportClaim(
          database,
          central,
          claimed,
          owner,
          'LABSYNC_INTERRUPTED: the process was stopped in the middle of the import',
        )
    })
    if (progress) progress.begin('import', await countCandidates(database, central), 'hospitals')
    try {
      return await runCentralPass(database, central, importerRetry, {
        owner,
        signal,
        onHospital: (row) => {
          claimed = row
          log.info({ efector: row.idEfector, step: 'import', attempt }, 'import started')
        },
        onImported: (outcome) => {
          claimed = undefined
          outcomes.push(outcome)
          progress?.advance(1)
          logImport(log, outcome)
        },
        runMerge: async (work, row) =>
          (
            await withRetries(work, {
              policy: options.retries,
              signal,
              retryable: (error) => (transientKind(error) === 'contention' ? 'contention' : undefined),
              onRetry: (notice) => onRetry(`efector ${row.idEfector}: merge`)(notice),
            })
          ).result,
      })
    } catch (thrown) {
      if (claimed) {
        const error = toLabsyncError(thrown, 'LABSYNC_IMPORT', { efector: claimed.idEfector })
        await releaseImportClaim(database, central, claimed, owner, `${error.code}: ${error.message}`).then(
          (released) =>
            released &&
            log.warn(
              { efector: claimed!.idEfector, step: 'release', attempt },
              'released the import claim the failed attempt left',
            ),
          (failure) =>
            log.warn(
              { efector: claimed!.idEfector, step: 'release', code: toLabsyncError(failure).code },
              'could not release the import claim yet',
            ),
        )
      }
      throw thrown
    } finally {
      forcedRelease?.()
      progress?.end()
    }
  }

  const { result, attempts } = await withRetries(attemptOnce, {
    policy: options.retries,
    signal,
    onRetry: onRetry('pass'),
  })
  return { ...result, outcomes, attempts, durationMs: performance.now() - started }
}

async function countCandidates(database: Database, central: CentralConfig): Promise<number | undefined> {
  try {
    return await usingSession(database, async (session) => {
      const tables = await resolveCentralTables(session, central.schema)
      return (await listImportCandidates(session, tables.status, central.leaseMinutes)).length
    })
  } catch {
    return undefined // the pass itself reports why the database cannot be read
  }
}

/** One line per hospital: the outcome, its counts and duration. */
export function logImport(log: Logger, outcome: ImportOutcome): void {
  if (outcome.outcome === 'taken') {
    log.debug({ efector: outcome.idEfector, step: 'import', outcome: 'taken' }, 'taken by another importer')
    return
  }
  const level =
    outcome.outcome === 'failed' || outcome.outcome === 'partial'
      ? 'error'
      : outcome.outcome === 'warning'
        ? 'warn'
        : 'info'
  log[level](
    {
      efector: outcome.idEfector,
      step: 'import',
      outcome: outcome.outcome,
      code: outcome.error?.code,
      headers: outcome.merge?.stagedHeaders,
      details: outcome.merge?.importedDetails,
      deletedProtocols: outcome.merge?.deletedProtocols,
      durationMs: Math.round(outcome.durationMs),
      message: outcome.message,
    },
    'import finished',
  )
}
