import { existsSync, mkdirSync } from 'node:fs'
import path from 'node:path'
import BetterSqlite3 from 'better-sqlite3'
import type { ColumnSpec } from '../../column-spec.js'
import type { CompiledSql, Database, DbConnection, QueryResult, TableName } from '../../database.js'
import type { Row } from '../../row-validator.js'
import { sqliteDialect } from './sqlite-dialect.js'
import { readTablePages } from './sqlite-table-pages.js'

/**
 * An embedded SQLite file. Each `connect()` opens its own handle, so that a
 * statement being streamed on one handle does not block writes on another;
 * WAL mode lets one writer and many readers share the file, across
 * processes too. A second writer waits its turn asynchronously (see
 * BUSY_WAIT_MS): SQLite's own busy timeout would block the whole thread,
 * and with it the connection of this process that holds the lock.
 */
const BUSY_WAIT_MS = 30_000
export function openSqlite(file: string, displayUrl: string, options: { mustExist?: boolean } = {}): Database {
  if (file !== ':memory:' && !options.mustExist) mkdirSync(path.dirname(path.resolve(file)), { recursive: true })
  return {
    dialect: sqliteDialect,
    displayUrl,
    async connect(): Promise<DbConnection> {
      // better-sqlite3 says a missing folder with a TypeError of no code; both cases are the same to the user.
      if (options.mustExist && file !== ':memory:' && !existsSync(file))
        throw Object.assign(new Error('the database file does not exist'), { code: 'SQLITE_CANTOPEN' })
      const handle = new BetterSqlite3(file, { timeout: 0, fileMustExist: options.mustExist ?? false })
      handle.pragma('journal_mode = WAL')
      handle.pragma('synchronous = NORMAL')
      handle.pragma('foreign_keys = ON')
      return new SqliteConnection(handle)
    },
    async close() {},
  }
}

/** better-sqlite3 binds numbers, strings, bigints, buffers and null: booleans go as 1 and 0. */
function bindable(value: unknown): unknown {
  if (value === true) return 1
  if (value === false) return 0
  if (value === undefined) return null
  return value
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

class SqliteConnection implements DbConnection {
  readonly #handle: BetterSqlite3.Database

  constructor(handle: BetterSqlite3.Database) {
    this.#handle = handle
  }

  async execute(query: CompiledSql): Promise<QueryResult> {
    const deadline = Date.now() + BUSY_WAIT_MS
    for (let attempt = 0; ; attempt++) {
      try {
        return this.#execute(query)
      } catch (error) {
        // Only a statement that starts a write outside a transaction can wait: inside one, the
        // lock is already ours (BEGIN IMMEDIATE), and a busy error there is a real conflict.
        const busy = (error as { code?: string }).code?.startsWith('SQLITE_BUSY')
        if (!busy || this.#handle.inTransaction || Date.now() > deadline) throw error
        await sleep(Math.min(100, 2 + attempt * 5) * (0.5 + Math.random()))
      }
    }
  }

  #execute(query: CompiledSql): QueryResult {
    const statement = this.#handle.prepare(query.sql)
    const parameters = query.parameters.map(bindable)
    if (statement.reader) {
      return {
        rows: statement.all(...parameters) as Record<string, unknown>[],
        numAffectedRows: 0,
        columns: statement.columns().map((column) => column.name),
      }
    }
    const result = statement.run(...parameters)
    return { rows: [], numAffectedRows: result.changes, columns: [] }
  }

  async *stream(query: CompiledSql, batchSize: number): AsyncIterable<Row[]> {
    const statement = this.#handle.prepare(query.sql).raw(true)
    let batch: Row[] = []
    for (const row of statement.iterate(...query.parameters.map(bindable))) {
      batch.push(row as Row)
      if (batch.length >= batchSize) {
        yield batch
        batch = []
        // better-sqlite3 is synchronous: give timers and signal handlers (a shutdown request) their turn.
        await new Promise((resolve) => setImmediate(resolve))
      }
    }
    if (batch.length > 0) yield batch
  }

  /** Rowid tables are read a page of JSON at a time (sqlite-table-pages.ts); others through stream(). */
  streamTable(table: TableName, columns: readonly string[], batchSize: number): AsyncIterable<Row[]> | undefined {
    return readTablePages(this.#handle, table, columns, batchSize)
  }

  async bulkInsert(table: TableName, columns: readonly ColumnSpec[], batches: AsyncIterable<Row[]>): Promise<number> {
    const columnList = columns.map((column) => sqliteDialect.quote(column.name)).join(', ')
    const placeholders = columns.map(() => '?').join(', ')
    const insert = this.#handle.prepare(
      `INSERT INTO ${sqliteDialect.qualify(table)} (${columnList}) VALUES (${placeholders})`,
    )
    let count = 0
    for await (const batch of batches) {
      for (const row of batch) insert.run(...row.map(bindable))
      count += batch.length
    }
    return count
  }

  async release(): Promise<void> {
    this.#handle.close()
  }
}
