import type { Command } from 'commander'
import { addEfectorScript, centralInstallScript, efectorInstallScript } from '../../central/install-script.js'
import { LabsyncError } from '../../core/errors.js'
import { isPlainIdentifier } from '../../core/identifiers.js'
import type { DialectName } from '../../db/database.js'
import { dialectNamed } from '../../db/open-database.js'
import { parseIdEfector, parseInteger, type CliContext } from '../cli-context.js'

const DIALECTS: readonly DialectName[] = ['mssql', 'postgres', 'sqlite']

/**
 * `labsync sql <install-central|add-efector|install-efector> --dialect ...`:
 * prints the statements the install commands would run, without
 * connecting anywhere, guarded so that they can run on a database that has
 * part of them already. For SQL Server each statement is followed by GO.
 */
export function registerSql(program: Command, context: CliContext): void {
  const group = program
    .command('sql')
    .description('print the DDL and migrations labsync would run, for a DBA (connects to nothing)')
  const dialectOf = (value: string): DialectName => {
    if (!DIALECTS.includes(value as DialectName)) {
      throw new LabsyncError(
        'LABSYNC_USAGE',
        `--dialect must be one of ${DIALECTS.join(', ')}, got ${JSON.stringify(value)}`,
      )
    }
    return value as DialectName
  }
  const schemaOf = (value: string): string => {
    if (!isPlainIdentifier(value))
      throw new LabsyncError('LABSYNC_USAGE', `--schema must be a plain identifier, got ${JSON.stringify(value)}`)
    return value
  }
  const print = (dialectName: DialectName, statements: string[]) => {
    const end = dialectName === 'mssql' ? ';\nGO\n' : ';\n'
    for (const statement of statements) context.out(`${statement}${end}`)
  }

  group
    .command('install-central')
    .description('the central tables and labsync columns (what `central install` creates where missing)')
    .requiredOption('--dialect <name>', DIALECTS.join(' | '), dialectOf)
    .option('--schema <name>', 'schema of the central tables (SQL Server dbo, PostgreSQL public)', schemaOf)
    .action((options: { dialect: DialectName; schema?: string }) => {
      print(options.dialect, centralInstallScript(dialectNamed(options.dialect), options.schema))
    })

  group
    .command('add-efector')
    .description("a hospital's two staging tables and its status row (what `central add-efector` does)")
    .requiredOption('--dialect <name>', DIALECTS.join(' | '), dialectOf)
    .requiredOption('--id <n>', 'idEfector (1 to 2147483647)', parseIdEfector)
    .requiredOption('--name <name>', 'short name used in the staging table names (letters, digits, underscore)')
    .option('--display-name <text>', 'nombreEfector (default --name)')
    .option('--min-minutes <m>', 'least minutes between two uploads', parseInteger('--min-minutes'), 0)
    .option('--import-min-minutes <m>', 'least minutes between two imports', parseInteger('--import-min-minutes'), 0)
    .option('--schema <name>', 'schema of the central tables', schemaOf)
    .action(
      (options: {
        dialect: DialectName
        id: number
        name: string
        displayName?: string
        minMinutes: number
        importMinMinutes: number
        schema?: string
      }) => {
        const efector = {
          id: options.id,
          name: options.name,
          displayName: options.displayName,
          minutesBetweenUploads: options.minMinutes,
          minutesBetweenImports: options.importMinMinutes,
        }
        print(options.dialect, addEfectorScript(dialectNamed(options.dialect), efector, options.schema))
      },
    )

  group
    .command('install-efector')
    .description(
      "the hospital's LAB_SyncStatus and local staging tables (what `efector install` creates where missing)",
    )
    .requiredOption('--dialect <name>', DIALECTS.join(' | '), dialectOf)
    .action((options: { dialect: DialectName }) => {
      print(options.dialect, efectorInstallScript(dialectNamed(options.dialect)))
    })
}
