import { sql, type RawBuilder } from 'kysely'
import { driverMessage } from '../core/errors.js'
import type { TableSpec } from '../db/column-spec.js'
import type { TableName } from '../db/database.js'
import type { Session } from '../db/session.js'
import { ok, problem, type Finding } from './finding.js'

/** TRUNCATE is PostgreSQL's own right, which its upload needs to empty staging (the others empty with DELETE). */
export type Privilege = 'SELECT' | 'INSERT' | 'UPDATE' | 'DELETE' | 'TRUNCATE'

/** Errors that mean "not allowed": PostgreSQL 42501, SQL Server 229/230, a read-only SQLite file. */
function isPermissionError(error: unknown): boolean {
  const { code, number } = error as { code?: unknown; number?: unknown }
  return (
    code === '42501' || code === 'SQLITE_READONLY' || code === 'SQLITE_CANTOPEN' || number === 229 || number === 230
  )
}

/**
 * Whether the login may do what labsync does to a table, found by running
 * each statement so that it touches no row (`WHERE 1 = 0`), in a
 * transaction that is rolled back: the database checks the rights all the
 * same, and nothing is written.
 */
export async function checkRights(
  session: Session,
  area: string,
  table: TableName,
  spec: TableSpec,
  needs: readonly Privilege[],
): Promise<Finding[]> {
  const t = sql.raw(session.dialect.qualify(table))
  const column = sql.ref(spec.columns.find((item) => !item.identity)!.name)
  const probes: Record<Privilege, RawBuilder<unknown>> = {
    SELECT: sql`SELECT 1 AS one FROM ${t} WHERE 1 = 0`,
    INSERT: sql`INSERT INTO ${t} (${column}) SELECT ${column} FROM ${t} WHERE 1 = 0`,
    UPDATE: sql`UPDATE ${t} SET ${column} = ${column} WHERE 1 = 0`,
    DELETE: sql`DELETE FROM ${t} WHERE 1 = 0`,
    // A check of the right, not a TRUNCATE: that would lock the table. The name is a checked identifier.
    TRUNCATE: sql`DO $$ BEGIN IF NOT has_table_privilege(${sql.raw(`'${session.dialect.qualify(table).replace(/'/g, "''")}'`)}, 'TRUNCATE') THEN RAISE insufficient_privilege; END IF; END $$`,
  }
  const denied: Privilege[] = []
  let readOnlyFile = false
  for (const privilege of needs) {
    const error = await probe(session, probes[privilege])
    if (error === undefined) continue
    if (!isPermissionError(error))
      return [problem(area, `cannot check the rights on ${table.name}: ${driverMessage(error)}`)]
    denied.push(privilege)
    readOnlyFile ||= String((error as { code?: unknown }).code).startsWith('SQLITE_')
  }
  if (denied.length === 0) return [ok(area, `the login may ${needs.join(', ')} on ${table.name}`)]
  const fix = readOnlyFile
    ? 'make the database file and its folder writable by the account that runs labsync (SQLite keeps -wal and -shm files beside it)'
    : `GRANT ${denied.join(', ')} ON ${session.dialect.qualify(table)} TO ${await loginName(session)};`
  return [problem(area, `the login may not ${denied.join(', ')} on ${table.name}`, fix)]
}

async function probe(session: Session, statement: RawBuilder<unknown>): Promise<unknown> {
  const rollback = new Error('doctor rolls back')
  try {
    await session.transaction(async () => {
      await session.run(statement)
      throw rollback
    })
  } catch (error) {
    return error === rollback ? undefined : error
  }
  return undefined
}

async function loginName(session: Session): Promise<string> {
  try {
    const { rows } = await session.run<{ login: unknown }>(sql`SELECT CURRENT_USER AS login`)
    return session.dialect.quote(String(rows[0].login))
  } catch {
    return '<the labsync login>'
  }
}
