import type { Command } from 'commander'
import type { CycleResult } from '../../agent/efector-cycle.js'
import { runEfectorOnce } from '../../daemon/efector-agent.js'
import { commandGroup, type CliContext } from '../cli-context.js'
import { withShutdown } from '../cli-shutdown.js'
import { createProgressBar } from '../progress-bar.js'

export function registerEfectorRun(program: Command, context: CliContext): void {
  commandGroup(program, 'efector', "a hospital's agent: export and upload")
    .command('run')
    .description('one efector cycle: export, claim, upload')
    .action(async () => {
      const loaded = context.config()
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
