import type { Command } from 'commander'
import { runEfectorCycle, type CycleResult } from '../../agent/efector-cycle.js'
import { requireCentral, requireEfector } from '../../core/config.js'
import { newOwnerId } from '../../core/owner.js'
import type { Database } from '../../db/database.js'
import { commandGroup, usingDatabase, type CliContext } from '../cli-context.js'

export function registerEfectorRun(program: Command, context: CliContext): void {
  commandGroup(program, 'efector', "a hospital's agent: export and upload")
    .command('run')
    .description('one efector cycle: export, claim, upload')
    .action(async () => {
      const loaded = context.config()
      const efector = requireEfector(loaded)
      // Over HTTPS the agent never reaches the central database: no central section is needed.
      const central = efector.transport === 'https' ? undefined : requireCentral(loaded)
      const owner = newOwnerId()
      const log = context.logger().child({ run: owner, efector: efector.id })
      const cycle = (local: Database, centralDb: Database | undefined) =>
        runEfectorCycle(local, centralDb, efector, central, {
          owner,
          onStep: (step, detail) => log.debug({ step, ...detail }, 'step'),
        })
      const result = await usingDatabase(efector.url, (local) =>
        central ? usingDatabase(central.url, (centralDb) => cycle(local, centralDb)) : cycle(local, undefined),
      )
      context.out(describeCycle(result))
      log[result.outcome === 'failed' ? 'error' : 'info'](
        {
          outcome: result.outcome,
          code: result.error?.code,
          headers: result.uploaded?.headers,
          details: result.uploaded?.details,
          durationMs: Math.round(result.durationMs),
        },
        'efector cycle',
      )
      if (result.outcome === 'failed') context.exitCode = result.error?.exitCode ?? 1
    })
}

export function describeCycle(result: CycleResult): string {
  const seconds = (result.durationMs / 1000).toFixed(1)
  switch (result.outcome) {
    case 'uploaded':
      return `efector ${result.idEfector}: uploaded ${result.uploaded!.headers} headers and ${result.uploaded!.details} details in ${seconds} s`
    case 'skipped':
      return `efector ${result.idEfector}: skipped: ${result.message}`
    case 'failed':
      return `efector ${result.idEfector}: failed: ${result.error?.code ?? 'LABSYNC_UPLOAD'}: ${result.message}`
  }
}
