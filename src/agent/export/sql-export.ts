import { readFileSync } from 'node:fs'
import { sql } from 'kysely'
import { LabsyncError } from '../../core/errors.js'
import type { ColumnSpec } from '../../db/column-spec.js'
import type { Row } from '../../db/row-validator.js'
import type { Session } from '../../db/session.js'
import { DETAIL_COLUMNS, HEADER_COLUMNS } from '../../db/tables/staging-tables.js'
import { BATCH_SIZE } from '../staging-rows.js'

/**
 * Export mode `sql`: two SELECT statements supplied by the hospital's DBA
 * (one file each), whose result columns are the staging columns, by name
 * and in any order (matched without regard to case). `@dias` in the text
 * stands for the number of days to export.
 */
export function sqlExportRows(
  source: Session,
  file: string,
  kind: 'headers' | 'details',
  days: number,
): AsyncIterable<Row[]> {
  const columns = kind === 'headers' ? HEADER_COLUMNS : DETAIL_COLUMNS
  return streamSelect(source, file, columns, days)
}

async function* streamSelect(source: Session, file: string, columns: readonly ColumnSpec[], days: number): AsyncIterable<Row[]> {
  let text: string
  try {
    text = readFileSync(file, 'utf8').trim().replace(/;\s*$/, '')
  } catch (error) {
    throw new LabsyncError('LABSYNC_CONFIG', `cannot read export SQL file ${file}: ${(error as Error).message}`)
  }
  const body = sql.raw(text.replace(/@dias\b/gi, String(Math.trunc(days))))
  const probe = await source.run(sql`SELECT * FROM (${body}) labsync_export WHERE 1 = 0`)
  const byLowerName = new Map(probe.columns.map((name) => [name.toLowerCase(), name]))
  const missing = columns.filter((column) => !byLowerName.has(column.name.toLowerCase())).map((column) => column.name)
  if (missing.length > 0) {
    throw new LabsyncError('LABSYNC_EXPORT', `the SELECT in ${file} does not return the staging columns ${missing.join(', ')}`)
  }
  const list = sql.join(columns.map((column) => sql.ref(`labsync_export.${byLowerName.get(column.name.toLowerCase())}`)))
  const query = sql`SELECT ${list} FROM (${body}) labsync_export`.compile(source.db)
  yield* source.connection.stream(query, BATCH_SIZE)
}
