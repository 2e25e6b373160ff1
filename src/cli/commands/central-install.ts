import type { Command } from 'commander'
import { installCentral, planCentralInstall } from '../../central/install-central.js'
import { requireCentral } from '../../core/config.js'
import { usingSession } from '../../db/session.js'
import { commandGroup, usingDatabase, type CliContext } from '../cli-context.js'
import { printPlans } from './print-plans.js'

export function registerCentralInstall(program: Command, context: CliContext): void {
  commandGroup(program, 'central', 'the central server: tables, hospitals, imports')
    .command('install')
    .description('create the central tables that are missing and add missing columns (idempotent)')
    .option('--print', 'print the statements instead of running them')
    .action(async (options: { print?: boolean }) => {
      const central = requireCentral(context.config())
      await usingDatabase(central.url, (database) =>
        usingSession(database, async (session) => {
          const plans = options.print
            ? await planCentralInstall(session, central.schema)
            : await installCentral(session, central.schema)
          printPlans(context, plans, Boolean(options.print))
        }),
      )
    })
}
