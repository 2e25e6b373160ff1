import type { Command } from 'commander'
import { runEfectorDaemon } from '../../daemon/efector-agent.js'
import { commandGroup, type CliContext } from '../cli-context.js'
import { withShutdown } from '../cli-shutdown.js'
import { createProgressBar } from '../progress-bar.js'

export function registerEfectorStart(program: Command, context: CliContext): void {
  commandGroup(program, 'efector', "a hospital's agent: export and upload")
    .command('start')
    .description('run the efector cycle on efector.schedule until SIGINT/SIGTERM (one agent per hospital)')
    .option('--now', 'also run a cycle at once, without waiting for the first tick')
    .action(async (options: { now?: boolean }) => {
      const loaded = context.config()
      const logger = context.logger()
      context.exitCode = await withShutdown(loaded, logger, (shutdown) =>
        runEfectorDaemon(loaded, {
          logger,
          shutdown,
          progress: createProgressBar(),
          runNow: options.now,
          announce: context.out,
        }),
      )
    })
}
