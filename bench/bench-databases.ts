import pg from 'pg'
import type { Database } from '../src/db/database.js'
import { openDatabase } from '../src/db/open-database.js'

/**
 * PostgreSQL databases of one benchmark run (`labsync_bench_<pid>_<label>`)
 * on the local server, dropped at the end (also when the run fails).
 */
export const ADMIN_URL =
  process.env.LABSYNC_BENCH_PG_URL ?? process.env.LABSYNC_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'

export interface BenchDatabase {
  name: string
  url: string
  database: Database
  /** A plain client on the same database, for the benchmark's own SQL. */
  query(text: string): Promise<pg.QueryResult>
  drop(): Promise<void>
}

const created = new Set<BenchDatabase>()

async function admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: ADMIN_URL })
  await client.connect()
  try {
    return await work(client)
  } finally {
    await client.end()
  }
}

export async function createBenchDatabase(label: string): Promise<BenchDatabase> {
  const name = `labsync_bench_${process.pid}_${label}`
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, '_')
    .slice(0, 63)
  await admin(async (client) => {
    await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
    await client.query(`CREATE DATABASE ${name}`)
  })
  const url = new URL(ADMIN_URL)
  url.pathname = `/${name}`
  const database = openDatabase(url.toString())
  const client = new pg.Client({ connectionString: url.toString() })
  await client.connect()
  const bench: BenchDatabase = {
    name,
    url: url.toString(),
    database,
    query: (text) => client.query(text),
    async drop() {
      created.delete(bench)
      await client.end().catch(() => {})
      await database.close().catch(() => {})
      await admin((adminClient) => adminClient.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`))
    },
  }
  created.add(bench)
  return bench
}

/** Drops every database this run created and has not dropped yet. */
export async function dropAllBenchDatabases(): Promise<void> {
  for (const bench of [...created]) await bench.drop().catch(() => {})
}

/** The server's version line, for the report. */
export function serverVersion(): Promise<string> {
  return admin(async (client) => String((await client.query('SHOW server_version')).rows[0].server_version))
}
