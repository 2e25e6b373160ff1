import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import pg from 'pg'
import type { Database } from '../../src/db/database.js'
import { openDatabase } from '../../src/db/open-database.js'

/**
 * Fresh, empty databases for tests: a new PostgreSQL database on the local
 * server (LABSYNC_TEST_PG_URL, default the machine's trust-auth server on
 * 127.0.0.1), or a new SQLite file in a temporary folder. Each test gets its
 * own; they are dropped at the end unless LABSYNC_KEEP_TEST_DBS is set.
 */
export const DIALECTS = ['sqlite', 'postgres'] as const
export type TestDialect = (typeof DIALECTS)[number]

const ADMIN_URL = process.env.LABSYNC_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'

export interface TestDatabase {
  url: string
  database: Database
  drop(): Promise<void>
}

let counter = 0

export async function createTestDatabase(dialect: TestDialect, label = 'db'): Promise<TestDatabase> {
  counter += 1
  const unique = `${process.pid}_${Date.now().toString(36)}_${counter}`
  if (dialect === 'sqlite') {
    const dir = mkdtempSync(path.join(tmpdir(), 'labsync-test-'))
    const url = `sqlite:${path.join(dir, `${label}.db`)}`
    const database = openDatabase(url)
    return {
      url,
      database,
      async drop() {
        await database.close()
        if (!process.env.LABSYNC_KEEP_TEST_DBS) rmSync(dir, { recursive: true, force: true })
      },
    }
  }
  const name = `labsync_t_${label}_${unique}`.toLowerCase().slice(0, 63)
  const admin = new pg.Client({ connectionString: ADMIN_URL })
  await admin.connect()
  await admin.query(`CREATE DATABASE ${name}`)
  await admin.end()
  const url = new URL(ADMIN_URL)
  url.pathname = `/${name}`
  const database = openDatabase(url.toString())
  return {
    url: url.toString(),
    database,
    async drop() {
      await database.close()
      if (process.env.LABSYNC_KEEP_TEST_DBS) return
      const cleanup = new pg.Client({ connectionString: ADMIN_URL })
      await cleanup.connect()
      await cleanup.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
      await cleanup.end()
    },
  }
}
