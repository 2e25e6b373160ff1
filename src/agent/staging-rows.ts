import { sql } from 'kysely'
import { LabsyncError } from '../core/errors.js'
import type { ColumnSpec } from '../db/column-spec.js'
import type { TableName } from '../db/database.js'
import { RowValidator, type Row } from '../db/row-validator.js'
import type { Session } from '../db/session.js'
import {
  DETAIL_COLUMNS,
  DETAIL_KEY,
  HEADER_COLUMNS,
  HEADER_KEY,
  LOCAL_DETAIL_TABLE,
  LOCAL_HEADER_TABLE,
} from '../db/tables/staging-tables.js'

/** Rows per batch read, checked and bulk-loaded: small enough that a batch dies young (see docs/BENCHMARKS.md). */
export const BATCH_SIZE = 500

/** Streams a staging table's rows as arrays in the order of `columns`. */
export function readTableRows(
  session: Session,
  table: TableName,
  columns: readonly ColumnSpec[],
): AsyncIterable<Row[]> {
  const names = columns.map((column) => column.name)
  const fast = session.connection.streamTable?.(table, names, BATCH_SIZE)
  if (fast) return fast
  const list = sql.join(names.map((name) => sql.ref(name)))
  const query = sql`SELECT ${list} FROM ${sql.raw(session.dialect.qualify(table))}`.compile(session.db)
  return session.connection.stream(query, BATCH_SIZE)
}

/**
 * Checks every row of a stream against its table spec, and that it
 * belongs to `efector` (column `idEfector`), counting as it goes; the rows
 * come out with canonical values, in the same arrays. The first bad row
 * stops the stream with an error naming its key and column.
 */
export async function* validated(
  batches: AsyncIterable<Row[]>,
  options: {
    table: string
    columns: readonly ColumnSpec[]
    key: readonly string[]
    efector: number
    counter: { rows: number }
  },
): AsyncIterable<Row[]> {
  const validator = new RowValidator({
    table: options.table,
    columns: options.columns,
    key: options.key,
    efector: options.efector,
  })
  const efectorIndex = options.columns.findIndex((column) => column.name === 'idEfector')
  for await (const batch of batches) {
    // Each row is checked in place (see RowValidator.check), so the batch goes on as it came, with any
    // source text it carries: checking rejects a bad value or writes it canonically, it never changes one.
    for (let index = 0; index < batch.length; index++) {
      const row = validator.check(batch[index])
      if (efectorIndex >= 0 && row[efectorIndex] !== options.efector) {
        throw new LabsyncError(
          'LABSYNC_FOREIGN_ROWS',
          `row belongs to hospital ${String(row[efectorIndex])}, not to this one`,
          {
            location: { efector: options.efector, table: options.table, key: validator.keyOf(row) },
          },
        )
      }
    }
    options.counter.rows += batch.length
    yield batch
  }
}

/**
 * The two staging tables' columns and keys, by kind, and the table a
 * refused row is named by: the hospital's own staging, where the row is
 * and gets put right, whichever copy of it is being checked.
 */
export const STAGING_SPECS = {
  header: { table: LOCAL_HEADER_TABLE, columns: HEADER_COLUMNS, key: HEADER_KEY },
  detail: { table: LOCAL_DETAIL_TABLE, columns: DETAIL_COLUMNS, key: DETAIL_KEY },
} as const

/** validated() for a staging header or detail stream, in the order of HEADER_COLUMNS or DETAIL_COLUMNS. */
export function validatedStaging(
  kind: keyof typeof STAGING_SPECS,
  batches: AsyncIterable<Row[]>,
  options: { efector: number; counter: { rows: number } },
): AsyncIterable<Row[]> {
  return validated(batches, { ...STAGING_SPECS[kind], ...options })
}
