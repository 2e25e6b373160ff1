import type { Row } from '../../row-validator.js'

/**
 * Rows in COPY's text format (PostgreSQL docs, "COPY", File Formats, Text
 * Format), written straight into UTF-8 bytes: fields separated by tabs,
 * rows ended by a newline, NULL as `\N`, and a backslash, tab, newline or
 * carriage return inside a value escaped with a backslash.
 *
 * One pass per value writes its bytes, escapes included. Building a string
 * per batch and letting Buffer.from() encode it cost three passes and a
 * string object per field, about half of an upload's encoding time
 * (docs/BENCHMARKS.md); integers are written as digits, so none of them
 * goes through String() and V8's number-to-text cache either.
 *
 * The bytes come out in chunks of whole rows of about CHUNK_BYTES, however
 * large the batches: each chunk is one write to the server, and small
 * writes cost a system call each.
 */
export class CopyTextEncoder {
  #out = new ByteWriter(CHUNK_BYTES + ROW_ROOM)

  /** Encodes the rows; returns the chunks they completed (none while the current one has room). */
  encode(batch: readonly Row[]): Buffer[] {
    const chunks: Buffer[] = []
    for (let rowIndex = 0; rowIndex < batch.length; rowIndex++) {
      const row = batch[rowIndex]
      const out = this.#out
      for (let index = 0; index < row.length; index++) {
        if (index > 0) out.byte(TAB)
        out.value(row[index])
      }
      out.byte(NEWLINE)
      if (out.length >= CHUNK_BYTES) {
        chunks.push(out.bytes())
        this.#out = new ByteWriter(CHUNK_BYTES + ROW_ROOM)
      }
    }
    return chunks
  }

  /** The rows encoded since the last chunk, or undefined when there are none. */
  finish(): Buffer | undefined {
    return this.#out.length > 0 ? this.#out.bytes() : undefined
  }
}

const CHUNK_BYTES = 64 * 1024
/** Room past a chunk's size for the row that completes it; a longer row makes the buffer grow. */
const ROW_ROOM = 16 * 1024
const TAB = 0x09
const NEWLINE = 0x0a
const CARRIAGE_RETURN = 0x0d
const BACKSLASH = 0x5c

class ByteWriter {
  #buffer: Buffer
  #length = 0

  constructor(capacity: number) {
    this.#buffer = Buffer.allocUnsafe(capacity)
  }

  get length(): number {
    return this.#length
  }

  bytes(): Buffer {
    return this.#buffer.subarray(0, this.#length)
  }

  byte(value: number): void {
    this.#reserve(1)
    this.#buffer[this.#length++] = value
  }

  value(value: unknown): void {
    if (value === null || value === undefined) {
      this.byte(BACKSLASH)
      this.byte(0x4e) // N
    } else if (value === true)
      this.byte(0x74) // t
    else if (value === false)
      this.byte(0x66) // f
    else if (typeof value === 'number' && Number.isSafeInteger(value)) this.#integer(value)
    else this.#text(typeof value === 'string' ? value : String(value))
  }

  #integer(value: number): void {
    this.#reserve(17)
    const buffer = this.#buffer
    if (value < 0) {
      buffer[this.#length++] = 0x2d // -
      value = -value
    }
    let digits = 1
    for (let power = 10; power <= value; power *= 10) digits++
    let position = this.#length + digits
    this.#length = position
    do {
      const rest = Math.floor(value / 10)
      // The digit first: 0x30 + value could round past 2^53.
      buffer[--position] = 0x30 + (value - rest * 10)
      value = rest
    } while (value > 0)
  }

  /** UTF-8, escaped. A lone surrogate becomes U+FFFD, as Buffer.from() writes it. */
  #text(text: string): void {
    const count = text.length
    // At most three bytes per UTF-16 unit: a surrogate pair is four bytes for two units.
    this.#reserve(3 * count)
    const buffer = this.#buffer
    let position = this.#length
    for (let index = 0; index < count; index++) {
      let code = text.charCodeAt(index)
      if (code < 0x80) {
        if (code === BACKSLASH) {
          buffer[position++] = BACKSLASH
          buffer[position++] = BACKSLASH
        } else if (code === TAB || code === NEWLINE || code === CARRIAGE_RETURN) {
          buffer[position++] = BACKSLASH
          buffer[position++] = code === TAB ? 0x74 : code === NEWLINE ? 0x6e : 0x72 // t, n, r
        } else {
          buffer[position++] = code
        }
      } else if (code < 0x800) {
        buffer[position++] = 0xc0 | (code >> 6)
        buffer[position++] = 0x80 | (code & 0x3f)
      } else if (code >= 0xd800 && code < 0xdc00 && (text.charCodeAt(index + 1) & 0xfc00) === 0xdc00) {
        code = 0x10000 + ((code - 0xd800) << 10) + (text.charCodeAt(++index) - 0xdc00)
        buffer[position++] = 0xf0 | (code >> 18)
        buffer[position++] = 0x80 | ((code >> 12) & 0x3f)
        buffer[position++] = 0x80 | ((code >> 6) & 0x3f)
        buffer[position++] = 0x80 | (code & 0x3f)
      } else {
        if (code >= 0xd800 && code < 0xe000) code = 0xfffd
        buffer[position++] = 0xe0 | (code >> 12)
        buffer[position++] = 0x80 | ((code >> 6) & 0x3f)
        buffer[position++] = 0x80 | (code & 0x3f)
      }
    }
    this.#length = position
  }

  #reserve(bytes: number): void {
    if (this.#length + bytes <= this.#buffer.length) return
    const larger = Buffer.allocUnsafe(Math.max(2 * this.#buffer.length, this.#length + bytes))
    this.#buffer.copy(larger, 0, 0, this.#length)
    this.#buffer = larger
  }
}
