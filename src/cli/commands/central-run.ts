import type { Command } from 'commander'
import type { ImportOutcome } from '../../central/import-pass.js'
import { describeCentralDryRun, dryRunCentralPass } from '../../central/central-dry-run.js'
import { requireCentral } from '../../core/config.js'
import { runCentralOnce } from '../../daemon/central-importer.js'
import { usingSession } from '../../db/session.js'
import { commandGroup, usingDatabase, type CliContext } from '../cli-context.js'
import { withShutdown } from '../cli-shutdown.js'
import { createProgressBar } from '../progress-bar.js'

export function registerCentralRun(program: Command, context: CliContext): void {
  commandGroup(program, 'central', 'the central server: tables, hospitals, imports')
    .command('run')
    .description('one central pass: import every hospital that is pending import')
    .option(
      '--dry-run',
      'say which hospitals would be imported (and why not the others) and what their staging holds; write nothing',
    )
    .action(async (options: { dryRun?: boolean }) => {
      const loaded = context.config()
      if (options.dryRun) {
        const central = requireCentral(loaded)
        const run = await usingDatabase(central.url, (database) =>
          usingSession(database, (session) => dryRunCentralPass(session, central)),
        )
        for (const line of describeCentralDryRun(run)) context.out(line)
        if (run.entries.some((entry) => entry.error)) context.exitCode = 1
        return
      }
      const logger = context.logger()
      const pass = await withShutdown(loaded, logger, (shutdown) =>
        runCentralOnce(loaded, { logger, shutdown, progress: createProgressBar() }),
      )
      const imported = pass.outcomes.filter((outcome) => outcome.outcome !== 'taken')
      if (imported.length === 0 && pass.waiting.length === 0) context.out('central pass: no hospital is pending import')
      for (const outcome of imported) context.out(describeImport(outcome))
      for (const entry of pass.waiting)
        context.out(`efector ${entry.idEfector}: pending, not imported now: ${entry.reason}`)
      if (pass.outcomes.some((outcome) => outcome.outcome === 'failed' || outcome.outcome === 'partial'))
        context.exitCode = 1
    })
}

export function describeImport(outcome: ImportOutcome): string {
  const seconds = (outcome.durationMs / 1000).toFixed(1)
  const merge = outcome.merge
  const counts = merge
    ? `${merge.stagedHeaders} headers (${merge.headersWritten} written, ${merge.deletedProtocols} deleted), ` +
      `${merge.importedDetails} details (${merge.detailsWritten} written) in ${seconds} s`
    : ''
  switch (outcome.outcome) {
    case 'ok':
      return `efector ${outcome.idEfector}: imported ${counts}`
    case 'warning':
    case 'partial':
      return `efector ${outcome.idEfector}: imported ${counts}; ${outcome.outcome}: ${outcome.message}`
    case 'failed':
      return `efector ${outcome.idEfector}: failed: ${outcome.error?.code ?? 'LABSYNC_IMPORT'}: ${outcome.message}`
    case 'taken':
      return `efector ${outcome.idEfector}: taken by another importer`
  }
}
