import type BetterSqlite3 from 'better-sqlite3'
import type { TableName } from '../../database.js'
import type { Row } from '../../row-validator.js'
import { sqliteDialect } from './sqlite-dialect.js'

/**
 * Reads every row of a rowid table a page at a time, in rowid order, each
 * page one JSON text that SQLite builds (`json_array` per row) and
 * JSON.parse() turns into the rows. Returns undefined for a table without
 * rowids (WITHOUT ROWID, a view), which the caller reads another way.
 *
 * Why: on Node.js before 22, better-sqlite3 sets each field of a row array
 * through V8's generic property API, about 90 ns a value, which made
 * reading most of an upload's time; JSON.parse builds the same arrays
 * inside V8 (a third less time in all: docs/BENCHMARKS.md). The values are
 * the ones better-sqlite3 would return: JSON keeps integers, text and NULL
 * as they are, and SQLite writes a REAL with the 17 digits that read back
 * as the same double (but -0.0 as 0, which no row check tells apart). A page that JSON cannot hold (a BLOB) is read again
 * as plain values, so that the row checks name the bad value.
 *
 * All pages are read in one read transaction, so that they see the table
 * as one statement would (in WAL mode, a snapshot).
 */
export function readTablePages(
  handle: BetterSqlite3.Database,
  table: TableName,
  columns: readonly string[],
  maxRows: number,
): AsyncIterable<Row[]> | undefined {
  const key = rowidName(handle, table)
  if (key === undefined) return undefined
  const source = sqliteDialect.qualify(table)
  const list = columns.map((column) => sqliteDialect.quote(column)).join(', ')
  const page = (fields: string) =>
    `SELECT ${key} AS labsync_key, ${fields} FROM ${source} WHERE ${key} >= ? ORDER BY ${key} LIMIT ?`
  // safeIntegers: a rowid above 2^53 must come back exact, or the next page would start at the wrong row.
  const asJson = handle
    .prepare(
      `SELECT max(labsync_key), '[' || group_concat(labsync_row, ',') || ']'
       FROM (${page(`json_array(${list}) AS labsync_row`)})`,
    )
    .raw(true)
    .safeIntegers(true)
  const asValues = handle.prepare(page(list)).raw(true).safeIntegers(true)
  return pages(handle, asJson, asValues, maxRows)
}

async function* pages(
  handle: BetterSqlite3.Database,
  asJson: BetterSqlite3.Statement,
  asValues: BetterSqlite3.Statement,
  maxRows: number,
): AsyncIterable<Row[]> {
  const ownTransaction = !handle.inTransaction
  if (ownTransaction) handle.exec('BEGIN')
  try {
    let from = SMALLEST_ROWID
    let rows = maxRows
    for (;;) {
      const page = readPage(asJson, asValues, from, rows)
      if (!page) return
      yield page.rows
      if (page.lastKey === LARGEST_ROWID) return
      from = page.lastKey + 1n
      if (page.textLength > 0) {
        rows = Math.max(1, Math.min(maxRows, Math.floor((page.rows.length * PAGE_TEXT_LENGTH) / page.textLength)))
      }
      // better-sqlite3 is synchronous: give timers and signal handlers (a shutdown request) their turn.
      await new Promise((resolve) => setImmediate(resolve))
    }
  } finally {
    if (ownTransaction && handle.inTransaction) handle.exec('COMMIT')
  }
}

/**
 * The length of a page's JSON text that the rows of the next page aim at:
 * well under V8's large-object size (128 KiB, 64 Ki two-byte characters),
 * so that each page's text dies young instead of waiting for a full
 * collection, which made the process's memory grow with the rows.
 */
const PAGE_TEXT_LENGTH = 32 * 1024

/** Rowids are 64-bit signed integers. */
const SMALLEST_ROWID = -(2n ** 63n)
const LARGEST_ROWID = 2n ** 63n - 1n

/** The page of at most `rows` rows whose rowid is `from` or more, or undefined past the last row. */
function readPage(
  asJson: BetterSqlite3.Statement,
  asValues: BetterSqlite3.Statement,
  from: bigint,
  rows: number,
): { rows: Row[]; lastKey: bigint; textLength: number } | undefined {
  try {
    const [lastKey, text] = asJson.get(from, rows) as [bigint | null, string | null]
    return lastKey === null ? undefined : { rows: JSON.parse(text!) as Row[], lastKey, textLength: text!.length }
  } catch {
    const values = asValues.all(from, rows) as Row[]
    if (values.length === 0) return undefined
    return {
      // The other integers as better-sqlite3 returns them without safeIntegers: Number(), rounded past 2^53.
      rows: values.map((row) => row.slice(1).map((value) => (typeof value === 'bigint' ? Number(value) : value))),
      lastKey: values[values.length - 1][0] as bigint,
      textLength: 0,
    }
  }
}

/**
 * The name the table's rowid goes by: `rowid`, or an alias of it that no
 * column of the table has taken. Undefined when the table has no rowid.
 */
function rowidName(handle: BetterSqlite3.Database, table: TableName): string | undefined {
  const schema = table.schema ?? 'main'
  const listed = handle
    .prepare('SELECT type, wr FROM pragma_table_list WHERE schema = ? AND name = ?')
    .get(schema, table.name) as { type: string; wr: number } | undefined
  if (listed?.type !== 'table' || listed.wr !== 0) return undefined
  const taken = new Set(
    (handle.prepare('SELECT name FROM pragma_table_xinfo(?, ?)').pluck().all(table.name, schema) as string[]).map(
      (name) => name.toLowerCase(),
    ),
  )
  return ['rowid', '_rowid_', 'oid'].find((name) => !taken.has(name))
}
