import type BetterSqlite3 from 'better-sqlite3'
import type { TableName } from '../../database.js'
import type { Row } from '../../row-validator.js'
import { sqliteDialect } from './sqlite-dialect.js'

/**
 * Reads every row of a rowid table a page at a time, in rowid order, each
 * page one JSON text that SQLite builds (`json_array` per row) and
 * JSON.parse() turns into the rows. Returns undefined where that would not
 * give the values a plain SELECT gives, and the caller reads another way:
 * a table without rowids (WITHOUT ROWID, a view), a generated column
 * (whose JSON result json_array would embed instead of its text), a
 * database in UTF-16, a name found in more than one schema, or a query
 * SQLite refuses to build (more columns than a function takes).
 *
 * Why: on Node.js before 22, better-sqlite3 sets each field of a row array
 * through V8's generic property API, about 90 ns a value, which made
 * reading most of an upload's time; JSON.parse builds the same arrays
 * inside V8 (a third less time in all: docs/BENCHMARKS.md). The values are
 * the ones better-sqlite3 would return: JSON keeps integers, text and NULL
 * as they are, and SQLite writes a REAL with the 17 digits that read back
 * as the same double (but -0.0 as 0, which no row check tells apart).
 *
 * A BLOB is the exception: json_array takes a BLOB that happens to be
 * valid JSONB (text stored as bytes often is) for JSON, so a table that
 * holds one is read as plain values instead, and the row checks name it.
 * Finding out scans the table once (0.4 s or more a million rows), except
 * in a STRICT table (as labsync creates the staging tables), which cannot
 * hold a BLOB in a column declared otherwise.
 *
 * All of it is read in one read transaction, so that it sees the table as
 * one statement would (in WAL mode, a snapshot). The connection must not
 * write the table while it is read: its own writes would be read too.
 */
export function readTablePages(
  handle: BetterSqlite3.Database,
  table: TableName,
  columns: readonly string[],
  maxRows: number,
): AsyncIterable<Row[]> | undefined {
  const schema = tableSchema(handle, table, columns)
  if (schema === undefined) return undefined
  const { key } = schema
  // Named with its schema, main included, so that it is the table tableSchema() looked at.
  const source = `${sqliteDialect.quote(schema.name)}.${sqliteDialect.quote(table.name)}`
  const quoted = columns.map((column) => sqliteDialect.quote(column))
  const list = quoted.join(', ')
  const page = (fields: string) =>
    `SELECT ${key} AS labsync_key, ${fields} FROM ${source} WHERE ${key} >= ? ORDER BY ${key} LIMIT ?`
  try {
    // safeIntegers: a rowid above 2^53 must come back exact, or the next page would start at the wrong row.
    const statements = {
      // A BLOB sorts after every other value, so `>= x''` holds for BLOBs only.
      blobs: handle
        .prepare(
          `SELECT EXISTS (SELECT 1 FROM ${source} WHERE ${quoted.map((column) => `${column} >= x''`).join(' OR ')})`,
        )
        .pluck(),
      asJson: handle
        .prepare(
          `SELECT max(labsync_key), '[' || group_concat(labsync_row, ',') || ']'
           FROM (${page(`json_array(${list}) AS labsync_row`)})`,
        )
        .raw(true)
        .safeIntegers(true),
      asValues: handle.prepare(page(list)).raw(true).safeIntegers(true),
    }
    return pages(handle, statements, schema.mayHoldBlobs, Math.max(1, Math.floor(maxRows)))
  } catch {
    return undefined
  }
}

interface PageStatements {
  blobs: BetterSqlite3.Statement
  asJson: BetterSqlite3.Statement
  asValues: BetterSqlite3.Statement
}

async function* pages(
  handle: BetterSqlite3.Database,
  statements: PageStatements,
  mayHoldBlobs: boolean,
  maxRows: number,
) {
  const ownTransaction = !handle.inTransaction
  if (ownTransaction) handle.exec('BEGIN')
  try {
    const read = mayHoldBlobs && statements.blobs.get() ? readValues : readJson
    let from = SMALLEST_ROWID
    let rows = maxRows
    for (;;) {
      const page = read(statements, from, rows)
      if (!page) return
      yield page.rows
      if (page.lastKey === LARGEST_ROWID) return
      from = page.lastKey + 1n
      if (page.textLength !== undefined) {
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

interface Page {
  rows: Row[]
  lastKey: bigint
  /** The length of the page's JSON text, which sizes the next page. */
  textLength?: number
}

/** The page of at most `rows` rows whose rowid is `from` or more, or undefined past the last row. */
function readJson(statements: PageStatements, from: bigint, rows: number): Page | undefined {
  const [lastKey, text] = statements.asJson.get(from, rows) as [bigint | null, string]
  return lastKey === null ? undefined : { rows: JSON.parse(text) as Row[], lastKey, textLength: text.length }
}

/** The same page as plain values, for a table that holds a BLOB. */
function readValues(statements: PageStatements, from: bigint, rows: number): Page | undefined {
  const values = statements.asValues.all(from, rows) as Row[]
  if (values.length === 0) return undefined
  return {
    // The other integers as better-sqlite3 returns them without safeIntegers: Number(), rounded past 2^53.
    rows: values.map((row) => row.slice(1).map((value) => (typeof value === 'bigint' ? Number(value) : value))),
    lastKey: values[values.length - 1][0] as bigint,
  }
}

/**
 * The schema that holds the table and the name its rowid goes by there
 * (`rowid`, or an alias of it that no column has taken), or undefined when
 * the table cannot be read by pages (see readTablePages).
 */
function tableSchema(
  handle: BetterSqlite3.Database,
  table: TableName,
  columns: readonly string[],
): { name: string; key: string; mayHoldBlobs: boolean } | undefined {
  if (handle.pragma('encoding', { simple: true }) !== 'UTF-8') return undefined
  const listed = handle
    .prepare('SELECT schema, type, wr, strict FROM pragma_table_list WHERE name = ?')
    .all(table.name) as { schema: string; type: string; wr: number; strict: number }[]
  // An unqualified name is looked up in temp, main and the attached databases in turn: leave that to SQLite.
  const found = table.schema === undefined ? listed : listed.filter((entry) => entry.schema === table.schema)
  if (found.length !== 1 || found[0].type !== 'table' || found[0].wr !== 0) return undefined
  const schema = found[0].schema
  const described = handle
    .prepare('SELECT name, type, hidden FROM pragma_table_xinfo(?, ?)')
    .all(table.name, schema) as { name: string; type: string; hidden: number }[]
  // hidden 2 and 3: a generated column, computed when read, whose value may carry JSON's subtype.
  const generated = new Set(described.filter((column) => column.hidden >= 2).map((column) => column.name.toLowerCase()))
  if (columns.some((column) => generated.has(column.toLowerCase()))) return undefined
  const taken = new Set(described.map((column) => column.name.toLowerCase()))
  const key = ['rowid', '_rowid_', 'oid'].find((name) => !taken.has(name))
  if (key === undefined) return undefined
  // A STRICT table refuses a BLOB in a column of any other declared type than BLOB or ANY.
  const wanted = new Set(columns.map((column) => column.toLowerCase()))
  const mayHoldBlobs =
    found[0].strict !== 1 ||
    described.some((column) => wanted.has(column.name.toLowerCase()) && /^(blob|any)$/i.test(column.type))
  return { name: schema, key, mayHoldBlobs }
}
