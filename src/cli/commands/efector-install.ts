import type { Command } from 'commander'
import { installEfector, planEfectorInstall } from '../../agent/install-efector.js'
import { requireEfector } from '../../core/config.js'
import { usingSession } from '../../db/session.js'
import { commandGroup, usingDatabase, type CliContext } from '../cli-context.js'
import { printPlans } from './print-plans.js'

export function registerEfectorInstall(program: Command, context: CliContext): void {
  commandGroup(program, 'efector', "a hospital's agent: export and upload")
    .command('install')
    .description('create the local tables that are missing (LAB_SyncStatus, local staging)')
    .option('--print', 'print the statements instead of running them')
    .action(async (options: { print?: boolean }) => {
      const efector = requireEfector(context.config())
      await usingDatabase(efector.url, (database) =>
        usingSession(database, async (session) => {
          printPlans(
            context,
            options.print ? await planEfectorInstall(session) : await installEfector(session),
            Boolean(options.print),
          )
        }),
      )
    })
}
