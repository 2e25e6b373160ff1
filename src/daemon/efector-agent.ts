import { requireCentral, requireEfector, type LoadedConfig } from '../core/config.js'
import { LabsyncError } from '../core/errors.js'
import type { Logger } from '../core/logger.js'
import { newOwnerId } from '../core/owner.js'
import type { Database } from '../db/database.js'
import { openDatabase } from '../db/open-database.js'
import { AgentLock } from './agent-lock.js'
import type { ProgressSink } from './progress-sink.js'
import { logCycle, runResilientEfectorCycle, type ResilientCycleResult } from './resilient-efector-cycle.js'
import { runDaemon } from './run-daemon.js'
import type { Shutdown } from './shutdown.js'

/** The name of the efector agent's row in `labsync_lock`. */
export const EFECTOR_LOCK_NAME = 'efector-agent'

export interface AgentDeps {
  logger: Logger
  shutdown: Shutdown
  progress?: ProgressSink
  /** Told, for people, that the daemon is running and when it runs next (the CLI prints it). */
  announce?: (line: string) => void
}

/** `labsync efector start`: the efector cycle on `efector.schedule`, holding the agent lock. */
export async function runEfectorDaemon(loaded: LoadedConfig, deps: AgentDeps & { runNow?: boolean }): Promise<number> {
  const { config } = loaded
  const efector = requireEfector(loaded)
  const central = efector.transport === 'https' ? undefined : requireCentral(loaded)
  return usingDatabases(efector.url, central?.url, async (localDb, centralDb) => {
    const lock = await acquireEfectorLock(localDb, loaded, { required: true })
    const agentLog = deps.logger.child({ efector: efector.id, agent: lock!.owner })
    try {
      return await runDaemon({
        scheduleKey: 'efector.schedule',
        schedule: efector.schedule,
        timeZone: config.timeZone,
        runNow: deps.runNow,
        logger: agentLog,
        shutdown: deps.shutdown,
        announce: deps.announce,
        name: `efector ${efector.id ?? ''}`.trim(),
        lock,
        task: async (signal) => {
          const owner = newOwnerId()
          const log = deps.logger.child({ run: owner, efector: efector.id })
          const result = await runResilientEfectorCycle(localDb, centralDb, efector, central, {
            owner,
            retries: config.retries,
            logger: log,
            signal,
            progress: deps.progress,
            cleanup: deps.shutdown,
          })
          logCycle(log, result)
        },
      })
    } finally {
      await lock!.release().catch(() => {})
    }
  })
}

/** `labsync efector run`: one cycle, holding the agent lock when the lock table exists. */
export async function runEfectorOnce(loaded: LoadedConfig, deps: AgentDeps): Promise<ResilientCycleResult> {
  const efector = requireEfector(loaded)
  // Over HTTPS the agent never reaches the central database: no central section is needed.
  const central = efector.transport === 'https' ? undefined : requireCentral(loaded)
  return usingDatabases(efector.url, central?.url, async (localDb, centralDb) => {
    const lock = await acquireEfectorLock(localDb, loaded, { required: false })
    if (!lock)
      deps.logger.warn(
        { step: 'lock' },
        'labsync_lock is missing; running without the agent lock (run `labsync efector install`)',
      )
    const owner = newOwnerId()
    const log = deps.logger.child({ run: owner, efector: efector.id })
    try {
      const result = await runResilientEfectorCycle(localDb, centralDb, efector, central, {
        owner,
        retries: loaded.config.retries,
        logger: log,
        signal: deps.shutdown.signal,
        progress: deps.progress,
        cleanup: deps.shutdown,
      })
      logCycle(log, result)
      return result
    } finally {
      await lock?.release().catch(() => {})
    }
  })
}

async function acquireEfectorLock(
  localDb: Database,
  loaded: LoadedConfig,
  options: { required: boolean },
): Promise<AgentLock | undefined> {
  const efector = requireEfector(loaded)
  try {
    return await AgentLock.acquire(localDb, {
      name: EFECTOR_LOCK_NAME,
      owner: newOwnerId(),
      leaseSeconds: efector.lockLeaseSeconds,
      efector: efector.id,
    })
  } catch (error) {
    if (!options.required && error instanceof LabsyncError && error.code === 'LABSYNC_TABLE_MISSING') return undefined
    throw error
  }
}

async function usingDatabases<T>(
  localUrl: string,
  centralUrl: string | undefined,
  work: (local: Database, central: Database | undefined) => Promise<T>,
): Promise<T> {
  const local = openDatabase(localUrl)
  try {
    const central = centralUrl === undefined ? undefined : openDatabase(centralUrl)
    try {
      return await work(local, central)
    } finally {
      await central?.close()
    }
  } finally {
    await local.close()
  }
}
