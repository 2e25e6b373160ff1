import {
  MssqlAdapter,
  MssqlIntrospector,
  MssqlQueryCompiler,
  WithSchemaPlugin,
  sql,
  type CompiledQuery,
  type QueryId,
  type RawBuilder,
  type RootOperationNode,
} from 'kysely'
import { describeType, type ColumnSpec } from '../../column-spec.js'
import type { ExistingColumn, SqlDialect, TableName } from '../../database.js'
import { mergeFromSelect } from './mssql-merge.js'

/**
 * T-SQL for SQL Server 2012 and later. The central clock is GETDATE() (a
 * datetime, the server's local wall-clock time), minute arithmetic is
 * DATEADD, and identifiers are bracket-quoted.
 *
 * `schema` is the schema of names labsync does not qualify (the URL's
 * `schema=` option): the DDL and catalogue queries name it, and Kysely's
 * statements get it through WithSchemaPlugin. Without it, SQL Server
 * resolves names by the login's default schema, as the legacy jobs did.
 */
export function createMssqlDialect(schema?: string): SqlDialect {
  const quote = (identifier: string) => `[${identifier.replace(/]/g, ']]')}]`
  const qualify = (table: TableName) => {
    const owner = table.schema ?? schema
    return owner ? `${quote(owner)}.${quote(table.name)}` : quote(table.name)
  }
  /** An N'...' literal of a name, for OBJECT_ID and COL_LENGTH. */
  const nameLiteral = (text: string) => `N'${text.replace(/'/g, "''")}'`
  const schemaFilter = (owner: string | undefined) => ((owner ?? schema) ? sql`${owner ?? schema}` : sql`SCHEMA_NAME()`)
  // Seconds, so that fractional minutes (a lease of 0.5) are not truncated to whole minutes by DATEADD.
  const shifted = (sign: -1 | 1, minutes: RawBuilder<unknown> | number) =>
    sql<string>`DATEADD(second, CAST(${sql.raw(String(sign * 60))} * (${minutes}) AS int), GETDATE())`

  return {
    name: 'mssql',
    maxIdentifierLength: 128,
    createAdapter: () => new MssqlAdapter(),
    createQueryCompiler: () => (schema ? new SchemaQueryCompiler(schema) : new MssqlQueryCompiler()),
    createIntrospector: (db) => new MssqlIntrospector(db),
    beginTransactionSql: 'BEGIN TRANSACTION',
    typedTableSuffix: '',

    now: () => sql<string>`GETDATE()`,
    minutesAgo: (minutes) => shifted(-1, minutes),
    minutesFromNow: (minutes) => shifted(1, minutes),
    // DATEDIFF_BIG needs SQL Server 2016; seconds fit DATEDIFF's int until 2038.
    epochMilliseconds: () =>
      // Whole minutes fit DATEDIFF's int for millennia (seconds overflow in 2038, DATEDIFF_BIG needs 2016).
      sql<number>`(CAST(DATEDIFF(minute, '19700101', SYSUTCDATETIME()) AS bigint) * 60000
        + DATEDIFF(millisecond, DATEADD(minute, DATEDIFF(minute, '19700101', SYSUTCDATETIME()), CAST('19700101' AS datetime2)), SYSUTCDATETIME()))`,
    startOfDayDaysAgo: (days) =>
      sql<string>`DATEADD(day, ${sql.raw(String(-Math.trunc(days)))}, CAST(CAST(GETDATE() AS date) AS datetime))`,
    bit: (value) => sql<boolean>`${sql.raw(value ? '1' : '0')}`,
    // SQL Server 2012 has no IS DISTINCT FROM. The bytes are compared, not the collation's order, so that a
    // correction of case or accents alone (equal under a CI_AI collation) still counts as a change.
    differs: (left, right) =>
      sql<boolean>`(CAST(${left} AS varbinary(max)) <> CAST(${right} AS varbinary(max)) OR (${left} IS NULL AND ${right} IS NOT NULL) OR (${left} IS NOT NULL AND ${right} IS NULL))`,

    quote,
    qualify,
    columnType: (column: ColumnSpec) => describeType(column.type),
    identityColumn: (column) => `${quote(column.name)} int IDENTITY(1,1) NOT NULL PRIMARY KEY`,
    defaultClause: (column) => (column.defaultValue === undefined ? '' : ` DEFAULT ${column.defaultValue}`),
    // DELETE, not TRUNCATE: TRUNCATE needs ALTER permission on the table, which the upload login does not have.
    emptyTable: (table) => sql`DELETE FROM ${sql.raw(qualify(table))}`,
    listTables: (owner) =>
      sql<{ name: string }>`SELECT TABLE_NAME AS name FROM INFORMATION_SCHEMA.TABLES
      WHERE TABLE_TYPE = 'BASE TABLE' AND TABLE_SCHEMA = ${schemaFilter(owner)}`,
    listColumns: (table) =>
      sql`SELECT COLUMN_NAME AS column_name, DATA_TYPE AS data_type, CHARACTER_MAXIMUM_LENGTH AS character_maximum_length,
      IS_NULLABLE AS is_nullable FROM INFORMATION_SCHEMA.COLUMNS
      WHERE TABLE_NAME = ${table.name} AND TABLE_SCHEMA = ${schemaFilter(table.schema)} ORDER BY ORDINAL_POSITION`,
    readColumn(row): ExistingColumn {
      const length = row.character_maximum_length
      return {
        name: String(row.column_name),
        dataType: String(row.data_type).toLowerCase(),
        // -1 is (max).
        maxLength: length === null || length === undefined || Number(length) < 0 ? null : Number(length),
        nullable: row.is_nullable === 'YES',
      }
    },
    upsertFromSelect(spec) {
      return mergeFromSelect(this, spec)
    },
    limit: (query, count) => query.top(count),
    returning: (query, column) => query.output(`inserted.${column}` as any),
    skippingLockedRows: (table) => sql`${sql.raw(qualify(table))} WITH (READPAST)`,
    callProcedure: (procedure) =>
      sql<{ returnStatus: unknown }>`DECLARE @labsync_status int;
EXEC @labsync_status = ${sql.raw(qualify(procedure))};
SELECT @labsync_status AS ${sql.raw(quote('returnStatus'))};`,
    guardDdl(statement) {
      const object = nameLiteral(qualify(statement.table))
      switch (statement.kind) {
        case 'create-table':
          return `IF OBJECT_ID(${object}, N'U') IS NULL\n${statement.sql}`
        case 'add-column':
          return `IF COL_LENGTH(${object}, ${nameLiteral(statement.column)}) IS NULL\n  ${statement.sql}`
        case 'create-index':
          return `IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE name = ${nameLiteral(statement.index)} AND object_id = OBJECT_ID(${object}))\n  ${statement.sql}`
      }
    },
  }
}

/** Qualifies every table Kysely names without a schema with the URL's schema. */
class SchemaQueryCompiler extends MssqlQueryCompiler {
  readonly #plugin: WithSchemaPlugin

  constructor(schema: string) {
    super()
    this.#plugin = new WithSchemaPlugin(schema)
  }

  override compileQuery(node: RootOperationNode, queryId: QueryId): CompiledQuery {
    return super.compileQuery(this.#plugin.transformQuery({ node, queryId }), queryId)
  }
}

/** The dialect without a URL schema, for statements printed without connecting (`labsync sql`). */
export const mssqlDialect = createMssqlDialect()
