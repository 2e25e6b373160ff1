import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { bit, datetime, decimal, int, nvarchar, text } from '../../src/db/column-spec.js'
import type { DbConnection } from '../../src/db/database.js'
import type { Row } from '../../src/db/row-validator.js'
import { createTestDatabase, type TestDatabase } from '../support/test-databases.js'
import { plain } from '../support/plain-sql.js'

/**
 * COPY's text encoding, written byte by byte (postgres-copy-text.ts), checked
 * by what a real PostgreSQL table holds afterwards.
 */

const COLUMNS = [
  int('id'),
  nvarchar('label', 4000, true),
  text('body'),
  bit('flag', true),
  datetime('at', true),
  decimal('amount', 10, 2),
]

/** Every character class the encoder treats apart, and the four that COPY escapes. */
const PIECES = [
  'a',
  'Z',
  ' ',
  '\\',
  '\t',
  '\n',
  '\r',
  '\\N',
  'ñ',
  'µ',
  '\u0080',
  '\u07ff',
  '\u0800',
  '€',
  '\uffff',
  '😀',
]

function randomText(seed: number): string {
  let state = seed
  const next = () => (state = (state * 1103515245 + 12345) % 2147483648)
  let out = ''
  for (let count = next() % 12; count > 0; count--) out += PIECES[next() % PIECES.length]
  return out
}

describe('PostgreSQL bulk load in COPY text format', () => {
  let db: TestDatabase
  let connection: DbConnection

  beforeEach(async () => {
    db = await createTestDatabase('postgres', 'copytext')
    connection = await db.database.connect()
    await connection.execute(
      plain(`CREATE TABLE sample (id integer PRIMARY KEY, label varchar(4000), body text,
        flag boolean, at timestamp(3), amount numeric(10,2))`),
    )
  })
  afterEach(async () => {
    await connection.release()
    await db.drop()
  })

  async function load(rows: Row[], batchSize = 7): Promise<Record<string, unknown>[]> {
    async function* batches() {
      for (let start = 0; start < rows.length; start += batchSize) yield rows.slice(start, start + batchSize)
    }
    expect(await connection.bulkInsert({ name: 'sample' }, COLUMNS, batches())).toBe(rows.length)
    const read = await connection.execute(
      plain(`SELECT id, label, body, flag, to_char(at, 'YYYY-MM-DD HH24:MI:SS.MS') AS at, amount::text AS amount
        FROM sample ORDER BY id`),
    )
    return read.rows
  }

  it('stores escapes, NULL against empty text, booleans, datetimes and decimals exactly', async () => {
    const stored = await load([
      [1, 'a\\b\tc\nd\re', '\\N', true, '2026-11-20 08:15:30.123', '-12.50'],
      [2, '', null, false, null, '0'],
      [3, null, '', null, '1753-01-01 00:00:00.000', '99999999.99'],
      [4, 'ñandú µg/dL € "quoted" \'single\'', 'x😀y\u0800\u07ff\u0080', true, '9999-12-31 23:59:59.999', '0.01'],
    ])
    expect(stored).toEqual([
      { id: 1, label: 'a\\b\tc\nd\re', body: '\\N', flag: true, at: '2026-11-20 08:15:30.123', amount: '-12.50' },
      { id: 2, label: '', body: null, flag: false, at: null, amount: '0.00' },
      { id: 3, label: null, body: '', flag: null, at: '1753-01-01 00:00:00.000', amount: '99999999.99' },
      {
        id: 4,
        label: 'ñandú µg/dL € "quoted" \'single\'',
        body: 'x😀y\u0800\u07ff\u0080',
        flag: true,
        at: '9999-12-31 23:59:59.999',
        amount: '0.01',
      },
    ])
  })

  it('stores any mix of escaped, one-, two-, three- and four-byte characters as it was, in buffers that grow', async () => {
    // Long values make a batch outgrow its first buffer (80 KiB) more than once.
    const rows: Row[] = Array.from({ length: 400 }, (_, index) => [
      index,
      randomText(index + 1),
      index % 50 === 0 ? randomText(index).repeat(3000) : randomText(index * 7 + 3),
      null,
      null,
      '1',
    ])
    const stored = await load(rows, 100)
    expect(stored.map((row) => [row.id, row.label, row.body])).toEqual(rows.map((row) => row.slice(0, 3)))
  })

  it('writes a lone surrogate as U+FFFD, as Buffer.from() does', async () => {
    const stored = await load([[1, 'a\ud800b', 'c\udc00', null, null, '1']])
    expect(stored[0]).toMatchObject({ label: 'a\ufffdb', body: 'c\ufffd' })
  })
})
