import type { Command } from 'commander'
import {
  installEfector,
  installEfectorMakingStrict,
  planEfectorInstall,
  planStagingRebuilds,
} from '../../agent/install-efector.js'
import { requireEfector } from '../../core/config.js'
import type { TablePlan } from '../../db/schema-plan.js'
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
            const plans = await planEfectorInstall(session)
            if (options.makeStrict) printStrictScript(context, plans, await planStagingRebuilds(session, efector.id))
            else printPlans(context, plans, true)
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

/** The install and the rebuilds as one script for the sqlite3 shell, in one transaction. */
function printStrictScript(context: CliContext, plans: TablePlan[], rebuilds: TypedRebuild[]): void {
  const statements = [...plans.flatMap((plan) => plan.statements), ...rebuilds.flatMap((rebuild) => rebuild.statements)]
  if (statements.length === 0) {
    context.out('-- nothing to do: every table and column exists, and the staging is STRICT')
    return
  }
  // `.bail on` stops the sqlite3 shell at the first error, before the DROP; any other tool stops at that line itself.
  context.out('-- one transaction, for the sqlite3 shell (which without .bail would go on past an error)')
  context.out('.bail on')
  context.out('BEGIN;')
  for (const statement of statements) context.out(terminated(statement))
  context.out('COMMIT;')
}

/** A statement and its `;`, which a comment at its end (a hospital's own trigger or index) must not swallow. */
function terminated(statement: string): string {
  if (statement.lastIndexOf('/*') > statement.lastIndexOf('*/')) return `${statement} */\n;`
  const lastLine = statement.slice(statement.lastIndexOf('\n') + 1)
  return lastLine.includes('--') ? `${statement}\n;` : `${statement};`
}
