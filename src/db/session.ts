import {
  Kysely,
  type CompiledQuery,
  type DatabaseConnection,
  type Driver,
  type QueryResult as KyselyQueryResult,
  type RawBuilder,
} from 'kysely'
import { LabsyncError, toLabsyncError } from '../core/errors.js'
import type { Database, DbConnection, QueryResult, SqlDialect } from './database.js'

/**
 * One connection of a Database with a Kysely instance bound to it, and
 * transactions that are ours to open and close (so that bulk loads, which
 * bypass Kysely, run inside the same transaction as the statements around
 * them).
 */
export class Session {
  readonly db: Kysely<any>
  readonly dialect: SqlDialect
  readonly connection: DbConnection
  #inTransaction = false

  constructor(dialect: SqlDialect, connection: DbConnection) {
    this.dialect = dialect
    this.connection = connection
    this.db = new Kysely<any>({
      dialect: {
        createAdapter: () => dialect.createAdapter(),
        createQueryCompiler: () => dialect.createQueryCompiler(),
        createIntrospector: (db) => dialect.createIntrospector(db),
        createDriver: () => new SessionDriver(connection),
      },
    })
  }

  get inTransaction(): boolean {
    return this.#inTransaction
  }

  /** Runs a raw Kysely `sql` fragment on this connection. */
  async run<T = Record<string, unknown>>(query: RawBuilder<unknown>): Promise<RunResult<T>> {
    return (await this.connection.execute(query.compile(this.db))) as unknown as RunResult<T>
  }

  /**
   * Runs `work` in one transaction: committed when it returns, rolled back
   * when it throws (and the error rethrown).
   */
  async transaction<T>(work: () => Promise<T>): Promise<T> {
    if (this.#inTransaction) throw new Error('nested transactions are not supported')
    await this.connection.execute({ sql: this.dialect.beginTransactionSql, parameters: [] })
    this.#inTransaction = true
    try {
      const result = await work()
      await this.connection.execute({ sql: 'COMMIT', parameters: [] })
      return result
    } catch (error) {
      try {
        await this.connection.execute({ sql: 'ROLLBACK', parameters: [] })
      } catch {
        // The connection is gone; the server rolls the transaction back itself.
      }
      throw error
    } finally {
      this.#inTransaction = false
    }
  }
}

export type RunResult<T> = Omit<QueryResult, 'rows'> & { rows: T[] }

/** Opens a session, runs `work`, and always releases the connection. */
export async function usingSession<T>(database: Database, work: (session: Session) => Promise<T>): Promise<T> {
  let connection: DbConnection
  try {
    connection = await database.connect()
  } catch (error) {
    const wrapped = toLabsyncError(error, 'LABSYNC_CONNECTION')
    // Say which database: an agent talks to its own and to the central one. The URL is shown without its password.
    throw new LabsyncError(wrapped.code, `${database.displayUrl}: ${wrapped.message}`, {
      cause: error,
      location: wrapped.location,
    })
  }
  try {
    return await work(new Session(database.dialect, connection))
  } finally {
    await connection.release()
  }
}

class SessionDriver implements Driver {
  readonly #connection: DatabaseConnection

  constructor(connection: DbConnection) {
    this.#connection = {
      async executeQuery<R>(query: CompiledQuery): Promise<KyselyQueryResult<R>> {
        const result = await connection.execute(query)
        return { rows: result.rows as R[], numAffectedRows: BigInt(result.numAffectedRows) }
      },
      // eslint-disable-next-line require-yield -- labsync streams through DbConnection.stream, never through Kysely
      async *streamQuery() {
        throw new Error('stream through DbConnection.stream')
      },
    }
  }

  async init(): Promise<void> {}
  async acquireConnection(): Promise<DatabaseConnection> {
    return this.#connection
  }
  async beginTransaction(): Promise<void> {
    throw new Error('open transactions with Session.transaction')
  }
  async commitTransaction(): Promise<void> {
    throw new Error('open transactions with Session.transaction')
  }
  async rollbackTransaction(): Promise<void> {
    throw new Error('open transactions with Session.transaction')
  }
  async releaseConnection(): Promise<void> {}
  async destroy(): Promise<void> {}
}
