import type { Command } from 'commander'
import {
  installEfector,
  makeStagingStrict,
  planEfectorInstall,
  planStagingRebuilds,
} from '../../agent/install-efector.js'
import { requireEfector } from '../../core/config.js'
import { usingSession } from '../../db/session.js'
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
          printPlans(
            context,
            options.print ? await planEfectorInstall(session) : await installEfector(session),
            Boolean(options.print),
          )
          if (!options.makeStrict) return
          if (options.print) {
            const rebuilds = await planStagingRebuilds(session)
            if (rebuilds.length === 0) context.out('-- every local staging table is STRICT already')
            else
              context.out(
                '-- labsync runs these in one transaction; in the sqlite3 shell, run them with -bail, so that an error stops them before the DROP',
              )
            if (rebuilds.length > 0) context.out('BEGIN;')
            for (const statement of rebuilds.flatMap((rebuild) => rebuild.statements)) context.out(`${statement};`)
            if (rebuilds.length > 0) context.out('COMMIT;')
            return
          }
          const rebuilt = await makeStagingStrict(session, efector.id)
          if (rebuilt.length === 0) context.out('local staging: STRICT already')
          for (const { table, rows } of rebuilt) context.out(`${table}: recreated STRICT, ${rows} row(s) kept`)
        }),
      )
    })
}
