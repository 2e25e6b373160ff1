/**
 * Columns described once, in SQL Server terms (the production database),
 * and mapped to each dialect's types by the dialect modules. labsync checks
 * every value against these specs itself, so that SQLite, which would store
 * anything, enforces the same sizes as SQL Server.
 */
export type ColumnType =
  | { kind: 'int' }
  | { kind: 'bit' }
  | { kind: 'datetime' }
  | { kind: 'varchar'; length: number }
  | { kind: 'nvarchar'; length: number }
  /** nvarchar(max) */
  | { kind: 'text' }
  /** decimal(p, s): exact numbers (the SIL's `resultadoNum`), carried as decimal strings, never as binary floats. */
  | { kind: 'decimal'; precision: number; scale: number }

export interface ColumnSpec {
  name: string
  type: ColumnType
  nullable: boolean
  /** SQL default of the column, as a literal of every dialect (only numbers are used). */
  defaultValue?: number
  /** Set on columns that labsync identity-generates (the `id` of LAB_SyncStatus and of the run history). */
  identity?: boolean
}

export interface TableSpec {
  /** The name as the schema spells it; per-hospital staging tables get theirs at run time. */
  name: string
  columns: readonly ColumnSpec[]
  primaryKey: readonly string[]
  /**
   * Have the database refuse a value of another type than its column's,
   * where that is a choice of the table's (SQLite's STRICT tables): set on
   * the staging tables, so that a reader can count on it.
   */
  typed?: boolean
}

export const int = (name: string, nullable = false): ColumnSpec => ({ name, type: { kind: 'int' }, nullable })
export const bit = (name: string, nullable = false): ColumnSpec => ({ name, type: { kind: 'bit' }, nullable })
export const datetime = (name: string, nullable = false): ColumnSpec => ({ name, type: { kind: 'datetime' }, nullable })
export const varchar = (name: string, length: number, nullable = false): ColumnSpec => ({
  name,
  type: { kind: 'varchar', length },
  nullable,
})
export const nvarchar = (name: string, length: number, nullable = false): ColumnSpec => ({
  name,
  type: { kind: 'nvarchar', length },
  nullable,
})
export const text = (name: string, nullable = true): ColumnSpec => ({ name, type: { kind: 'text' }, nullable })
export const decimal = (name: string, precision: number, scale: number, nullable = true): ColumnSpec => ({
  name,
  type: { kind: 'decimal', precision, scale },
  nullable,
})

/** SQL Server spelling of a column type, used in messages and by `doctor`. */
export function describeType(type: ColumnType): string {
  switch (type.kind) {
    case 'varchar':
    case 'nvarchar':
      return `${type.kind}(${type.length})`
    case 'text':
      return 'nvarchar(max)'
    case 'decimal':
      return `decimal(${type.precision}, ${type.scale})`
    default:
      return type.kind
  }
}

export function columnNames(columns: readonly ColumnSpec[]): string[] {
  return columns.map((column) => column.name)
}
