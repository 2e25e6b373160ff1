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
  // `.bail on` stops the sqlite3 shell at the first error, before the DROP; any other tool stops at that line itself.
  context.out('-- labsync runs these in one transaction; for the sqlite3 shell, which would go on past an error:')
  context.out('.bail on')
  context.out('BEGIN;')
  for (const statement of rebuilds.flatMap((rebuild) => rebuild.statements)) {
    // A statement whose last line ends in a -- comment (a hospital's own trigger) needs its ; on a line of its own.
    const lastLine = statement.slice(statement.lastIndexOf('\n') + 1)
    context.out(lastLine.includes('--') ? `${statement}\n;` : `${statement};`)
  }
  context.out('COMMIT;')
}
