import { LabsyncError, toLabsyncError } from '../core/errors.js'
import type { Logger } from '../core/logger.js'
import { Scheduler } from '../scheduler/scheduler.js'
import type { AgentLock } from './agent-lock.js'
import type { Shutdown } from './shutdown.js'

export interface DaemonOptions {
  /** Names the schedule in messages: `efector.schedule`, `importer.schedule`. */
  scheduleKey: string
  schedule: string
  timeZone: string
  /** Start a run at once instead of waiting for the first tick. */
  runNow?: boolean
  logger: Logger
  shutdown: Shutdown
  /** One run; it logs its own outcome and returns normally on failure. */
  task: (signal: AbortSignal) => Promise<void>
  /** Held for the daemon's life; its heartbeat is kept, and losing it stops the daemon. */
  lock?: AgentLock
  /** What runs, for the line that `announce` gets: `efector 101`, `central importer`. */
  name?: string
  /** Gets one line for people when the daemon starts and when it stops. */
  announce?: (line: string) => void
}

/**
 * A long-running process: the task on its schedule, one run at a time,
 * until SIGINT or SIGTERM. Resolves with the exit status: 0 after a clean
 * stop, 1 when the agent lock was lost.
 */
export async function runDaemon(options: DaemonOptions): Promise<number> {
  const { logger: log, shutdown } = options
  let scheduler: Scheduler
  try {
    scheduler = new Scheduler({
      schedule: options.schedule,
      timeZone: options.timeZone,
      task: () => options.task(shutdown.signal),
    })
  } catch (error) {
    throw new LabsyncError(
      'LABSYNC_CONFIG',
      `${options.scheduleKey} ${JSON.stringify(options.schedule)} in time zone ${options.timeZone}: ${(error as Error).message}`,
    )
  }
  scheduler.on('overlap', ({ runNumber }) =>
    log.warn({ step: 'schedule', runNumber }, 'the previous run is still going; this tick is skipped'),
  )
  scheduler.on('run-error', ({ runNumber, error, durationMs }) => {
    const wrapped = toLabsyncError(error)
    log.error(
      { step: 'schedule', runNumber, code: wrapped.code, error: wrapped.message, durationMs: Math.round(durationMs) },
      'run failed',
    )
  })
  scheduler.on('run-end', () =>
    log.debug({ step: 'schedule', next: scheduler.nextRun()?.toISOString() }, 'waiting for the next run'),
  )

  let exitCode = 0
  const heartbeat = options.lock
    ? keepHeartbeat(options.lock, log, () => {
        exitCode = 1
        log.error(
          { step: 'lock', owner: options.lock!.owner },
          'the agent lock was taken over by another process; stopping',
        )
        shutdown.request('lost agent lock')
      })
    : undefined

  const stopped = new Promise<void>((resolve) => {
    if (shutdown.requested) resolve()
    else shutdown.signal.addEventListener('abort', () => resolve(), { once: true })
  })
  scheduler.start({ runNow: options.runNow })
  log.info(
    {
      step: 'schedule',
      schedule: options.schedule,
      timeZone: options.timeZone,
      next: scheduler.nextRun()?.toISOString(),
    },
    'started',
  )
  const next = scheduler.nextRun()
  options.announce?.(
    `${options.name ?? 'labsync'}: running on ${options.scheduleKey} "${options.schedule}" (${options.timeZone})` +
      `${next ? `, next run at ${next.toISOString()}` : ''}; stop with Ctrl-C or SIGTERM`,
  )

  await stopped
  await scheduler.stop()
  if (heartbeat) clearInterval(heartbeat)
  if (options.lock) await options.lock.release().catch(() => {})
  log.info({ step: 'schedule', runs: scheduler.runs }, 'stopped')
  options.announce?.(`${options.name ?? 'labsync'}: stopped after ${scheduler.runs} run(s)`)
  return exitCode
}

function keepHeartbeat(lock: AgentLock, log: Logger, onLost: () => void): NodeJS.Timeout {
  const everyMs = Math.max(1000, Math.min(60_000, (lock.leaseSeconds * 1000) / 4))
  let beating = false
  return setInterval(() => {
    if (beating) return
    beating = true
    lock
      .heartbeat()
      .then((held) => {
        if (!held) onLost()
      })
      .catch((error) =>
        log.warn({ step: 'lock', code: toLabsyncError(error).code }, 'agent lock heartbeat failed; trying again'),
      )
      .finally(() => {
        beating = false
      })
  }, everyMs)
}
