import { LabsyncError } from '../core/errors.js'
import { findTable } from '../db/catalog.js'
import type { Session } from '../db/session.js'
import { DETAIL_KEY, HEADER_KEY, LOCAL_DETAIL_TABLE, LOCAL_HEADER_TABLE } from '../db/tables/staging-tables.js'
import { kyselyTable } from '../status/status-store.js'

/**
 * A key violation raised by a database while loading rows: PostgreSQL's
 * unique_violation, SQLite's primary key or unique constraint, SQL Server's
 * errors 2627 and 2601.
 */
export function isDuplicateKeyError(error: unknown): boolean {
  for (let current = error, depth = 0; current && depth < 10; depth++) {
    const { code, number } = current as { code?: unknown; number?: unknown }
    if (code === '23505' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE') return true
    if (number === 2627 || number === 2601) return true
    current = (current as { cause?: unknown }).cause
  }
  return false
}

/**
 * When the central staging refused a key twice, the local staging tables
 * hold it twice (a hand-made table without the primary key): the first
 * such key, named as the row checks name a bad row, or undefined when the
 * local tables hold no duplicate. The database's own message names the
 * constraint only, or quotes the values.
 */
export async function duplicateStagingKey(local: Session, idEfector: number): Promise<LabsyncError | undefined> {
  for (const [table, key] of [
    [LOCAL_HEADER_TABLE, HEADER_KEY],
    [LOCAL_DETAIL_TABLE, DETAIL_KEY],
  ] as const) {
    // The same table the upload read: found as the upload finds it, whatever the case of its name.
    const found = await findTable(local, table, undefined)
    if (!found) continue
    let query = local.db
      .selectFrom(kyselyTable(found))
      .select([...key])
      .groupBy([...key])
      .having((eb) => eb.fn.countAll(), '>', 1)
    for (const column of key) query = query.orderBy(column)
    const [row] = await local.dialect.limit(query, 1).execute()
    if (row) {
      return new LabsyncError('LABSYNC_ROW_INVALID', 'the local staging holds this key more than once', {
        location: { efector: idEfector, table, key: row as Record<string, unknown> },
      })
    }
  }
  return undefined
}
