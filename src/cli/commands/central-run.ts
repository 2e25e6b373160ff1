import type { Command } from 'commander'
import { runCentralPass, type ImportOutcome } from '../../central/import-pass.js'
import { requireCentral } from '../../core/config.js'
import { newOwnerId } from '../../core/owner.js'
import { commandGroup, usingDatabase, type CliContext } from '../cli-context.js'

export function registerCentralRun(program: Command, context: CliContext): void {
  commandGroup(program, 'central', 'the central server: tables, hospitals, imports')
    .command('run')
    .description('one central pass: import every hospital that is pending import')
    .action(async () => {
      const loaded = context.config()
      const central = requireCentral(loaded)
      const owner = newOwnerId()
      const log = context.logger().child({ run: owner })
      const pass = await usingDatabase(central.url, (database) =>
        runCentralPass(database, central, loaded.config.importer.retry, {
          owner,
          onHospital: (row) => log.debug({ efector: row.idEfector }, 'importing'),
        }),
      )
      const imported = pass.outcomes.filter((outcome) => outcome.outcome !== 'taken')
      if (imported.length === 0) context.out('central pass: no hospital is pending import')
      for (const outcome of imported) {
        context.out(describeImport(outcome))
        log[outcome.outcome === 'failed' || outcome.outcome === 'partial' ? 'error' : 'info'](
          {
            efector: outcome.idEfector,
            outcome: outcome.outcome,
            code: outcome.error?.code,
            headers: outcome.merge?.stagedHeaders,
            details: outcome.merge?.importedDetails,
            durationMs: Math.round(outcome.durationMs),
          },
          'import',
        )
      }
      if (pass.outcomes.some((outcome) => outcome.outcome === 'failed' || outcome.outcome === 'partial')) context.exitCode = 1
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
