import type { Command } from 'commander'
import { runExportStep } from '../../agent/export/export-step.js'
import { resolveIdAndDays } from '../../agent/local-status.js'
import { requireEfector } from '../../core/config.js'
import { usingSession } from '../../db/session.js'
import { commandGroup, usingDatabase, type CliContext } from '../cli-context.js'

export function registerEfectorExport(program: Command, context: CliContext): void {
  commandGroup(program, 'efector', "a hospital's agent: export and upload")
    .command('export')
    .description('only the export step: fill the local staging tables by the configured mode (nothing is uploaded)')
    .option('--dry-run', 'read and check every row, and write nothing')
    .action(async (options: { dryRun?: boolean }) => {
      const efector = requireEfector(context.config())
      const dryRun = options.dryRun === true
      const result = await usingDatabase(efector.url, (local) =>
        usingSession(local, async (session) => {
          // The same fallbacks as the efector cycle: the configuration first, then LAB_SyncConfig.
          const { idEfector, days } = await resolveIdAndDays(session, efector)
          const counts = await runExportStep(session, efector, idEfector, days, { dryRun })
          return { idEfector, days, ...counts }
        }),
      )
      const what = `${result.headers} headers and ${result.details} details`
      if (result.mode === 'none') {
        context.out(`efector ${result.idEfector}: export mode none: the local staging holds ${what}`)
      } else if (dryRun) {
        context.out(
          `efector ${result.idEfector}: export ${result.mode} (${result.days} days) would write ${what} (dry run: nothing written)`,
        )
      } else {
        context.out(`efector ${result.idEfector}: export ${result.mode} (${result.days} days) wrote ${what}`)
      }
    })
}
