import type { ColumnSpec, TableSpec } from './column-spec.js'
import type { SqlDialect, TableName } from './database.js'
import { findTable, listColumns } from './catalog.js'
import type { Session } from './session.js'

/**
 * Plans the DDL that brings one table up to its spec: CREATE TABLE when it
 * is missing, ADD of each missing column (always nullable) when it exists.
 * Never drops, renames or narrows anything. The statements can be printed
 * for a DBA or run by applyPlan.
 */
export interface TablePlan {
  table: TableName
  exists: boolean
  statements: string[]
}

export async function planTable(session: Session, spec: TableSpec, schema?: string): Promise<TablePlan> {
  const found = await findTable(session, spec.name, schema)
  if (!found) {
    const table = { schema, name: spec.name }
    return { table, exists: false, statements: [createTableSql(session.dialect, table, spec)] }
  }
  const existing = new Set((await listColumns(session, found)).map((column) => column.name.toLowerCase()))
  const statements = spec.columns
    .filter((column) => !existing.has(column.name.toLowerCase()))
    .map((column) => addColumnSql(session.dialect, found, column))
  return { table: found, exists: true, statements }
}

export async function applyPlan(session: Session, plan: TablePlan): Promise<void> {
  for (const statement of plan.statements) await session.connection.execute({ sql: statement, parameters: [] })
}

export function createTableSql(dialect: SqlDialect, table: TableName, spec: TableSpec): string {
  const lines = spec.columns.map((column) =>
    column.identity
      ? dialect.identityColumn(column)
      : `${dialect.quote(column.name)} ${dialect.columnType(column)}${dialect.defaultClause(column)}${column.nullable ? ' NULL' : ' NOT NULL'}`,
  )
  const hasIdentityKey = spec.columns.some((column) => column.identity)
  if (spec.primaryKey.length > 0 && !hasIdentityKey) {
    const constraint = dialect.quote(`PK_${table.name}`.slice(0, 128))
    lines.push(
      `CONSTRAINT ${constraint} PRIMARY KEY (${spec.primaryKey.map((name) => dialect.quote(name)).join(', ')})`,
    )
  }
  return `CREATE TABLE ${dialect.qualify(table)} (\n  ${lines.join(',\n  ')}\n)${spec.typed ? dialect.typedTableSuffix : ''}`
}

export function addColumnSql(dialect: SqlDialect, table: TableName, column: ColumnSpec): string {
  const add = dialect.name === 'mssql' ? 'ADD' : 'ADD COLUMN'
  return `ALTER TABLE ${dialect.qualify(table)} ${add} ${dialect.quote(column.name)} ${dialect.columnType(column)} NULL`
}
