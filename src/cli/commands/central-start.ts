import type { Command } from 'commander'
import { runCentralDaemon } from '../../daemon/central-importer.js'
import { commandGroup, type CliContext } from '../cli-context.js'
import { withShutdown } from '../cli-shutdown.js'
import { createProgressBar } from '../progress-bar.js'

export function registerCentralStart(program: Command, context: CliContext): void {
  commandGroup(program, 'central', 'the central server: tables, hospitals, imports')
    .command('start')
    .description('run the central pass on importer.schedule until SIGINT/SIGTERM (several importers may run at once)')
    .option('--now', 'also run a pass at once, without waiting for the first tick')
    .action(async (options: { now?: boolean }) => {
      const loaded = context.config()
      const logger = context.logger()
      context.exitCode = await withShutdown(loaded, logger, (shutdown) =>
        runCentralDaemon(loaded, {
          logger,
          shutdown,
          progress: createProgressBar(),
          runNow: options.now,
          announce: context.out,
        }),
      )
    })
}
