import { readFileSync } from 'node:fs'
import { sql } from 'kysely'
import { driverMessage, isConnectionError, LabsyncError } from '../../core/errors.js'
import type { ColumnSpec } from '../../db/column-spec.js'
import type { Row } from '../../db/row-validator.js'
import type { Session } from '../../db/session.js'
import { DETAIL_COLUMNS, HEADER_COLUMNS } from '../../db/tables/staging-tables.js'
import { BATCH_SIZE } from '../staging-rows.js'

/**
 * Export mode `sql`: two SELECT statements supplied by the hospital's DBA
 * (one file each), whose result columns are the staging columns, by name
 * and in any order (matched without regard to case). `@dias` in the text
 * stands for the number of days to export, wherever it appears. The text is
 * used as a subquery, so it must be one SELECT. A statement that fails is
 * reported as LABSYNC_EXPORT naming the file.
 */
export function sqlExportRows(
  source: Session,
  file: string,
  kind: 'headers' | 'details',
  days: number,
  idEfector?: number,
): AsyncIterable<Row[]> {
  const columns = kind === 'headers' ? HEADER_COLUMNS : DETAIL_COLUMNS
  return streamSelect(source, file, columns, days, idEfector)
}

async function* streamSelect(
  source: Session,
  file: string,
  columns: readonly ColumnSpec[],
  days: number,
  idEfector: number | undefined,
): AsyncIterable<Row[]> {
  const location = { efector: idEfector }
  let text: string
  try {
    text = readFileSync(file, 'utf8').trim().replace(/;\s*$/, '')
  } catch (error) {
    throw new LabsyncError('LABSYNC_CONFIG', `cannot read export SQL file ${file}: ${(error as Error).message}`, {
      location,
    })
  }
  const body = sql.raw(text.replace(/@dias\b/gi, String(Math.trunc(days))))
  // The closing parenthesis goes on a line of its own: a file whose last line ends in a `--` comment would swallow it.
  let probe
  try {
    probe = await source.run(sql`SELECT * FROM (${body}\n) labsync_export WHERE 1 = 0`)
  } catch (error) {
    throw sqlFileError(file, error, location)
  }
  const byLowerName = new Map(probe.columns.map((name) => [name.toLowerCase(), name]))
  const missing = columns.filter((column) => !byLowerName.has(column.name.toLowerCase())).map((column) => column.name)
  if (missing.length > 0) {
    throw new LabsyncError(
      'LABSYNC_EXPORT',
      `the SELECT in ${file} does not return the staging columns ${missing.join(', ')}`,
      {
        location,
      },
    )
  }
  const list = sql.join(
    columns.map((column) => sql.ref(`labsync_export.${byLowerName.get(column.name.toLowerCase())}`)),
  )
  const query = sql`SELECT ${list} FROM (${body}\n) labsync_export`.compile(source.db)
  try {
    // Only the source's own failures land here: a consumer that stops early closes this generator without an exception.
    yield* source.connection.stream(query, BATCH_SIZE)
  } catch (error) {
    throw sqlFileError(file, error, location)
  }
}

/**
 * A failed statement of an export SQL file, named by the file. A lost
 * connection stays what it is (exit status 3, retried). Outside syntax and
 * name errors (SQLSTATE class 42) a driver's message may quote the value
 * that failed, e.g. a cast of a patient's name, so quoted text is left out.
 */
function sqlFileError(file: string, error: unknown, location: { efector?: number }): unknown {
  if (error instanceof LabsyncError || isConnectionError(error)) return error
  const sqlState = (error as { code?: unknown } | undefined)?.code
  let message = driverMessage(error)
  const aboutTheText =
    (typeof sqlState === 'string' && sqlState.startsWith('42')) || /syntax error|no such (column|table)/i.test(message)
  if (!aboutTheText) message = message.replace(/"[^"]*"|'[^']*'/g, '…')
  return new LabsyncError('LABSYNC_EXPORT', `export SQL file ${file}: ${message}`, { location, cause: error })
}
