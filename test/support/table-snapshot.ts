import { sql } from 'kysely'
import type { Database } from '../../src/db/database.js'
import { usingSession } from '../../src/db/session.js'

/** Every row of every table of a database, as sorted JSON lines per table: two snapshots are equal when nothing was written. */
export async function snapshotTables(database: Database): Promise<Record<string, string[]>> {
  return usingSession(database, async (session) => {
    const { rows: tables } = await session.run<{ name: string }>(session.dialect.listTables(undefined))
    const snapshot: Record<string, string[]> = {}
    for (const { name } of tables.sort((a, b) => a.name.localeCompare(b.name))) {
      if (name.startsWith('sqlite_')) continue
      const { rows } = await session.run(sql`SELECT * FROM ${sql.raw(session.dialect.qualify({ name }))}`)
      snapshot[name] = rows.map((row) => JSON.stringify(row)).sort()
    }
    return snapshot
  })
}
