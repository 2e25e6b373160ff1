import pg from 'pg'
import Cursor from 'pg-cursor'
import type { ColumnSpec } from '../../column-spec.js'
import type { CompiledSql, Database, DbConnection, QueryResult, TableName } from '../../database.js'
import type { Row } from '../../row-validator.js'
import { copyRowsIn } from './postgres-copy.js'
import { copyRowsOut, fieldParsers } from './postgres-copy-out.js'
import { postgresDialect } from './postgres-dialect.js'

const TIMESTAMP_OID = 1114
const TIMESTAMPTZ_OID = 1184
const DATE_OID = 1082
const INT8_OID = 20

/**
 * Timestamps stay the strings the server sends ('2026-11-20 08:15:30.12'):
 * turning them into Date objects would shift them by the time zone of the
 * machine that runs labsync. Counts (bigint) become numbers.
 */
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === TIMESTAMP_OID || oid === TIMESTAMPTZ_OID || oid === DATE_OID) return (value: string) => value
    if (oid === INT8_OID) return (value: string) => Number(value)
    return pg.types.getTypeParser(oid, format)
  },
} as unknown as pg.CustomTypesConfig

export function openPostgres(url: string, displayUrl: string, options: { poolSize?: number } = {}): Database {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? 4,
    types,
    application_name: 'labsync',
    connectionTimeoutMillis: 15_000,
  })
  // An idle client that loses its server must not crash the process; the next query reports it.
  pool.on('error', () => {})
  // Once per client, not per checkout: a broken socket is reported by the next query instead.
  pool.on('connect', (client) => client.on('error', () => {}))
  return {
    dialect: postgresDialect,
    displayUrl,
    async connect(): Promise<DbConnection> {
      const client = await pool.connect()
      return new PostgresConnection(client)
    },
    async close() {
      await pool.end()
    },
  }
}

class PostgresConnection implements DbConnection {
  readonly #client: pg.PoolClient
  #broken = false

  constructor(client: pg.PoolClient) {
    this.#client = client
  }

  async execute(query: CompiledSql): Promise<QueryResult> {
    try {
      const result = await this.#client.query({ text: query.sql, values: query.parameters as unknown[] })
      return {
        rows: result.rows ?? [],
        numAffectedRows: result.rowCount ?? 0,
        columns: (result.fields ?? []).map((field) => field.name),
      }
    } catch (error) {
      this.#markIfBroken(error)
      throw error
    }
  }

  /**
   * A query without parameters is read with `COPY (query) TO STDOUT`: one
   * stream instead of a round trip per batch (measured in
   * docs/BENCHMARKS.md). A query with parameters (COPY takes none) goes
   * through a cursor. Both return the same values.
   */
  async *stream(query: CompiledSql, batchSize: number): AsyncIterable<Row[]> {
    if (query.parameters.length > 0) {
      yield* this.#streamWithCursor(query, batchSize)
      return
    }
    try {
      // The column types, which COPY's output does not carry: the query planned but not run.
      // TODO: a column type changed between this probe and the COPY (outside a transaction) is caught only by the central COPY.
      const probe = await this.#client.query({
        text: `SELECT * FROM (${query.sql}\n) labsync_stream LIMIT 0`,
        rowMode: 'array',
      })
      if (probe.fields.length === 0) {
        yield* this.#streamWithCursor(query, batchSize)
        return
      }
      const typeIds = probe.fields.map((field) => field.dataTypeID)
      const parsers = fieldParsers(
        typeIds,
        (oid, format) => types.getTypeParser(oid, format) as (value: string) => unknown,
      )
      yield* copyRowsOut(this.#client, query.sql, { parsers, typeIds }, batchSize)
    } catch (error) {
      this.#markIfBroken(error)
      throw error
    }
  }

  async *#streamWithCursor(query: CompiledSql, batchSize: number): AsyncIterable<Row[]> {
    const cursor = this.#client.query(
      new Cursor(query.sql, query.parameters as unknown[], { rowMode: 'array', types } as Cursor.CursorQueryConfig),
    )
    try {
      while (true) {
        const rows = (await cursor.read(batchSize)) as Row[]
        if (rows.length === 0) return
        yield rows
      }
    } finally {
      await cursor.close().catch(() => {})
    }
  }

  bulkInsert(table: TableName, columns: readonly ColumnSpec[], batches: AsyncIterable<Row[]>): Promise<number> {
    return copyRowsIn(this.#client, table, columns, batches).catch((error) => {
      this.#markIfBroken(error)
      throw error
    })
  }

  async release(): Promise<void> {
    this.#client.release(this.#broken)
  }

  #markIfBroken(error: unknown) {
    const code = (error as { code?: string }).code
    if (!code || !/^[0-9A-Z]{5}$/.test(code) || code.startsWith('08') || code.startsWith('57')) this.#broken = true
  }
}
