import { LabsyncError } from '../core/errors.js'
import { describeType, type ColumnSpec, type ColumnType } from './column-spec.js'

/**
 * A row on its way between databases: one value per column, in the order of
 * the table's column specs. The canonical values are
 *   int -> number, bit -> boolean, datetime -> 'YYYY-MM-DD HH:MM:SS.SSS'
 *   (the wall-clock value, never a Date, so no time zone can shift it),
 *   varchar/nvarchar/text -> string, and null.
 */
export type Row = unknown[]

/**
 * The bytes a source database sent a batch's rows in, kept with the batch
 * (see withSourceText): PostgreSQL's COPY text of exactly those rows, and
 * the type of each column as the source reported it. A loader into a
 * database that reads the same format may send these bytes on, instead of
 * encoding the rows again, when its columns have the same types.
 */
export interface SourceText {
  format: 'postgres-copy-text'
  chunks: Buffer[]
  /** The source's type of each column (PostgreSQL type OIDs), in row order. */
  typeIds: readonly number[]
}

const SOURCE_TEXT = Symbol('labsync.sourceText')

/**
 * `batch` with `text` attached. Only a step that leaves the values the
 * rows stand for unchanged may pass a batch's text on to the batch it
 * yields: the row checks, which only reject or rewrite values to their
 * canonical form, do; anything that changes a value must not.
 */
export function withSourceText(batch: Row[], text: SourceText | undefined): Row[] {
  if (text) Object.defineProperty(batch, SOURCE_TEXT, { value: text })
  return batch
}

export function sourceTextOf(batch: Row[]): SourceText | undefined {
  return (batch as { [SOURCE_TEXT]?: SourceText })[SOURCE_TEXT]
}

const INT_MIN = -2147483648
const INT_MAX = 2147483647
const DATETIME = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?$/

/** Windows-1252, the code page of SQL Server's Latin1 collations: what a `varchar` column can hold exactly. */
const CP1252_EXTRAS = new Set([...'€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ'].map((char) => char.charCodeAt(0)))

type Check = (value: unknown) => unknown

/** Thrown by a column check; the validator adds the hospital, table, key and column. */
class ValueProblem extends Error {}

/**
 * Checks and normalises whole rows against a table's column specs. The same
 * limits hold on every database: a value too long, out of range, or that
 * the column cannot store exactly is an error naming the hospital, table,
 * key and column, never a silent truncation.
 */
export class RowValidator {
  readonly #checks: Check[]
  readonly #columns: readonly ColumnSpec[]
  readonly #keyIndexes: number[]
  readonly #table: string
  readonly #efector: number | undefined

  constructor(options: { table: string; columns: readonly ColumnSpec[]; key: readonly string[]; efector?: number }) {
    this.#columns = options.columns
    this.#checks = options.columns.map(columnCheck)
    this.#keyIndexes = options.key.map((name) => options.columns.findIndex((column) => column.name === name))
    this.#table = options.table
    this.#efector = options.efector
  }

  /**
   * Writes the row's canonical values into the row itself and returns it,
   * or throws LABSYNC_ROW_INVALID. In place, because a row is checked on
   * its way and not kept: a copy per row is most of an upload's garbage.
   */
  check(row: Row): Row {
    const checks = this.#checks
    if (row.length !== checks.length) {
      throw this.#error(row, undefined, `row has ${row.length} values, table has ${checks.length} columns`)
    }
    for (let index = 0; index < checks.length; index++) {
      try {
        row[index] = checks[index](row[index])
      } catch (error) {
        if (!(error instanceof ValueProblem)) throw error
        throw this.#error(row, this.#columns[index].name, error.message)
      }
    }
    return row
  }

  /** The key of a row, for messages: only the key columns, never other values. */
  keyOf(row: Row): Record<string, unknown> {
    const key: Record<string, unknown> = {}
    for (const index of this.#keyIndexes) key[this.#columns[index].name] = index >= 0 ? row[index] : undefined
    return key
  }

  #error(row: Row, column: string | undefined, problem: string): LabsyncError {
    return new LabsyncError('LABSYNC_ROW_INVALID', `invalid value: ${problem}`, {
      location: { efector: this.#efector, table: this.#table, key: this.keyOf(row), column },
    })
  }
}

function columnCheck(column: ColumnSpec): Check {
  const check = typeCheck(column.type)
  if (column.nullable) return (value) => (value === null || value === undefined ? null : check(value))
  return (value) => {
    if (value === null || value === undefined)
      throw new ValueProblem(`NULL in a NOT NULL ${describeType(column.type)} column`)
    return check(value)
  }
}

function typeCheck(type: ColumnType): Check {
  switch (type.kind) {
    case 'int':
      return checkInt
    case 'bit':
      return checkBit
    case 'datetime':
      return normaliseDatetime
    case 'varchar':
      return (value) => checkCodePage(checkText(value, type.length, 'varchar'))
    case 'nvarchar':
      return (value) => checkText(value, type.length, 'nvarchar')
    case 'text':
      return (value) => checkText(value, undefined, 'nvarchar(max)')
    case 'decimal':
      return (value) => checkDecimal(value, type.precision, type.scale)
  }
}

const DECIMAL = /^([+-]?)(\d*)(?:\.(\d*))?$/

/** A decimal stays a string ('-12.50'), so that no binary float ever rounds it; a number is taken by its shortest decimal form. */
function checkDecimal(value: unknown, precision: number, scale: number): string {
  const textValue = typeof value === 'number' || typeof value === 'bigint' ? String(value) : value
  if (typeof textValue !== 'string') throw new ValueProblem(`expected a decimal, got ${kindOf(value)}`)
  const match = DECIMAL.exec(textValue.trim())
  if (!match || (match[2] === '' && !match[3])) throw new ValueProblem('expected a decimal number')
  const [, sign, whole, fraction = ''] = match
  const digits = whole.replace(/^0+(?=\d)/, '')
  if (fraction.replace(/0+$/, '').length > scale) throw new ValueProblem(`decimal has more than ${scale} decimals`)
  if (digits.replace(/^0+/, '').length > precision - scale)
    throw new ValueProblem(`decimal out of the range of decimal(${precision}, ${scale})`)
  return `${sign === '-' ? '-' : ''}${digits || '0'}${fraction ? `.${fraction}` : ''}`
}

function checkInt(value: unknown): number {
  let number: number
  if (typeof value === 'number') number = value
  else if (typeof value === 'bigint') number = Number(value)
  else if (typeof value === 'string' && /^-?\d+$/.test(value.trim())) number = Number(value.trim())
  else if (typeof value === 'boolean') number = value ? 1 : 0
  else throw new ValueProblem(`expected an integer, got ${kindOf(value)}`)
  if (!Number.isInteger(number)) throw new ValueProblem('expected an integer, got a fraction')
  if (number < INT_MIN || number > INT_MAX) throw new ValueProblem('integer out of the range of int')
  return number
}

function checkBit(value: unknown): boolean {
  if (value === true || value === 1 || value === '1' || value === 1n || value === 't' || value === 'true') return true
  if (value === false || value === 0 || value === '0' || value === 0n || value === 'f' || value === 'false')
    return false
  throw new ValueProblem('expected a bit (0 or 1)')
}

function checkText(value: unknown, length: number | undefined, kind: string): string {
  let textValue: string
  if (typeof value === 'string') textValue = value
  else if (typeof value === 'number' || typeof value === 'bigint') textValue = String(value)
  else throw new ValueProblem(`expected text, got ${kindOf(value)}`)
  // SQL Server counts nvarchar lengths in UTF-16 code units, as String.length does.
  if (length !== undefined && textValue.length > length) {
    throw new ValueProblem(`text of ${textValue.length} characters is longer than ${kind}(${length})`)
  }
  if (textValue.includes('\u0000'))
    throw new ValueProblem('text contains a NUL character, which PostgreSQL cannot store')
  return textValue
}

function checkCodePage(value: string): string {
  for (let index = 0; index < value.length; index++) {
    const code = value.charCodeAt(index)
    if (code < 0x80 || (code >= 0xa0 && code <= 0xff) || CP1252_EXTRAS.has(code)) continue
    const point = value.codePointAt(index)!
    throw new ValueProblem(
      `character U+${point.toString(16).toUpperCase().padStart(4, '0')} cannot be stored exactly in a varchar (Latin1) column`,
    )
  }
  return value
}

/**
 * Accepts 'YYYY-MM-DD[ HH:MM[:SS[.fff]]]' (a 'T' separator too) and returns
 * 'YYYY-MM-DD HH:MM:SS.SSS'. A Date is taken by its UTC fields: the
 * drivers are set up so that those are the stored wall-clock value.
 */
export function normaliseDatetime(value: unknown): string {
  if (typeof value === 'string' && isCanonicalDatetime(value)) return value
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new ValueProblem('invalid date')
    return value.toISOString().slice(0, 23).replace('T', ' ')
  }
  if (typeof value !== 'string') throw new ValueProblem(`expected a datetime, got ${kindOf(value)}`)
  const match = DATETIME.exec(value.trim())
  if (!match) throw new ValueProblem('expected a datetime as YYYY-MM-DD HH:MM:SS.SSS')
  const [, year, month, day, hour = '00', minute = '00', second = '00', fraction = ''] = match
  const millis = (fraction + '000').slice(0, 3)
  if (fraction.length > 3 && /[1-9]/.test(fraction.slice(3))) {
    throw new ValueProblem('datetime has more precision than a millisecond')
  }
  const monthNumber = Number(month)
  const dayNumber = Number(day)
  if (
    monthNumber < 1 ||
    monthNumber > 12 ||
    dayNumber < 1 ||
    dayNumber > daysInMonth(Number(year), monthNumber) ||
    Number(hour) > 23 ||
    Number(minute) > 59 ||
    Number(second) > 59 ||
    Number(year) < 1753
  ) {
    throw new ValueProblem('datetime out of range')
  }
  return `${year}-${month}-${day} ${hour}:${minute}:${second}.${millis}`
}

/**
 * Whether `text` is already 'YYYY-MM-DD HH:MM:SS.SSS' and in range, as
 * nearly every stored value is: checked by char codes, it needs neither the
 * regular expression nor a new string (the general path costs about 2 µs
 * a value, most of the checks of a header row).
 */
function isCanonicalDatetime(text: string): boolean {
  if (text.length !== 23) return false
  for (let index = 0; index < 23; index++) {
    const code = text.charCodeAt(index)
    const separator = CANONICAL_SEPARATORS[index]
    if (separator !== undefined ? code !== separator : code < 0x30 || code > 0x39) return false
  }
  const year = digitsAt(text, 0, 4)
  const month = digitsAt(text, 5, 2)
  const day = digitsAt(text, 8, 2)
  return (
    year >= 1753 &&
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= daysInMonth(year, month) &&
    digitsAt(text, 11, 2) <= 23 &&
    digitsAt(text, 14, 2) <= 59 &&
    digitsAt(text, 17, 2) <= 59
  )
}

/** The separators of 'YYYY-MM-DD HH:MM:SS.SSS' by position; every other position holds a digit. */
const CANONICAL_SEPARATORS: Readonly<Record<number, number>> = {
  4: 0x2d,
  7: 0x2d,
  10: 0x20,
  13: 0x3a,
  16: 0x3a,
  19: 0x2e,
}

function digitsAt(text: string, start: number, count: number): number {
  let number = 0
  for (let index = start; index < start + count; index++) number = number * 10 + text.charCodeAt(index) - 0x30
  return number
}

/** Days of a month in the Gregorian calendar, which is Date.UTC's (and SQL Server's from 1753). */
function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31
}

/** What a value is, for a message that must not show the value itself. */
function kindOf(value: unknown): string {
  if (value instanceof Date) return 'a date'
  if (value instanceof Uint8Array) return 'binary data (a BLOB)'
  if (Array.isArray(value)) return 'an array'
  return typeof value
}
