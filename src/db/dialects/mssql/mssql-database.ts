import { Connection, Request } from 'tedious'
import type { ColumnMetadata } from 'tedious/lib/token/colmetadata-token-parser.js'
import { LabsyncError } from '../../../core/errors.js'
import type { ColumnSpec } from '../../column-spec.js'
import type { CompiledSql, Database, DbConnection, QueryResult, SqlDialect, TableName } from '../../database.js'
import type { Row } from '../../row-validator.js'
import { BULK_LOAD_OPTIONS, bulkRows, declareBulkColumns } from './mssql-bulk-load.js'
import { createMssqlDialect } from './mssql-dialect.js'
import { parseMssqlUrl } from './mssql-url.js'
import { fromCell, toParameter } from './mssql-values.js'

/**
 * SQL Server through tedious: one TDS connection per DbConnection (labsync
 * holds few, for minutes each, so there is no pool). Statements with
 * parameters go through sp_executesql; statements without (DDL,
 * transaction control, the procedure call) go as plain batches, so that
 * BEGIN TRANSACTION is not inside a procedure call that SQL Server would
 * check for a balanced transaction count.
 */
export function openMssql(url: string, displayUrl: string): Database {
  const target = parseMssqlUrl(url, displayUrl)
  const dialect = createMssqlDialect(target.schema)
  const open = new Set<MssqlConnection>()
  return {
    dialect,
    displayUrl,
    async connect(): Promise<DbConnection> {
      const connection = await new Promise<Connection>((resolve, reject) => {
        const tedious = new Connection(target.config)
        tedious.connect((error) => {
          if (error) {
            tedious.close()
            reject(new LabsyncError('LABSYNC_CONNECTION', `${displayUrl}: ${redactValues(error.message)}`))
          } else resolve(tedious)
        })
      })
      const wrapped = new MssqlConnection(connection, dialect, () => open.delete(wrapped))
      open.add(wrapped)
      // A server whose `user options` turn NOCOUNT on would make every claim look refused.
      await wrapped.execute({ sql: 'SET NOCOUNT OFF', parameters: [] })
      return wrapped
    },
    async close() {
      await Promise.all([...open].map((connection) => connection.release()))
    },
  }
}

class MssqlConnection implements DbConnection {
  readonly #connection: Connection
  readonly #dialect: SqlDialect
  readonly #onRelease: () => void
  #closed = false

  constructor(connection: Connection, dialect: SqlDialect, onRelease: () => void) {
    this.#connection = connection
    this.#dialect = dialect
    this.#onRelease = onRelease
    // A connection lost while idle must not crash the process; the next request reports it.
    connection.on('error', () => {})
  }

  execute(query: CompiledSql): Promise<QueryResult> {
    return new Promise((resolve, reject) => {
      let columns: string[] = []
      let rows: Record<string, unknown>[] = []
      const request = new Request(query.sql, (error, rowCount) => {
        if (error) reject(toDriverError(error))
        else resolve({ rows, numAffectedRows: rowCount ?? 0, columns })
      })
      // Only the last result set is kept: that of the statement (or of the SELECT after a procedure call).
      request.on('columnMetadata', (metadata) => {
        columns = (metadata as ColumnMetadata[]).map((column) => column.colName)
        rows = []
      })
      request.on('row', (cells: Array<{ value: unknown; metadata: ColumnMetadata }>) => {
        const row: Record<string, unknown> = {}
        for (const cell of cells) row[cell.metadata.colName] = fromCell(cell.value, cell.metadata)
        rows.push(row)
      })
      this.#send(request, query)
    })
  }

  async *stream(query: CompiledSql, batchSize: number): AsyncIterable<Row[]> {
    const queue: Row[] = []
    let done = false
    let failure: unknown
    let wake: (() => void) | undefined
    const request = new Request(query.sql, (error) => {
      if (error) failure = error
      done = true
      wake?.()
    })
    request.on('row', (cells: Array<{ value: unknown; metadata: ColumnMetadata }>) => {
      queue.push(cells.map((cell) => fromCell(cell.value, cell.metadata)))
      if (queue.length >= batchSize) {
        request.pause()
        wake?.()
      }
    })
    this.#send(request, query)
    try {
      while (true) {
        if (queue.length >= batchSize || (done && queue.length > 0)) {
          const batch = queue.splice(0, batchSize)
          if (!done && queue.length < batchSize) request.resume()
          yield batch
          continue
        }
        if (done) {
          if (failure) throw toDriverError(failure)
          return
        }
        await new Promise<void>((resolve) => {
          wake = resolve
        })
        wake = undefined
      }
    } finally {
      if (!done) {
        // The reader stopped early: cancel the rest, and wait for the request to end before the next one.
        const ended = new Promise<void>((resolve) => {
          wake = resolve
        })
        request.resume()
        this.#connection.cancel()
        await ended
      }
    }
  }

  bulkInsert(table: TableName, columns: readonly ColumnSpec[], batches: AsyncIterable<Row[]>): Promise<number> {
    const state: { rows: number; sourceError?: unknown } = { rows: 0 }
    return new Promise((resolve, reject) => {
      const bulk = this.#connection.newBulkLoad(this.#dialect.qualify(table), BULK_LOAD_OPTIONS, (error, rowCount) => {
        if (state.sourceError) reject(state.sourceError)
        else if (error) reject(toDriverError(error))
        else resolve(rowCount ?? state.rows)
      })
      declareBulkColumns(bulk, columns)
      this.#connection.execBulkLoad(bulk, bulkRows(batches, columns, state))
    })
  }

  async release(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    this.#onRelease()
    await new Promise<void>((resolve) => {
      this.#connection.once('end', () => resolve())
      this.#connection.close()
    })
  }

  #send(request: Request, query: CompiledSql): void {
    if (query.parameters.length === 0) {
      this.#connection.execSqlBatch(request)
      return
    }
    query.parameters.forEach((value, index) => {
      const parameter = toParameter(value)
      // Kysely's MssqlQueryCompiler numbers its placeholders @1, @2, ...
      request.addParameter(String(index + 1), parameter.type, parameter.value, parameter.options)
    })
    this.#connection.execSql(request)
  }
}

/**
 * SQL Server's error as an Error labsync can report: its number, severity,
 * procedure and line, and the message with quoted values hidden (messages
 * such as 2628 "Truncated value: '...'" and 245 "converting the nvarchar
 * value '...'" would carry patient data).
 */
export function toDriverError(error: unknown): Error {
  if (!(error instanceof Error)) return new Error(String(error))
  const detail = error as Error & {
    number?: number
    class?: number
    procName?: string
    lineNumber?: number
    code?: string
  }
  const where = [
    detail.number !== undefined ? `SQL Server error ${detail.number}` : undefined,
    detail.class !== undefined ? `severity ${detail.class}` : undefined,
    detail.procName ? `in ${detail.procName}` : undefined,
    detail.lineNumber ? `line ${detail.lineNumber}` : undefined,
  ].filter(Boolean)
  const wrapped = new Error(`${redactValues(error.message)}${where.length ? ` (${where.join(', ')})` : ''}`)
  const code = detail.code
  // Connection-level codes (ESOCKET, ETIMEOUT, ECLOSE) let the caller tell an unreachable server from a bad statement.
  if (code && code !== 'EREQUEST')
    Object.assign(wrapped, { code: code === 'ESOCKET' ? 'ECONNRESET' : code === 'ETIMEOUT' ? 'ETIMEDOUT' : code })
  return wrapped
}

/** Hides the quoted value in "value '...'" / "value: '...'" phrases of SQL Server messages. */
export function redactValues(message: string): string {
  return message
    .replace(/(values?:?\s*)'(?:[^']|'')*'/gi, "$1'***'")
    .replace(/(values?:?\s*)N'(?:[^']|'')*'/gi, "$1N'***'")
}
