import { once } from 'node:events'
import type { PoolClient } from 'pg'
import { from as copyFrom } from 'pg-copy-streams'
import type { ColumnSpec } from '../../column-spec.js'
import type { TableName } from '../../database.js'
import { sourceTextOf, type Row, type SourceText } from '../../row-validator.js'
import { CopyTextEncoder } from './postgres-copy-text.js'
import { postgresDialect } from './postgres-dialect.js'

/**
 * Bulk load through `COPY ... FROM STDIN` in text format, inside the
 * client's current transaction. Rows are encoded batch by batch and written
 * with back-pressure, so memory stays flat whatever the number of rows. A
 * batch read from PostgreSQL columns of the same types as `columns` is
 * sent as the bytes the source sent it in (its SourceText): the rows have
 * been checked on the way, and the same type's output read back by its
 * input is the same value, so encoding again would only cost time.
 */
export async function copyRowsIn(
  client: PoolClient,
  table: TableName,
  columns: readonly ColumnSpec[],
  batches: AsyncIterable<Row[]>,
): Promise<number> {
  const columnList = columns.map((column) => postgresDialect.quote(column.name)).join(', ')
  const stream = client.query(copyFrom(`COPY ${postgresDialect.qualify(table)} (${columnList}) FROM STDIN`))
  const finished = new Promise<void>((resolve, reject) => {
    stream.on('finish', resolve)
    stream.on('error', reject)
  })
  // A failure of the COPY itself surfaces on 'error'; keep it from being unhandled while we write.
  finished.catch(() => {})
  let count = 0
  let sameTypes: boolean | undefined
  const encoder = new CopyTextEncoder()
  try {
    for await (const batch of batches) {
      const text = sourceTextOf(batch)
      if (text && sameTypes === undefined) sameTypes = hasSameTypes(text, columns)
      let ready = true
      for (const chunk of text && sameTypes ? text.chunks : encoder.encode(batch)) ready = stream.write(chunk)
      count += batch.length
      if (!ready) await Promise.race([once(stream, 'drain'), finished])
    }
  } catch (error) {
    // The source failed: abort the COPY so that the server discards it, then report the source's error.
    stream.destroy(error as Error)
    await finished.catch(() => {})
    throw error
  }
  const rest = encoder.finish()
  if (rest) stream.write(rest)
  stream.end()
  await finished
  return count
}

/** The PostgreSQL types whose text output is each column kind's own input (OIDs from pg_type). */
const SAME_TYPE_OIDS: Record<ColumnSpec['type']['kind'], readonly number[]> = {
  int: [21, 23], // smallint, integer
  bit: [16], // boolean
  datetime: [1114], // timestamp without time zone
  varchar: [25, 1043], // text, varchar
  nvarchar: [25, 1043],
  text: [25, 1043],
  decimal: [1700], // numeric
}

function hasSameTypes(text: SourceText, columns: readonly ColumnSpec[]): boolean {
  return (
    text.format === 'postgres-copy-text' &&
    text.typeIds.length === columns.length &&
    columns.every((column, index) => SAME_TYPE_OIDS[column.type.kind].includes(text.typeIds[index]))
  )
}
