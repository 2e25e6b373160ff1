import { TYPES } from 'tedious'
import type { DataType } from 'tedious/lib/data-type.js'
import type { ColumnSpec } from '../../column-spec.js'

/**
 * Values at the tedious boundary, both ways. The connection runs with
 * `useUTC: true`, so a Date stands for a wall-clock value through its UTC
 * fields: a canonical 'YYYY-MM-DD HH:MM:SS.SSS' becomes Date.UTC(...) on the
 * way in and comes back from the UTC fields on the way out, and the time
 * zone of the process never enters. Text goes as nvarchar (UTF-16), so
 * accents and ñ survive; the server converts to a varchar column's own
 * collation when it stores.
 */

const CANONICAL_DATETIME = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})\.(\d{3})$/
const INT_MIN = -2147483648
const INT_MAX = 2147483647
/** Digits a JavaScript number carries exactly; tedious encodes decimals through numbers. */
const EXACT_DIGITS = 15

export interface TediousValue {
  type: DataType
  value: unknown
  options?: { length?: number; precision?: number; scale?: number }
}

/** A canonical datetime as the Date whose UTC fields are that wall-clock value. */
export function wallClockToDate(value: string): Date {
  const match = CANONICAL_DATETIME.exec(value)
  if (!match) throw new TypeError('expected a datetime as YYYY-MM-DD HH:MM:SS.SSS')
  const [year, month, day, hour, minute, second, millis] = match.slice(1).map(Number)
  const date = new Date(Date.UTC(year, month - 1, day, hour, minute, second, millis))
  // Date.UTC maps years 0-99 to 1900-1999; SQL Server's datetime starts in 1753, so this only guards input.
  date.setUTCFullYear(year)
  return date
}

/** A Date read with useUTC as the canonical wall-clock string. */
export function dateToWallClock(value: Date): string {
  return value.toISOString().slice(0, 23).replace('T', ' ')
}

/**
 * The tedious type of one statement parameter (Kysely's compiled
 * parameters). A string in the canonical datetime form goes as datetime,
 * so that the server never parses it by the login's date format.
 */
export function toParameter(value: unknown): TediousValue {
  if (value === null || value === undefined) return { type: TYPES.NVarChar, value: null }
  if (typeof value === 'boolean') return { type: TYPES.Bit, value }
  if (typeof value === 'number') {
    if (Number.isInteger(value)) {
      return value >= INT_MIN && value <= INT_MAX
        ? { type: TYPES.Int, value }
        : { type: TYPES.BigInt, value: BigInt(value) }
    }
    return { type: TYPES.Float, value }
  }
  if (typeof value === 'bigint') return { type: TYPES.BigInt, value }
  if (typeof value === 'string') {
    if (CANONICAL_DATETIME.test(value)) return { type: TYPES.DateTime, value: wallClockToDate(value) }
    return { type: TYPES.NVarChar, value }
  }
  if (value instanceof Date) return { type: TYPES.DateTime, value }
  if (Buffer.isBuffer(value)) return { type: TYPES.VarBinary, value }
  throw new TypeError(`cannot send a value of type ${typeof value} to SQL Server`)
}

/** The bulk-load column type of a column spec. */
export function bulkColumn(column: ColumnSpec): TediousValue & { nullable: boolean } {
  const type = column.type
  const nullable = column.nullable
  switch (type.kind) {
    case 'int':
      return { type: TYPES.Int, value: undefined, nullable }
    case 'bit':
      return { type: TYPES.Bit, value: undefined, nullable }
    case 'datetime':
      return { type: TYPES.DateTime, value: undefined, nullable }
    case 'varchar':
      return { type: TYPES.VarChar, value: undefined, options: { length: type.length }, nullable }
    case 'nvarchar':
      return { type: TYPES.NVarChar, value: undefined, options: { length: type.length }, nullable }
    case 'text':
      return { type: TYPES.NVarChar, value: undefined, options: { length: Infinity }, nullable }
    case 'decimal':
      return {
        type: TYPES.Decimal,
        value: undefined,
        options: { precision: type.precision, scale: type.scale },
        nullable,
      }
  }
}

/**
 * One canonical value (row-validator.ts) as bulk load takes it for its
 * column. Decimals beyond 15 significant digits are refused: tedious
 * encodes decimals through a binary float and would round them.
 */
export function toBulkValue(value: unknown, column: ColumnSpec): unknown {
  if (value === null || value === undefined) return null
  switch (column.type.kind) {
    case 'datetime':
      return wallClockToDate(String(value))
    case 'decimal': {
      const text = String(value)
      const digits = text.replace(/^[+-]/, '').replace('.', '').replace(/^0+/, '')
      if (digits.length > EXACT_DIGITS) {
        throw new TypeError(
          `decimal with more than ${EXACT_DIGITS} significant digits cannot be sent exactly (column ${column.name})`,
        )
      }
      return Number(text)
    }
    default:
      return value
  }
}

/** The parts of tedious column metadata the conversions read. */
export interface CellMetadata {
  type: { name: string }
  scale?: number
}

/**
 * One value read from tedious, as labsync's canonical value: datetimes as
 * wall-clock strings, decimals as decimal strings with their scale, bigint
 * (a string in tedious) as a number when it is exact; the rest as tedious
 * gives it (int -> number, bit -> boolean, text -> string).
 */
export function fromCell(value: unknown, metadata: CellMetadata): unknown {
  if (value === null || value === undefined) return null
  if (value instanceof Date) {
    if (metadata.type.name === 'Date') return dateToWallClock(value).slice(0, 10)
    return dateToWallClock(value)
  }
  switch (metadata.type.name) {
    case 'Decimal':
    case 'Numeric':
    case 'DecimalN':
    case 'NumericN':
      return typeof value === 'number' ? value.toFixed(metadata.scale ?? 0) : value
    case 'BigInt':
    case 'IntN': {
      if (typeof value === 'string' && /^-?\d+$/.test(value)) {
        const number = Number(value)
        return Number.isSafeInteger(number) ? number : value
      }
      return value
    }
    default:
      return value
  }
}
