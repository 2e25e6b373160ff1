import { existsSync, writeFileSync } from 'node:fs'
import type { Command } from 'commander'
import { LabsyncError } from '../../core/errors.js'
import type { CliContext } from '../cli-context.js'

/** The commented example configuration `labsync init` writes. */
export const EXAMPLE_CONFIG = `# labsync configuration. Values written as \${NAME} are read from the
# environment, so that no password has to live in this file.
#
# A central server needs the "central" and "importer" sections; a hospital
# (efector) needs "efector" and "central" (the central database it uploads to).

central:
  # postgres://user:password@host:5432/database, sqlite:path/file.db, or
  # mssql://user:password@host:1433/database
  url: \${CENTRAL_DB_URL}
  # schema of the central tables (PostgreSQL public, SQL Server dbo); default the login's own
  # schema: public
  # minutes after which an upload or import that never finished is presumed dead
  leaseMinutes: 60

importer:
  # when "labsync central start" runs a pass (cron, in timeZone below)
  schedule: "*/15 * * * *"
  retry:
    # minutes before retrying a hospital whose import failed; doubles per failure up to maxMinutes
    firstMinutes: 5
    maxMinutes: 240

efector:
  # this hospital's idEfector; when left out, read from the legacy table LAB_SyncConfig
  id: 101
  # the hospital's own database: LAB_SyncStatus and the local staging tables
  url: \${EFECTOR_DB_URL}
  # when "labsync efector start" runs a cycle (cron, in timeZone below)
  schedule: "*/15 * * * *"
  # seconds without a heartbeat after which the agent lock of a dead process may be taken
  lockLeaseSeconds: 300
  export:
    # none: another tool fills LAB_Temp_ResultadoEncabezado/Detalle
    # sql: run the two SELECT files below (their columns are the staging columns; @dias is replaced)
    # builtin: labsync's own export from the laboratory tables
    # procedure: call the hospital's stored procedure (SQL Server)
    mode: none
    # days of validations to export; when left out, LAB_SyncConfig.diasASincronizar, else 7
    days: 7
    # sourceUrl: the laboratory system's database, when it is not the efector database above
    # headersSql: export/headers.sql
    # detailsSql: export/details.sql

# a run that fails for a lost connection, a timeout or a deadlock is attempted again
retries:
  attempts: 5
  firstDelayMs: 1000
  maxDelayMs: 60000

# seconds a stopping process waits for its transaction to commit or roll back (docs/OPERATIONS.md)
shutdownSeconds: 60

timeZone: America/Argentina/Buenos_Aires

log:
  # fatal, error, warn, info, debug, trace or silent
  level: info
`

export function registerInit(program: Command, context: CliContext): void {
  program
    .command('init')
    .description('write a commented example configuration file')
    .argument('[file]', 'where to write it', 'labsync.yaml')
    .option('--force', 'overwrite an existing file')
    .action((file: string, options: { force?: boolean }) => {
      if (existsSync(file) && !options.force) {
        throw new LabsyncError('LABSYNC_USAGE', `${file} already exists; pass --force to overwrite it`)
      }
      writeFileSync(file, EXAMPLE_CONFIG)
      context.out(
        `wrote ${file}; set CENTRAL_DB_URL and EFECTOR_DB_URL, or edit the urls, then run "labsync doctor", which says what to install`,
      )
    })
}
