import { requireCentral, type LoadedConfig } from '../core/config.js'
import { newOwnerId } from '../core/owner.js'
import { openDatabase } from '../db/open-database.js'
import type { AgentDeps } from './efector-agent.js'
import { runResilientCentralPass, type ResilientPassResult } from './resilient-central-pass.js'
import { runDaemon } from './run-daemon.js'

/**
 * `labsync central start`: the central pass on `importer.schedule`. No agent
 * lock: several importers may run at once, and the import claims share the
 * hospitals out among them.
 */
export async function runCentralDaemon(loaded: LoadedConfig, deps: AgentDeps & { runNow?: boolean }): Promise<number> {
  const central = requireCentral(loaded)
  const database = openDatabase(central.url)
  try {
    return await runDaemon({
      scheduleKey: 'importer.schedule',
      schedule: loaded.config.importer.schedule,
      timeZone: loaded.config.timeZone,
      runNow: deps.runNow,
      logger: deps.logger,
      shutdown: deps.shutdown,
      announce: deps.announce,
      name: 'central importer',
      task: async (signal) => {
        const owner = newOwnerId()
        const log = deps.logger.child({ run: owner })
        const pass = await runResilientCentralPass(database, central, loaded.config.importer.retry, {
          owner,
          retries: loaded.config.retries,
          logger: log,
          signal,
          progress: deps.progress,
          cleanup: deps.shutdown,
        })
        logPass(log, pass)
      },
    })
  } finally {
    await database.close()
  }
}

/** `labsync central run`: one pass. */
export async function runCentralOnce(loaded: LoadedConfig, deps: AgentDeps): Promise<ResilientPassResult> {
  const central = requireCentral(loaded)
  const database = openDatabase(central.url)
  const owner = newOwnerId()
  const log = deps.logger.child({ run: owner })
  try {
    const pass = await runResilientCentralPass(database, central, loaded.config.importer.retry, {
      owner,
      retries: loaded.config.retries,
      logger: log,
      signal: deps.shutdown.signal,
      progress: deps.progress,
      cleanup: deps.shutdown,
    })
    logPass(log, pass)
    return pass
  } finally {
    await database.close()
  }
}

function logPass(log: AgentDeps['logger'], pass: ResilientPassResult): void {
  const count = (outcome: string) => pass.outcomes.filter((item) => item.outcome === outcome).length
  const failed = count('failed') + count('partial')
  log[failed > 0 ? 'error' : 'info'](
    {
      step: 'pass',
      imported: count('ok') + count('warning'),
      failed,
      taken: count('taken'),
      attempts: pass.attempts,
      durationMs: Math.round(pass.durationMs),
    },
    'central pass finished',
  )
}
