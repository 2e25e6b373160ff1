import type { Command } from 'commander'
import {
  installEfector,
  installEfectorMakingStrict,
  planEfectorInstall,
  planStagingRebuilds,
} from '../../agent/install-efector.js'
import { requireEfector } from '../../core/config.js'
import { usingSession } from '../../db/session.js'
import type { TypedRebuild } from '../../db/typed-rebuild.js'
import { commandGroup, usingDatabase, type CliContext } from '../cli-context.js'
import { printPlans } from './print-plans.js'

export function registerEfectorInstall(program: Command, context: CliContext): void {
  commandGroup(program, 'efector', "a hospital's agent: export and upload")
    .command('install')
    .description('create the local tables that are missing (LAB_SyncStatus, local staging)')
    .option('--print', 'print the statements instead of running them')
    .option(
      '--make-strict',
      'SQLite: also recreate local staging tables that are not STRICT as STRICT, keeping their rows (one transaction)',
    )
    .action(async (options: { print?: boolean; makeStrict?: boolean }) => {
      const efector = requireEfector(context.config())
      await usingDatabase(efector.url, (database) =>
        usingSession(database, async (session) => {
          if (options.print) {
            printPlans(context, await planEfectorInstall(session), true)
            if (options.makeStrict) printRebuilds(context, await planStagingRebuilds(session, efector.id))
            return
          }
          if (!options.makeStrict) {
            printPlans(context, await installEfector(session), false)
            return
          }
          const { plans, rebuilt } = await installEfectorMakingStrict(session, efector.id)
          printPlans(context, plans, false)
          if (!session.dialect.isTypedTable)
            context.out(`--make-strict: nothing to do, ${session.dialect.name} checks the type of every value`)
          else if (rebuilt.length === 0) context.out('local staging: STRICT already')
          for (const { table, rows } of rebuilt) context.out(`${table}: recreated STRICT, ${rows} row(s) kept`)
        }),
      )
    })
}

function printRebuilds(context: CliContext, rebuilds: TypedRebuild[]): void {
  if (rebuilds.length === 0) {
    context.out('-- --make-strict: nothing to do')
    return
  }
  context.out(
    '-- labsync runs these in one transaction; in the sqlite3 shell, run them with -bail, so that an error stops them before the DROP',
  )
  context.out('BEGIN;')
  for (const statement of rebuilds.flatMap((rebuild) => rebuild.statements)) context.out(`${statement};`)
  context.out('COMMIT;')
}
