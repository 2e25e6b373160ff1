import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { DbConnection, CompiledSql } from '../../src/db/database.js'
import { sourceTextOf, type Row } from '../../src/db/row-validator.js'
import {
  copyInteger,
  CopyTextDecoder,
  fieldParsers,
  unescapeField,
} from '../../src/db/dialects/postgres/postgres-copy-out.js'
import { createTestDatabase, type TestDatabase } from '../support/test-databases.js'
import { plain } from '../support/plain-sql.js'

async function collect(connection: DbConnection, query: CompiledSql, batchSize = 500): Promise<Row[][]> {
  const batches: Row[][] = []
  for await (const batch of connection.stream(query, batchSize)) batches.push(batch)
  return batches
}

const EVERY_ESCAPE = 'a\\b\tc\nd\re\bf\fg\vh'

describe('PostgreSQL stream() through COPY TO STDOUT', () => {
  let db: TestDatabase
  let connection: DbConnection

  beforeEach(async () => {
    db = await createTestDatabase('postgres', 'stream')
    connection = await db.database.connect()
    await connection.execute(
      plain(
        `CREATE TABLE sample (id int PRIMARY KEY, txt varchar(50), flag boolean, at timestamp, big bigint, amount numeric(10,2))`,
      ),
    )
    await connection.execute({
      sql: `INSERT INTO sample VALUES
        (1, $1, true, '2026-11-20 08:15:30', 9007199254740991, 12.50),
        (2, '', false, '2026-11-20 08:15:30.1', -1, NULL),
        (3, NULL, NULL, '2026-11-20 08:15:30.12', 0, -0.01),
        (4, '\\N', true, '2026-11-20 08:15:30.123', NULL, 0),
        (5, $2, false, NULL, 5, 1),
        (-6, 'ñandú µg/dL "quoted" ''single''', true, '1753-01-01 00:00:00.999', 2, 3)`,
      parameters: [EVERY_ESCAPE, '\\N\\\\t\\'],
    } as unknown as CompiledSql)
  })

  afterEach(async () => {
    await connection.release()
    await db.drop()
  })

  it('decodes every escape, NULL against empty text, booleans, integers and timestamps as the cursor does', async () => {
    const select = 'SELECT id, txt, flag, at, big, amount FROM sample ORDER BY id'
    const copied = (await collect(connection, plain(select))).flat()
    expect(copied).toEqual([
      [-6, 'ñandú µg/dL "quoted" \'single\'', true, '1753-01-01 00:00:00.999', 2, '3.00'],
      [1, EVERY_ESCAPE, true, '2026-11-20 08:15:30', 9007199254740991, '12.50'],
      [2, '', false, '2026-11-20 08:15:30.1', -1, null],
      [3, null, null, '2026-11-20 08:15:30.12', 0, '-0.01'],
      [4, '\\N', true, '2026-11-20 08:15:30.123', null, '0.00'],
      [5, '\\N\\\\t\\', false, null, 5, '1.00'],
    ])
    // A parameter sends the same query through the cursor: the values must be identical.
    const cursor = (
      await collect(connection, {
        sql: 'SELECT id, txt, flag, at, big, amount FROM sample WHERE id > $1 ORDER BY id',
        parameters: [-100],
      } as unknown as CompiledSql)
    ).flat()
    expect(copied).toEqual(cursor)
  })

  it('yields batches of at least the requested size, each with the bytes of its rows, and leaves the connection usable after an early stop', async () => {
    const series = plain('SELECT x, repeat(chr(9), x % 3) FROM generate_series(1, 1200) x')
    const batches = await collect(connection, series, 500)
    expect(batches.slice(0, -1).every((batch) => batch.length >= 500)).toBe(true)
    expect(batches.flat().map((row) => row[0])).toEqual(Array.from({ length: 1200 }, (_, index) => index + 1))
    for (const batch of batches) {
      const text = sourceTextOf(batch)!
      expect(text.typeIds).toEqual([23, 25])
      const decoder = new CopyTextDecoder([(value) => Number(value), undefined])
      expect(decoder.push(Buffer.concat(text.chunks))).toEqual(batch)
    }
    for await (const batch of connection.stream(series, 100)) {
      expect(batch[0]).toEqual([1, '\t'])
      break
    }
    const after = await connection.execute(plain('SELECT count(*) AS n FROM sample'))
    expect(after.rows).toEqual([{ n: 6 }])
  })

  it('reads a row longer than many network chunks, split inside its UTF-8 characters, as the cursor does', async () => {
    const long = (parameter: string) =>
      `SELECT 1 AS id, repeat('ñ€😀', 400000) || x AS txt FROM (SELECT ${parameter} AS x) s`
    const copied = (await collect(connection, plain(long("'end'")))).flat()
    const cursor = (
      await collect(connection, { sql: long('$1::text'), parameters: ['end'] } as unknown as CompiledSql)
    ).flat()
    expect(copied).toEqual(cursor)
    expect((copied[0][1] as string).length).toBe(400000 * 4 + 3)
  })

  it('ends at once when the consumer stops after the server has sent everything', async () => {
    // One batch of all the rows, held while the COPY ends: stopping then must not wait for an end already past.
    for await (const batch of connection.stream(plain('SELECT x FROM generate_series(1, 10) x'), 10)) {
      expect(batch).toHaveLength(10)
      await new Promise((resolve) => setTimeout(resolve, 200))
      break
    }
    const after = await connection.execute(plain('SELECT 1 AS one'))
    expect(after.rows).toEqual([{ one: 1 }])
  }, 10_000)

  it('rejects the stream when the source fails part way', async () => {
    const failing = plain('SELECT 100 / (x - 3000) FROM generate_series(1, 5000) x')
    await expect(collect(connection, failing, 100)).rejects.toThrow(/division by zero/)
    const after = await connection.execute(plain('SELECT 1 AS one'))
    expect(after.rows).toEqual([{ one: 1 }])
  })
})

describe('COPY text decoder', () => {
  it('undoes octal and hex escapes as bytes, UTF-8 characters included', () => {
    expect(unescapeField('\\101\\x42\\7')).toBe('AB\u0007')
    expect(unescapeField('\\303\\261and\\xc3\\xba')).toBe('ñandú')
    expect(unescapeField('x\\qy\\\\')).toBe('xqy\\')
  })

  it('gives the same rows whatever the chunk boundaries, even inside a UTF-8 character', () => {
    const text = Buffer.from('1\tñandú\\tµ\n\\N\t\n2\tx\\\\y\n')
    const parsers = [(value: string) => Number(value), undefined]
    const whole = new CopyTextDecoder(parsers).push(text)
    const byteByByte = new CopyTextDecoder(parsers)
    const rows: Row[] = []
    for (let index = 0; index < text.length; index++) rows.push(...byteByByte.push(text.subarray(index, index + 1)))
    byteByByte.end()
    expect(whole).toEqual([
      [1, 'ñandú\tµ'],
      [null, ''],
      [2, 'x\\y'],
    ])
    expect(rows).toEqual(whole)
  })
})

describe('COPY text decoder, integer columns', () => {
  it('reads smallint and integer fields in place as pg parses them, and anything else through the parser', () => {
    const parsers = fieldParsers([23, 21, 25, 20], () => (value: string) => `parsed ${value}`)
    const decoder = new CopyTextDecoder(parsers)
    const rows = decoder.push(
      Buffer.from(
        [
          '2147483647\t-32768\t12\t9007199254740993',
          '-2147483648\t0\t\\N\t1',
          '-0\t\\N\tx\t\\N',
          '12345678901\t 7\t\t-',
        ].join('\n') + '\n',
      ),
    )
    expect(rows).toEqual([
      [2147483647, -32768, '12', 'parsed 9007199254740993'],
      [-2147483648, 0, null, 'parsed 1'],
      [-0, null, 'x', null],
      // Not plain digits (too long, a space): parseInt, as pg's own parser.
      [12345678901, 7, '', 'parsed -'],
    ])
    expect(copyInteger('12345678901')).toBe(12345678901)
  })

  it('names a row with too few or too many fields', () => {
    const decoder = new CopyTextDecoder(fieldParsers([23, 25], () => Number))
    expect(() => decoder.push(Buffer.from('1\n'))).toThrow('COPY output row has 1 fields, the query has 2 columns')
    expect(() => decoder.push(Buffer.from('1\ta\tb\n'))).toThrow(
      'COPY output row has 3 fields, the query has 2 columns',
    )
  })
})
