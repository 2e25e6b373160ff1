import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { DbConnection } from '../../src/db/database.js'
import type { Row } from '../../src/db/row-validator.js'
import { createTestDatabase, type TestDatabase } from '../support/test-databases.js'
import { plain } from '../support/plain-sql.js'

/**
 * A SQLite table read whole a page of JSON at a time (streamTable) gives
 * the rows, with the values, that a plain SELECT through stream() gives.
 */

async function collect(batches: AsyncIterable<Row[]>): Promise<Row[][]> {
  const out: Row[][] = []
  for await (const batch of batches) out.push(batch)
  return out
}

const COLUMNS = ['id', 'txt', 'num', 'flag']

describe('SQLite streamTable', () => {
  let db: TestDatabase
  let connection: DbConnection
  let other: DbConnection

  beforeEach(async () => {
    db = await createTestDatabase('sqlite', 'pages')
    connection = await db.database.connect()
    other = await db.database.connect()
  })
  afterEach(async () => {
    await other.release()
    await connection.release()
    await db.drop()
  })

  const create = (definition = '(id INTEGER NOT NULL, txt TEXT, num, flag INTEGER)') =>
    connection.execute(plain(`CREATE TABLE sample ${definition}`))
  const insert = (rowid: number | bigint | null, values: unknown[], sqlValues?: string) =>
    connection.execute(
      plain(
        `INSERT INTO sample (rowid, ${COLUMNS.join(', ')}) VALUES (?, ${sqlValues ?? '?, ?, ?, ?'})`,
        sqlValues ? [rowid] : [rowid, ...values],
      ),
    )
  const readPlain = async () =>
    (await collect(connection.stream(plain(`SELECT ${COLUMNS.join(', ')} FROM sample`), 1000))).flat()
  const readPages = (pageSize = 3) => collect(connection.streamTable!({ name: 'sample' }, COLUMNS, pageSize)!)

  it('gives the values a plain SELECT gives: text, integers, reals, NULL, and rowids far apart', async () => {
    await create()
    await insert(-(2n ** 63n), [1, 'a\\b\tc\nd\re "q" \'s\' \u0001\u001f ñ € 😀', 0.1 + 0.2, 1])
    await insert(-5, [2, '', 2 ** 53 + 2, 0])
    await insert(null, [3, null, null, null])
    await insert(2n ** 60n, [4, '[1,2]', 1e300, 0])
    await insert(2n ** 60n + 1n, [5, 'x', -0.0, 9007199254740993n])
    await insert(2n ** 63n - 1n, [6, '\\N', 2.5, 2147483648])
    await insert(7, [7, 'infinite'], `7, 'infinite', 9e999, -9e999`)
    await insert(2n ** 63n - 2n, [8, 'bytes'], `8, CAST(x'41ff42' AS TEXT), '', NULL`)

    const pages = await readPages(3)
    // The second page ends at 2^60 + 1, which a double would round to 2^60 and read again.
    expect(pages.map((page) => page.map((row) => row[0]))).toEqual([
      [1, 2, 3],
      [7, 4, 5],
      [8, 6],
    ])
    // A REAL -0.0 comes back as 0 from JSON: no column check or encoding tells them apart.
    const withoutNegativeZero = (await readPlain()).map((row) => row.map((value) => (Object.is(value, -0) ? 0 : value)))
    expect(pages.flat()).toEqual(withoutNegativeZero)
  })

  it('sizes each page by the text of the last one, shorter after long rows and longer again after short ones', async () => {
    await create()
    await connection.execute(
      plain(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1200)
        INSERT INTO sample (id, txt, flag) SELECT i, CASE WHEN i <= 50 THEN printf('%.10000c', 'x') ELSE 'short' END, 0 FROM n`),
    )
    const pages = await readPages(500)
    const sizes = pages.map((page) => page.length)
    // The first page holds half a million characters: the next one takes few rows, the one after a full page.
    expect(sizes[0]).toBe(500)
    expect(sizes[1]).toBeLessThan(50)
    expect(sizes[2]).toBe(500)
    expect(pages.flat().map((row) => row[0])).toEqual(Array.from({ length: 1200 }, (_, index) => index + 1))
  })

  it('reads a table holding a BLOB as plain values, those that look like JSONB too, so that the row checks can name them', async () => {
    await create()
    for (let id = 1; id <= 7; id++) await insert(id, [id, `t${id}`, id, 0])
    // x'00' and x'1331' are valid JSONB (null, 1), and so is the text '7.50' stored as bytes: json_array
    // would take them for JSON instead of refusing them.
    await connection.execute(plain(`UPDATE sample SET num = x'00' WHERE id = 2`))
    await connection.execute(plain(`UPDATE sample SET flag = x'1331' WHERE id = 5`))
    await connection.execute(plain(`UPDATE sample SET txt = CAST('7.50' AS BLOB) WHERE id = 7`))
    const pages = await readPages(3)
    expect(pages.flat()).toEqual(await readPlain())
    expect([pages[0][1][2], pages[1][1][3], pages[2][0][1]].every((value) => Buffer.isBuffer(value))).toBe(true)
  })

  it('looks for BLOBs in a STRICT table too when a column read is declared ANY or BLOB', async () => {
    await create('(id INTEGER NOT NULL, txt TEXT, num ANY, flag INTEGER) STRICT')
    for (let id = 1; id <= 4; id++) await insert(id, [id, `t${id}`, id, 0])
    await connection.execute(plain(`UPDATE sample SET num = x'1331' WHERE id = 3`))
    const pages = await readPages(3)
    expect(pages.flat()).toEqual(await readPlain())
    expect(Buffer.isBuffer(pages[0][2][2])).toBe(true)
  })

  it('pages by another alias of the rowid when a column is called rowid', async () => {
    await create('(rowid INTEGER, id INTEGER, txt TEXT, num, flag INTEGER)')
    for (let id = 1; id <= 7; id++) {
      await connection.execute(plain(`INSERT INTO sample (rowid, id, txt) VALUES (1, ?, 'same rowid column')`, [id]))
    }
    expect((await readPages(2)).flat()).toEqual(await readPlain())
  })

  it('leaves to stream() what pages would not read as a plain SELECT does', async () => {
    const pagesOf = (name: string, columns = COLUMNS) => connection.streamTable!({ name }, columns, 3)
    await create('(id INTEGER PRIMARY KEY, txt TEXT, num, flag INTEGER) WITHOUT ROWID')
    expect(pagesOf('sample')).toBeUndefined()
    await connection.execute(plain(`CREATE VIEW sample_view AS SELECT 1 AS id, 'a' AS txt, 2 AS num, 0 AS flag`))
    expect(pagesOf('sample_view')).toBeUndefined()
    // A generated column's JSON result would be embedded by json_array as JSON, not as its text.
    await connection.execute(
      plain(
        `CREATE TABLE generated (id INTEGER, txt TEXT GENERATED ALWAYS AS (json_object('k', id)), num, flag INTEGER)`,
      ),
    )
    expect(pagesOf('generated')).toBeUndefined()
    expect(pagesOf('generated', ['id', 'num'])).toBeDefined()
    // A temporary table of the same name comes first for an unqualified name: SQLite decides which.
    await connection.execute(plain(`CREATE TABLE plain (id INTEGER, txt TEXT, num, flag INTEGER)`))
    expect(pagesOf('plain')).toBeDefined()
    await connection.execute(plain(`CREATE TEMP TABLE plain (id INTEGER, txt TEXT, num, flag INTEGER)`))
    expect(pagesOf('plain')).toBeUndefined()
    expect(connection.streamTable!({ schema: 'main', name: 'plain' }, COLUMNS, 3)).toBeDefined()
    // More columns than json_array takes.
    const wide = Array.from({ length: 1100 }, (_, index) => `c${index}`)
    await connection.execute(plain(`CREATE TABLE wide (${wide.join(', ')})`))
    expect(pagesOf('wide', wide)).toBeUndefined()
  })

  it('leaves a database in UTF-16 to stream(), where the JSON text would change some characters', async () => {
    const utf16 = await createTestDatabase('sqlite', 'utf16')
    const handle = await utf16.database.connect()
    try {
      await handle.execute(plain(`PRAGMA encoding = 'UTF-16le'`))
      await handle.execute(plain(`CREATE TABLE sample (id INTEGER, txt TEXT, num, flag INTEGER)`))
      expect((await handle.execute(plain('PRAGMA encoding'))).rows).toEqual([{ encoding: 'UTF-16le' }])
      expect(handle.streamTable!({ name: 'sample' }, COLUMNS, 3)).toBeUndefined()
    } finally {
      await handle.release()
      await utf16.drop()
    }
  })

  it('reads every row with a page size below one', async () => {
    await create()
    for (let id = 1; id <= 3; id++) await insert(id, [id, 'row', null, 0])
    expect((await readPages(0)).map((page) => page.length)).toEqual([1, 1, 1])
  })

  it('reads one snapshot: rows written by another connection after the first page are not seen', async () => {
    await create()
    for (let id = 1; id <= 6; id++) await insert(id, [id, 'before', null, 0])
    const seen: Row[] = []
    for await (const page of connection.streamTable!({ name: 'sample' }, COLUMNS, 2)!) {
      if (seen.length === 0) {
        await other.execute(plain(`INSERT INTO sample (id, txt) VALUES (100, 'after')`))
        await other.execute(plain(`DELETE FROM sample WHERE id = 5`))
      }
      seen.push(...page)
    }
    expect(seen.map((row) => row[0])).toEqual([1, 2, 3, 4, 5, 6])
    expect((await readPlain()).map((row) => row[0])).toEqual([1, 2, 3, 4, 6, 100])
  })

  it('ends its read transaction when the reader stops early, so that the connection can write again', async () => {
    await create()
    for (let id = 1; id <= 6; id++) await insert(id, [id, 'row', null, 0])
    for await (const page of connection.streamTable!({ name: 'sample' }, COLUMNS, 2)!) {
      expect(page).toHaveLength(2)
      break
    }
    await connection.execute(plain('BEGIN IMMEDIATE'))
    await connection.execute(plain(`DELETE FROM sample WHERE id > 3`))
    await connection.execute(plain('COMMIT'))
    expect((await readPlain()).map((row) => row[0])).toEqual([1, 2, 3])
  })
})
