import type {
  DialectAdapter,
  Kysely,
  QueryCompiler,
  DatabaseIntrospector,
  RawBuilder,
  SelectQueryBuilder,
  InsertQueryBuilder,
} from 'kysely'
import type { ColumnSpec } from './column-spec.js'
import type { Row } from './row-validator.js'

/**
 * The narrow port every dialect implements (db/dialects/<name>/). The rest
 * of labsync builds SQL with Kysely and these hooks, and never imports a
 * dialect folder: open-database.ts is the one place that picks one.
 */

export type DialectName = 'postgres' | 'sqlite' | 'mssql'

export interface CompiledSql {
  sql: string
  parameters: readonly unknown[]
}

export interface QueryResult {
  rows: Record<string, unknown>[]
  numAffectedRows: number
  /** Names of the result's columns, in order (empty for statements that return no rows). */
  columns: string[]
}

/** A table, optionally schema-qualified. */
export interface TableName {
  schema?: string
  name: string
}

export interface ExistingColumn {
  name: string
  /** The database's own type name, lower case (`integer`, `character varying`, `nvarchar`, `TEXT`). */
  dataType: string
  maxLength: number | null
  nullable: boolean
}

/** One open connection. Not shared between concurrent tasks. */
export interface DbConnection {
  execute(query: CompiledSql): Promise<QueryResult>
  /** Rows of a query as arrays in select order, a batch at a time, without holding the whole result in memory. */
  stream(query: CompiledSql, batchSize: number): AsyncIterable<Row[]>
  /**
   * Every row of a table, `columns` as arrays in that order, a batch at a
   * time: what stream() gives for `SELECT columns FROM table`, read a faster
   * way. Optional; undefined (or a missing method) means use stream(). The
   * connection must not write the table while its rows are read.
   */
  streamTable?(table: TableName, columns: readonly string[], batchSize: number): AsyncIterable<Row[]> | undefined
  /**
   * Appends rows (canonical values, in the order of `columns`) to a table
   * within the connection's current transaction, with the database's bulk
   * path (COPY, bulk load, prepared statements). Returns the rows written.
   */
  bulkInsert(table: TableName, columns: readonly ColumnSpec[], batches: AsyncIterable<Row[]>): Promise<number>
  release(): Promise<void>
}

/**
 * Everything that is written differently per database. Each flag or hook
 * documents its meaning; the dialect modules fill them in.
 */
export interface SqlDialect {
  readonly name: DialectName
  /** The longest identifier the database keeps whole, in bytes: PostgreSQL silently cuts longer ones to 63. */
  readonly maxIdentifierLength: number
  createAdapter(): DialectAdapter
  createQueryCompiler(): QueryCompiler
  createIntrospector(db: Kysely<any>): DatabaseIntrospector
  /** Statement that opens a transaction that will write (SQLite takes the write lock at once). */
  readonly beginTransactionSql: string
  /** What follows a CREATE TABLE's column list for a `typed` table spec (SQLite: STRICT); '' where types are always enforced. */
  readonly typedTableSuffix: string
  /**
   * One row whose `typed` is 1 when an existing table enforces its declared
   * column types (SQLite: a STRICT table) and 0 when not; absent where
   * every table enforces them.
   */
  isTypedTable?(table: TableName): RawBuilder<{ typed: number }>
  /** The database server's current time as a datetime value, evaluated when the statement runs. */
  now(): RawBuilder<string>
  /** The server's time `minutes` minutes ago (`minutes` may be a column expression). */
  minutesAgo(minutes: RawBuilder<unknown> | number): RawBuilder<string>
  /** The server's time `minutes` minutes from now. */
  minutesFromNow(minutes: RawBuilder<unknown> | number): RawBuilder<string>
  /**
   * Midnight that starts the calendar day `days` days before today, today
   * being the date on this database's own clock (a datetime value). Used by
   * the builtin export's window, which compares dates, not times.
   */
  startOfDayDaysAgo(days: number): RawBuilder<string>
  /**
   * The server's clock as milliseconds since 1970-01-01 UTC (an instant,
   * whatever the server's time zone), for `doctor`'s clock check.
   */
  epochMilliseconds(): RawBuilder<number>
  /** A bit literal usable in comparisons (`TRUE` in PostgreSQL, `1` elsewhere). */
  bit(value: boolean): RawBuilder<boolean>
  /** Null-safe "differs" comparison of two expressions (IS DISTINCT FROM, IS NOT, ...). */
  differs(left: RawBuilder<unknown>, right: RawBuilder<unknown>): RawBuilder<boolean>
  /** Quotes one identifier. */
  quote(identifier: string): string
  /** Quoted, schema-qualified table name for DDL text. */
  qualify(table: TableName): string
  /** The column's type in this dialect's DDL, without NULL / NOT NULL. */
  columnType(column: ColumnSpec): string
  /** Full column definition of an identity column. */
  identityColumn(column: ColumnSpec): string
  /** The default clause of a column (`DEFAULT 0`, `DEFAULT FALSE`), or ''. */
  defaultClause(column: ColumnSpec): string
  /** Statements that empty a table inside a transaction. */
  emptyTable(table: TableName): RawBuilder<unknown>
  /** Base tables of a schema (default: the connection's own). */
  listTables(schema: string | undefined): RawBuilder<{ name: string }>
  /** Columns of one table. */
  listColumns(table: TableName): RawBuilder<Record<string, unknown>>
  /** Turns one row of listColumns into an ExistingColumn. */
  readColumn(row: Record<string, unknown>): ExistingColumn
  /**
   * One set-based statement that inserts the rows of `select` into
   * `target`, and replaces the row with the same key where one exists and
   * differs. Rows equal to the stored ones are left untouched, so running
   * it twice changes nothing. Its affected-row count is the rows written.
   */
  upsertFromSelect(spec: UpsertSpec): RawBuilder<unknown>
  /** Keeps the first `count` rows of an ordered SELECT (LIMIT; TOP in SQL Server). */
  limit<DB, TB extends keyof DB, O>(query: SelectQueryBuilder<DB, TB, O>, count: number): SelectQueryBuilder<DB, TB, O>
  /** Makes an INSERT return the generated `column` as a row (RETURNING; OUTPUT inserted.<column> in SQL Server). */
  returning<DB, TB extends keyof DB, O>(
    query: InsertQueryBuilder<DB, TB, O>,
    column: string,
  ): InsertQueryBuilder<DB, TB, any>
  /**
   * The table as a FROM item whose rows locked by another transaction are
   * skipped instead of waited for (SQL Server `WITH (READPAST)`; the plain
   * table where readers never wait on writers).
   */
  skippingLockedRows(table: TableName): RawBuilder<unknown>
  /**
   * The call of an existing stored procedure, returning one row with its
   * return status as `returnStatus`. Undefined where labsync does not call
   * procedures (only SQL Server hospitals have LAB_ExportaResultadosValidados).
   */
  callProcedure?(procedure: TableName): RawBuilder<{ returnStatus: unknown }>
  /**
   * Makes one statement of schema-plan.ts safe to run twice, for scripts a
   * DBA runs by hand (`labsync sql`): it does nothing when the table, column
   * or index already exists.
   */
  guardDdl(statement: DdlStatement): string
}

/** One DDL statement with what it creates, for dialect guards. */
export type DdlStatement =
  | { kind: 'create-table'; table: TableName; sql: string }
  | { kind: 'add-column'; table: TableName; column: string; sql: string }
  | { kind: 'create-index'; table: TableName; index: string; sql: string }

export interface UpsertSpec {
  target: TableName
  /** Target columns, in the order `select` returns them. */
  columns: readonly string[]
  key: readonly string[]
  select: RawBuilder<unknown>
  /** Columns given a fixed value when a row is replaced, and left out of the "differs" test (the central `cda`). */
  resetOnReplace?: Readonly<Record<string, RawBuilder<unknown>>>
}

export interface Database {
  readonly dialect: SqlDialect
  /** The URL with its password hidden. */
  readonly displayUrl: string
  connect(): Promise<DbConnection>
  close(): Promise<void>
}
