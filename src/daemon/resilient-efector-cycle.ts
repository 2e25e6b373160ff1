import { runEfectorCycle, type CycleResult } from '../agent/efector-cycle.js'
import type { CentralConfig, EfectorConfig, TransientRetryConfig } from '../core/config.js'
import { toLabsyncError } from '../core/errors.js'
import type { Logger } from '../core/logger.js'
import type { Database } from '../db/database.js'
import { instrumentSources } from './instrumented-sources.js'
import type { ProgressSink } from './progress-sink.js'
import { releaseUploadClaim } from './release-claims.js'
import type { CleanupRegistry } from './shutdown.js'
import { withRetries } from './with-retries.js'

export interface ResilientCycleOptions {
  /** The run id: one per run, the same for all its attempts. */
  owner: string
  retries: TransientRetryConfig
  /** Carries the run id and the hospital; every line of the run goes here. */
  logger: Logger
  /** Aborts the run between batches (shutdown); no new attempt starts after it. */
  signal?: AbortSignal
  progress?: ProgressSink
  /** Told how to release this run's upload claim should the process be forced to exit mid-upload. */
  cleanup?: CleanupRegistry
}

export type ResilientCycleResult = CycleResult & { attempts: number }

/**
 * One efector cycle as an unattended run does it: the cycle of
 * agent/efector-cycle.ts, attempted again after a lost connection, a timeout
 * or a deadlock (never after bad data), with backoff. After a failed
 * attempt, an upload claim the attempt could not mark failed itself (its
 * connection was gone) is released on a fresh connection, so the next
 * attempt finds the claim free to take at once.
 */
export async function runResilientEfectorCycle(
  localDb: Database,
  /** Undefined with efector.transport https (the server holds the claims then). */
  centralDb: Database | undefined,
  efector: EfectorConfig,
  central: CentralConfig | undefined,
  options: ResilientCycleOptions,
): Promise<ResilientCycleResult> {
  const { logger: log, progress, signal, owner } = options
  const started = performance.now()
  let total: number | undefined

  // The last attempt that got past its export: a retry carries on from it instead of exporting again.
  let previous: CycleResult | undefined
  const attemptOnce = async (attempt: number): Promise<CycleResult> => {
    let result: CycleResult | undefined
    const release = (idEfector: number, message: string) =>
      centralDb && central ? releaseUploadClaim(centralDb, central, idEfector, owner, message) : Promise.resolve(false)
    const forcedRelease =
      efector.id === undefined
        ? undefined
        : options.cleanup?.addCleanup(() =>
            release(efector.id!, 'LABSYNC_INTERRUPTED: the process was stopped in the middle of the upload'),
          )
    try {
      result = await runEfectorCycle(localDb, centralDb, efector, central, {
        owner,
        signal,
        onStep: (step, detail) => {
          if (step === 'exported') total = Number(detail?.headers ?? 0) + Number(detail?.details ?? 0)
          if (step === 'upload') progress?.begin('upload', total, 'rows')
          log.info({ step, attempt, ...detail }, step === 'exported' ? 'exported' : `${step} started`)
        },
        wrapSources: (sources) => instrumentSources(sources, { signal, onRows: (rows) => progress?.advance(rows) }),
        resume: previous?.exported ? previous : undefined,
      })
      if (result.exported && result.localRunId !== undefined) previous = result
      return result
    } finally {
      forcedRelease?.()
      progress?.end()
      const idEfector = result?.idEfector ?? efector.id
      if ((!result || result.outcome === 'failed') && idEfector !== undefined) {
        const error = result?.error
        const message = error
          ? `${error.code}: ${error.message}`
          : 'LABSYNC_UPLOAD: the run stopped before it could record its outcome'
        await release(idEfector, message).then(
          (released) =>
            released && log.warn({ step: 'release', attempt }, 'released the upload claim the failed attempt left'),
          (thrown) =>
            log.warn(
              { step: 'release', attempt, code: toLabsyncError(thrown).code },
              'could not release the upload claim yet',
            ),
        )
      }
    }
  }

  const { result, attempts } = await withRetries(attemptOnce, {
    policy: options.retries,
    signal,
    failureOf: (cycle) => (cycle.outcome === 'failed' ? (cycle.error ?? new Error(cycle.message)) : undefined),
    onRetry: ({ attempt, delayMs, kind, error }) =>
      log.warn(
        { attempt, delayMs, kind, code: toLabsyncError(error).code, error: toLabsyncError(error).message },
        `attempt ${attempt} failed (${kind}); retrying`,
      ),
  })
  return { ...result, attempts, durationMs: performance.now() - started }
}

/** The closing line of a run: outcome, counts, attempts and duration. */
export function logCycle(log: Logger, result: ResilientCycleResult): void {
  log[result.outcome === 'failed' ? 'error' : 'info'](
    {
      step: 'cycle',
      outcome: result.outcome,
      code: result.error?.code,
      exportedHeaders: result.exported?.headers,
      exportedDetails: result.exported?.details,
      headers: result.uploaded?.headers,
      details: result.uploaded?.details,
      attempts: result.attempts,
      durationMs: Math.round(result.durationMs),
      message: result.message,
    },
    'efector cycle finished',
  )
}
