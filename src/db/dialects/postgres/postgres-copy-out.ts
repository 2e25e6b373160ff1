import type { Readable } from 'node:stream'
import type { PoolClient } from 'pg'
import { to as copyTo } from 'pg-copy-streams'
import { withSourceText, type Row } from '../../row-validator.js'

/** Turns one field's text (as the server's output function wrote it) into the value `pg` would have returned. */
export type FieldParser = (text: string) => unknown

const TEXT_LIKE_OIDS = new Set([25, 1043, 1042, 19])
/** smallint and integer: `pg` parses them with parseInt, as copyInteger does. */
const INTEGER_OIDS = new Set([21, 23])

/**
 * The parser of each result column: the same type parsers the cursor path
 * uses, since COPY's text format is each type's text output, escaped.
 * Text columns skip the call; integers are read by the decoder itself.
 */
export function fieldParsers(
  typeIds: readonly number[],
  getTypeParser: (oid: number, format: 'text') => (value: string) => unknown,
): (FieldParser | undefined)[] {
  return typeIds.map((oid) =>
    TEXT_LIKE_OIDS.has(oid) ? undefined : INTEGER_OIDS.has(oid) ? copyInteger : getTypeParser(oid, 'text'),
  )
}

/**
 * A smallint or integer field. The decoder reads these digits in place,
 * without cutting the field out of its line: this function is the marker
 * it looks for, and the fallback for a field that is not plain digits.
 */
export function copyInteger(text: string): number {
  return parseInt(text, 10)
}

/**
 * Streams a query's rows through `COPY (query) TO STDOUT` (text format),
 * decoded into arrays by `parsers`, in batches of at least `batchSize` rows
 * (the last may be smaller) made of whole network chunks, so that each
 * batch also carries the bytes of its rows (SourceText, with `typeIds`).
 * The COPY stream is read only as fast as batches are consumed, so memory
 * stays flat. A consumer that stops early still gets a usable connection:
 * the rest of the output is read and discarded (COPY OUT cannot be stopped
 * otherwise).
 */
export async function* copyRowsOut(
  client: PoolClient,
  sql: string,
  columns: { parsers: readonly (FieldParser | undefined)[]; typeIds: readonly number[] },
  batchSize: number,
): AsyncIterable<Row[]> {
  const stream = client.query(copyTo(`COPY (${sql}\n) TO STDOUT`))
  let ended = false
  let streamFailed = false
  stream.once('error', () => {
    streamFailed = true
  })
  const decoder = new CopyTextDecoder(columns.parsers)
  const { typeIds } = columns
  try {
    let batch: Row[] = []
    let chunks: Buffer[] = []
    for await (const chunk of stream.iterator({ destroyOnReturn: false })) {
      const { rows, text } = decoder.pushWithText(chunk as Buffer)
      if (!text) continue
      for (let index = 0; index < rows.length; index++) batch.push(rows[index])
      chunks.push(text)
      if (batch.length >= batchSize) {
        yield withSourceText(batch, { format: 'postgres-copy-text', chunks, typeIds })
        batch = []
        chunks = []
      }
    }
    ended = true
    decoder.end()
    if (batch.length > 0) yield withSourceText(batch, { format: 'postgres-copy-text', chunks, typeIds })
  } finally {
    if (!ended && !streamFailed) await drain(stream)
  }
}

function drain(stream: Readable): Promise<void> {
  // The output may have ended while the consumer held the last batch: 'end' would not come again.
  if (stream.readableEnded || stream.destroyed) return Promise.resolve()
  return new Promise((resolve) => {
    stream.on('end', resolve)
    stream.on('error', () => resolve())
    stream.resume()
  })
}

/**
 * Decodes COPY text format (PostgreSQL docs, "COPY", File Formats, Text
 * Format): rows end in a newline, fields are separated by tabs, `\N` is
 * NULL, and backslash escapes stand for special characters. Chunks may end
 * anywhere, in the middle of a row or of a UTF-8 character.
 */
export class CopyTextDecoder {
  readonly #parsers: readonly (FieldParser | undefined)[]
  /** The chunks of a row not ended yet, joined once its newline arrives (joining at every chunk took time squared in a long row). */
  #carry: Buffer[] = []

  constructor(parsers: readonly (FieldParser | undefined)[]) {
    this.#parsers = parsers
  }

  /** The complete rows in the input so far. */
  push(chunk: Buffer): Row[] {
    return this.pushWithText(chunk).rows
  }

  /** The complete rows in the input so far, and the bytes of exactly those rows. */
  pushWithText(chunk: Buffer): { rows: Row[]; text?: Buffer } {
    const lastInChunk = chunk.lastIndexOf(10)
    if (lastInChunk < 0) {
      this.#carry.push(chunk)
      return { rows: [] }
    }
    const buffer = this.#carry.length > 0 ? Buffer.concat([...this.#carry, chunk]) : chunk
    const last = buffer.length - chunk.length + lastInChunk
    this.#carry = last + 1 < buffer.length ? [buffer.subarray(last + 1)] : []
    const lines = buffer.toString('utf8', 0, last).split('\n')
    const rows = new Array<Row>(lines.length)
    for (let index = 0; index < lines.length; index++) rows[index] = this.#row(lines[index])
    return { rows, text: buffer.subarray(0, last + 1) }
  }

  /** Throws if the input stopped in the middle of a row. */
  end(): void {
    if (this.#carry.some((chunk) => chunk.length > 0)) throw new Error('COPY output ended in the middle of a row')
  }

  /** One line's fields, found with indexOf and cut out only when they are text. */
  #row(line: string): Row {
    const parsers = this.#parsers
    const count = parsers.length
    const row = new Array(count)
    let start = 0
    for (let index = 0; index < count; index++) {
      const last = index === count - 1
      const tab = line.indexOf('\t', start)
      const noTabLeft = tab < 0
      // Every field but the last ends at a tab; the last at the end of the line.
      if (noTabLeft !== last) this.#fieldCountError(line)
      const end = last ? line.length : tab
      row[index] = field(line, start, end, parsers[index])
      start = end + 1
    }
    return row
  }

  #fieldCountError(line: string): never {
    const fields = line.split('\t').length
    throw new Error(`COPY output row has ${fields} fields, the query has ${this.#parsers.length} columns`)
  }
}

function field(line: string, start: number, end: number, parser: FieldParser | undefined): unknown {
  if (end - start === 2 && line.charCodeAt(start) === BACKSLASH && line.charCodeAt(start + 1) === 0x4e) return null // \N
  if (parser === copyInteger) {
    const value = digitsBetween(line, start, end)
    if (value !== undefined) return value
  }
  const raw = line.slice(start, end)
  const text = raw.indexOf('\\') < 0 ? raw : unescapeField(raw)
  return parser ? parser(text) : text
}

const BACKSLASH = 0x5c

/** The integer spelled by an optional '-' and up to 10 digits, or undefined for anything else. */
function digitsBetween(line: string, start: number, end: number): number | undefined {
  let position = start
  const negative = line.charCodeAt(position) === 0x2d
  if (negative) position++
  if (position === end || end - position > 10) return undefined
  let value = 0
  for (; position < end; position++) {
    const digit = line.charCodeAt(position) - 0x30
    if (digit < 0 || digit > 9) return undefined
    value = value * 10 + digit
  }
  return negative ? -value : value
}

const SIMPLE_ESCAPES: Record<string, string> = { b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' }

/** Undoes COPY's backslash escapes in one field (which is not `\N`). */
export function unescapeField(field: string): string {
  let out = ''
  let start = 0
  for (let index = field.indexOf('\\'); index >= 0; index = field.indexOf('\\', start)) {
    out += field.slice(start, index)
    const next = field[index + 1]
    if (next === undefined) {
      // A trailing lone backslash: nothing follows to escape, keep it.
      out += '\\'
      start = index + 1
      break
    }
    if ((next >= '0' && next <= '7') || next === 'x') return unescapeBytes(field)
    out += SIMPLE_ESCAPES[next] ?? next
    start = index + 2
  }
  return out + field.slice(start)
}

/**
 * The slow path for octal (`\123`) and hex (`\x5c`) escapes: those stand
 * for bytes, which may be parts of one UTF-8 character, so the field is
 * unescaped as bytes and decoded afterwards.
 */
function unescapeBytes(field: string): string {
  const input = Buffer.from(field, 'utf8')
  const out = Buffer.alloc(input.length)
  let length = 0
  const isOctal = (byte: number | undefined) => byte !== undefined && byte >= 0x30 && byte <= 0x37
  const hexValue = (byte: number | undefined) => {
    if (byte === undefined) return -1
    if (byte >= 0x30 && byte <= 0x39) return byte - 0x30
    if (byte >= 0x61 && byte <= 0x66) return byte - 0x61 + 10
    if (byte >= 0x41 && byte <= 0x46) return byte - 0x41 + 10
    return -1
  }
  for (let index = 0; index < input.length; index++) {
    const byte = input[index]
    if (byte !== 0x5c || index + 1 >= input.length) {
      out[length++] = byte
      continue
    }
    const next = input[index + 1]
    if (isOctal(next)) {
      let value = 0
      let digits = 0
      while (digits < 3 && isOctal(input[index + 1 + digits])) value = value * 8 + (input[index + 1 + digits++] - 0x30)
      out[length++] = value & 0xff
      index += digits
    } else if (next === 0x78 && hexValue(input[index + 2]) >= 0) {
      let value = hexValue(input[index + 2])
      let digits = 1
      if (hexValue(input[index + 3]) >= 0) {
        value = value * 16 + hexValue(input[index + 3])
        digits = 2
      }
      out[length++] = value
      index += 1 + digits
    } else {
      const simple = SIMPLE_ESCAPES[String.fromCharCode(next)]
      out[length++] = simple ? simple.charCodeAt(0) : next
      index += 1
    }
  }
  return out.toString('utf8', 0, length)
}
