import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { int } from '../../src/db/column-spec.js'
import type { DbConnection } from '../../src/db/database.js'
import { createTestDatabase, type TestDatabase } from '../support/test-databases.js'
import { plain } from '../support/plain-sql.js'

/** COPY's encoding of integers, which does not go through String(), read back from a real table. */
describe('PostgreSQL bulk load of integers', () => {
  let db: TestDatabase
  let connection: DbConnection

  beforeEach(async () => {
    db = await createTestDatabase('postgres', 'integers')
    connection = await db.database.connect()
  })
  afterEach(async () => {
    await connection.release()
    await db.drop()
  })

  it('stores every integer exactly, at the table boundaries and around them', async () => {
    const values = [0, -0, 1, 9, 10, 9999, 10000, 10001, 99990000, 100000000, 20000001, 2147483647]
    const all = [...values, ...values.filter((value) => value !== 0).map((value) => -value), -2147483648]
    await connection.execute(plain('CREATE TABLE numbers (position integer PRIMARY KEY, value integer NOT NULL)'))
    async function* rows() {
      yield all.map((value, position) => [position, value])
    }
    const written = await connection.bulkInsert({ name: 'numbers' }, [int('position'), int('value')], rows())
    expect(written).toBe(all.length)
    const read = await connection.execute(plain('SELECT value FROM numbers ORDER BY position'))
    expect(read.rows.map((row) => row.value)).toEqual(all.map((value) => (Object.is(value, -0) ? 0 : value)))
  })

  it('writes every digit of the largest safe integers, where adding a character code would round', async () => {
    await connection.execute(plain('CREATE TABLE wide (position integer PRIMARY KEY, value bigint NOT NULL)'))
    const near = Array.from({ length: 60 }, (_, index) => Number.MAX_SAFE_INTEGER - index)
    const all = [...near, ...near.map((value) => -value)]
    async function* rows() {
      yield all.map((value, position) => [position, value])
    }
    await connection.bulkInsert({ name: 'wide' }, [int('position'), int('value')], rows())
    const read = await connection.execute(plain('SELECT value::text AS value FROM wide ORDER BY position'))
    expect(read.rows.map((row) => row.value)).toEqual(all.map(String))
  })
})
