import type { Command } from 'commander'
import { addEfector, planAddEfector } from '../../central/install-central.js'
import { requireCentral } from '../../core/config.js'
import { usingSession } from '../../db/session.js'
import { commandGroup, parseIdEfector, parseInteger, usingDatabase, type CliContext } from '../cli-context.js'
import { printPlans } from './print-plans.js'

export function registerCentralAddEfector(program: Command, context: CliContext): void {
  commandGroup(program, 'central', 'the central server: tables, hospitals, imports')
    .command('add-efector')
    .description('register a hospital: its two staging tables and its status row')
    .requiredOption('--id <n>', 'idEfector (1 to 2147483647)', parseIdEfector)
    .requiredOption('--name <name>', 'short name used in the staging table names (letters, digits, underscore)')
    .option('--display-name <text>', 'nombreEfector shown by the monitor (default --name)')
    .option(
      '--min-minutes <m>',
      'least minutes between two uploads of this hospital (default 0)',
      parseInteger('--min-minutes'),
    )
    .option(
      '--import-min-minutes <m>',
      'least minutes between two imports of this hospital (default 0)',
      parseInteger('--import-min-minutes'),
    )
    .option('--print', 'print the table statements instead of running them')
    .action(
      async (options: {
        id: number
        name: string
        displayName?: string
        minMinutes?: number
        importMinMinutes?: number
        print?: boolean
      }) => {
        const central = requireCentral(context.config())
        const efector = {
          id: options.id,
          name: options.name,
          displayName: options.displayName,
          minutesBetweenUploads: options.minMinutes,
          minutesBetweenImports: options.importMinMinutes,
        }
        await usingDatabase(central.url, (database) =>
          usingSession(database, async (session) => {
            if (options.print) {
              printPlans(context, await planAddEfector(session, efector, central.schema), true)
              return
            }
            const result = await addEfector(session, efector, central.schema)
            printPlans(context, result.plans, false)
            context.out(
              result.statusRowCreated
                ? `efector ${options.id}: registered in LAB_EstadoSyncGeneral`
                : `efector ${options.id}: already registered, status row kept`,
            )
            for (const option of result.ignored) {
              context.out(`efector ${options.id}: ${option} ignored; change it in LAB_EstadoSyncGeneral if it is meant`)
            }
          }),
        )
      },
    )
}
