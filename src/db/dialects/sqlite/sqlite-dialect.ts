import { SqliteAdapter, SqliteIntrospector, SqliteQueryCompiler, sql } from 'kysely'
import type { ColumnSpec } from '../../column-spec.js'
import type { ExistingColumn, SqlDialect, TableName } from '../../database.js'
import { upsertOnConflict } from '../../upsert-on-conflict.js'

/**
 * SQLite keeps datetimes as TEXT 'YYYY-MM-DD HH:MM:SS.SSS', which sorts and
 * compares as the time it names. Its clock is the clock of the machine that
 * holds the file (the embedded database has no server of its own).
 */
const NOW_FORMAT = "'%Y-%m-%d %H:%M:%f', 'now', 'localtime'"

export const sqliteDialect: SqlDialect = {
  name: 'sqlite',
  maxIdentifierLength: 128,
  createAdapter: () => new SqliteAdapter(),
  createQueryCompiler: () => new SqliteQueryCompiler(),
  createIntrospector: (db) => new SqliteIntrospector(db),
  beginTransactionSql: 'BEGIN IMMEDIATE',
  typedTableSuffix: ' STRICT',
  isTypedTable: (table) =>
    sql<{
      typed: number
    }>`SELECT strict AS typed FROM pragma_table_list(${table.name}) WHERE schema = ${table.schema ?? 'main'}`,

  now: () => sql<string>`strftime(${sql.raw(NOW_FORMAT)})`,
  minutesAgo: (minutes) => sql<string>`strftime(${sql.raw(NOW_FORMAT)}, (-1.0 * (${minutes})) || ' minutes')`,
  minutesFromNow: (minutes) => sql<string>`strftime(${sql.raw(NOW_FORMAT)}, (1.0 * (${minutes})) || ' minutes')`,
  // The clock of the machine that holds the file: julianday('now') is UTC.
  epochMilliseconds: () => sql<number>`((julianday('now') - 2440587.5) * 86400000.0)`,
  startOfDayDaysAgo: (days) =>
    sql<string>`strftime(${sql.raw(NOW_FORMAT)}, 'start of day', ${`${-Math.trunc(days)} days`})`,
  bit: (value) => sql<boolean>`${sql.raw(value ? '1' : '0')}`,
  differs: (left, right) => sql<boolean>`(${left} IS NOT ${right})`,

  quote: (identifier) => `"${identifier.replace(/"/g, '""')}"`,
  qualify(table: TableName) {
    return table.schema && table.schema !== 'main'
      ? `${this.quote(table.schema)}.${this.quote(table.name)}`
      : this.quote(table.name)
  },
  columnType(column: ColumnSpec) {
    switch (column.type.kind) {
      case 'int':
      case 'bit':
        return 'INTEGER'
      // TEXT affinity keeps a decimal exactly as written; NUMERIC or REAL would turn it into a binary float.
      case 'decimal':
        return 'TEXT'
      default:
        return 'TEXT'
    }
  },
  identityColumn(column) {
    return `${this.quote(column.name)} INTEGER PRIMARY KEY AUTOINCREMENT`
  },
  defaultClause(column) {
    return column.defaultValue === undefined ? '' : ` DEFAULT ${column.defaultValue}`
  },
  emptyTable: (table) => sql`DELETE FROM ${sql.raw(sqliteDialect.qualify(table))}`,
  listTables: () => sql<{ name: string }>`SELECT name FROM sqlite_master WHERE type = 'table'`,
  // table_xinfo, not table_info: a generated column is a column too (hidden 2 and 3; 1 is a virtual table's own).
  listColumns: (table) =>
    sql`SELECT name, type, "notnull" FROM pragma_table_xinfo(${table.name}) WHERE hidden <> 1 ORDER BY cid`,
  readColumn(row): ExistingColumn {
    return {
      name: String(row.name),
      dataType: String(row.type).toLowerCase(),
      maxLength: null,
      nullable: Number(row.notnull) === 0,
    }
  },
  upsertFromSelect(spec) {
    return upsertOnConflict(this, spec)
  },
  limit: (query, count) => query.limit(count),
  returning: (query, column) => query.returning(column as any),
  skippingLockedRows: (table) => sql`${sql.raw(sqliteDialect.qualify(table))}`,
  guardDdl(statement) {
    switch (statement.kind) {
      case 'create-table':
        return statement.sql.replace(/^CREATE TABLE /, 'CREATE TABLE IF NOT EXISTS ')
      case 'add-column':
        // SQLite has no ADD COLUMN IF NOT EXISTS: the DBA runs it only where `labsync ... install --print` lists it.
        return `-- only if the column is missing:\n-- ${statement.sql}`
      case 'create-index':
        return statement.sql.replace(/^CREATE INDEX /, 'CREATE INDEX IF NOT EXISTS ')
    }
  },
}
