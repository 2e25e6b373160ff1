import type { ColumnSpec } from '../../src/db/column-spec.js'

/**
 * A SELECT of literal rows with the given columns, as a hospital DBA might
 * write for export mode `sql`; aliases are unquoted on purpose, so that
 * PostgreSQL folds them to lower case and labsync must match them anyway.
 */
export function literalSelect(
  columns: readonly ColumnSpec[],
  rows: Record<string, unknown>[],
  dialect: 'sqlite' | 'postgres',
): string {
  const literal = (column: ColumnSpec, value: unknown) => {
    if (value === null || value === undefined) {
      return dialect === 'postgres' ? `CAST(NULL AS ${pgType(column)})` : 'NULL'
    }
    if (typeof value === 'boolean') return dialect === 'postgres' ? String(value) : value ? '1' : '0'
    if (typeof value === 'number') return String(value)
    const text = `'${String(value).replace(/'/g, "''")}'`
    return column.type.kind === 'datetime' && dialect === 'postgres' ? `CAST(${text} AS timestamp(3))` : text
  }
  return rows
    .map(
      (row) => `SELECT ${columns.map((column) => `${literal(column, row[column.name])} AS ${column.name}`).join(', ')}`,
    )
    .join('\nUNION ALL\n')
}

function pgType(column: ColumnSpec): string {
  switch (column.type.kind) {
    case 'int':
      return 'integer'
    case 'bit':
      return 'boolean'
    case 'datetime':
      return 'timestamp(3)'
    default:
      return 'text'
  }
}
