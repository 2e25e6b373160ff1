import type { Command } from 'commander'
import type { CycleResult } from '../../agent/efector-cycle.js'
import { describeEfectorDryRun, dryRunEfectorCycle } from '../../agent/efector-dry-run.js'
import { requireCentral, requireEfector } from '../../core/config.js'
import { runEfectorOnce } from '../../daemon/efector-agent.js'
import { commandGroup, usingDatabase, type CliContext } from '../cli-context.js'
import { withShutdown } from '../cli-shutdown.js'
import { createProgressBar } from '../progress-bar.js'

export function registerEfectorRun(program: Command, context: CliContext): void {
  commandGroup(program, 'efector', "a hospital's agent: export and upload")
    .command('run')
    .description('one efector cycle: export, claim, upload')
    .option(
      '--dry-run',
      'say what would be exported and uploaded, and whether the upload would be claimed now; write nothing',
    )
    .action(async (options: { dryRun?: boolean }) => {
      const loaded = context.config()
      if (options.dryRun) {
        const efector = requireEfector(loaded)
        const central = efector.transport === 'https' ? undefined : requireCentral(loaded)
        const run = await usingDatabase(efector.url, (local) =>
          central
            ? usingDatabase(central.url, (centralDb) => dryRunEfectorCycle(local, centralDb, efector, central))
            : dryRunEfectorCycle(local, undefined, efector, undefined),
        )
        for (const line of describeEfectorDryRun(run)) context.out(line)
        if (run.error) context.exitCode = run.error.exitCode
        return
      }
      const logger = context.logger()
      const result = await withShutdown(loaded, logger, (shutdown) =>
        runEfectorOnce(loaded, { logger, shutdown, progress: createProgressBar() }),
      )
      context.out(describeCycle(result))
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
