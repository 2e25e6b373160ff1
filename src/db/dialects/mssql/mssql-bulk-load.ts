import type { BulkLoad } from 'tedious'
import type { ColumnSpec } from '../../column-spec.js'
import type { Row } from '../../row-validator.js'
import { bulkColumn, toBulkValue } from './mssql-values.js'

/**
 * Bulk load (`INSERT BULK`, the TDS bulk copy) options: NULLs stay NULL
 * instead of taking column defaults, and constraints and triggers run as
 * for the legacy job's INSERT. No TABLOCK: the load runs inside the upload
 * transaction and must not lock out readers of other hospitals' tables.
 */
export const BULK_LOAD_OPTIONS = {
  keepNulls: true,
  checkConstraints: true,
  fireTriggers: true,
  lockTable: false,
} as const

/** Declares the columns of a bulk load from the table's column specs. */
export function declareBulkColumns(bulk: BulkLoad, columns: readonly ColumnSpec[]): void {
  for (const column of columns) {
    const declared = bulkColumn(column)
    bulk.addColumn(column.name, declared.type, { nullable: declared.nullable, ...declared.options })
  }
}

/**
 * The rows of the batches as bulk load takes them, counting as it goes.
 * The first error of the source (a row that failed its checks) is kept in
 * `state.sourceError`, so that the caller reports it rather than the
 * driver's "stream destroyed".
 */
export async function* bulkRows(
  batches: AsyncIterable<Row[]>,
  columns: readonly ColumnSpec[],
  state: { rows: number; sourceError?: unknown },
): AsyncIterable<unknown[]> {
  try {
    for await (const batch of batches) {
      for (const row of batch) {
        const out = new Array(columns.length)
        for (let index = 0; index < columns.length; index++) out[index] = toBulkValue(row[index], columns[index])
        state.rows += 1
        yield out
      }
    }
  } catch (error) {
    state.sourceError = error
    throw error
  }
}
