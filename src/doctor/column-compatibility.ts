import { describeType, type ColumnSpec } from '../db/column-spec.js'
import type { ExistingColumn, SqlDialect, TableName } from '../db/database.js'

/**
 * Whether an existing column can hold what labsync writes into it, by the
 * database's own type names (information_schema in PostgreSQL and SQL
 * Server, the declared type's affinity in SQLite). Returns what is wrong,
 * or undefined.
 */
export function columnMismatch(dialect: SqlDialect, spec: ColumnSpec, existing: ExistingColumn): string | undefined {
  const type = existing.dataType.toLowerCase()
  const wanted = describeType(spec.type)
  const found = existing.maxLength !== null && existing.maxLength > 0 ? `${type}(${existing.maxLength})` : type
  const wrong = () => `is ${found}, labsync needs ${wanted}`
  const tooShort = (length: number) =>
    existing.maxLength !== null && existing.maxLength > 0 && existing.maxLength < length
      ? `is ${found}, shorter than the ${wanted} labsync writes`
      : undefined

  if (dialect.name === 'sqlite') {
    // SQLite stores what it is given; only an INTEGER or REAL affinity changes text, and TEXT affinity changes numbers.
    const integerAffinity = type.includes('int')
    const realAffinity = !integerAffinity && /real|floa|doub/.test(type)
    const textAffinity = /char|clob|text/.test(type)
    if (spec.type.kind === 'int' || spec.type.kind === 'bit') return textAffinity || realAffinity ? wrong() : undefined
    return integerAffinity || realAffinity ? wrong() : undefined
  }

  const kind = spec.type.kind
  switch (kind) {
    case 'int':
      return ['integer', 'int', 'bigint'].includes(type) ? undefined : wrong()
    case 'bit':
      return ['boolean', 'bit'].includes(type) ? undefined : wrong()
    case 'datetime':
      return ['timestamp without time zone', 'datetime', 'datetime2'].includes(type) ? undefined : wrong()
    case 'varchar':
    case 'nvarchar':
      if (['text', 'ntext'].includes(type)) return undefined
      if (!['character varying', 'varchar', 'nvarchar'].includes(type)) return wrong()
      return tooShort(spec.type.length)
    case 'text':
      if (['text', 'ntext'].includes(type)) return undefined
      if (!['character varying', 'varchar', 'nvarchar'].includes(type)) return wrong()
      // nvarchar(max) reports -1; PostgreSQL varchar without a length reports NULL.
      return existing.maxLength === null || existing.maxLength < 0 ? undefined : wrong()
    default:
      return undefined
  }
}

/** The statement that gives a column labsync's type, or how to get there where the database cannot alter it. */
export function alterColumnFix(dialect: SqlDialect, table: TableName, spec: ColumnSpec): string {
  const target = `${dialect.qualify(table)}`
  const column = dialect.quote(spec.name)
  switch (dialect.name) {
    case 'postgres':
      return `ALTER TABLE ${target} ALTER COLUMN ${column} TYPE ${dialect.columnType(spec)};`
    case 'mssql':
      return `ALTER TABLE ${target} ALTER COLUMN ${column} ${dialect.columnType(spec)} ${spec.nullable ? 'NULL' : 'NOT NULL'};`
    default:
      return `SQLite cannot change a column's type: rename ${target}, run the install command to create it again, and copy the rows back`
  }
}
