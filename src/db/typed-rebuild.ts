import { driverMessage, LabsyncError, type ErrorLocation } from '../core/errors.js'
import { listColumns } from './catalog.js'
import type { TableSpec } from './column-spec.js'
import type { TableName } from './database.js'
import { createTableSql } from './schema-plan.js'
import type { Session } from './session.js'

/**
 * Recreating a `typed` table that its database does not type-check (a
 * SQLite table that is not STRICT) as one that does, keeping its rows.
 * SQLite cannot make a table STRICT in place; this follows its documented
 * way to change a table's definition: create the new table under another
 * name, copy the rows, drop the old table, rename the new one, and create
 * the old table's own indexes and triggers again. The rename runs with
 * `legacy_alter_table` on, so that views over the table, which name it,
 * are left as they are and see the new one. Columns the spec does not know
 * are kept, as columns of type ANY (their constraints are not).
 */

/** Rows per page when looking for the row that does not fit. */
const SEARCH_PAGE = 1000

/** Whether an existing table type-checks its values; true where the database always does. */
export async function isTypedTable(session: Session, table: TableName): Promise<boolean> {
  if (!session.dialect.isTypedTable) return true
  const { rows } = await session.run(session.dialect.isTypedTable(table))
  return rows.length === 0 || Number(rows[0].typed) === 1
}

export interface TypedRebuild {
  table: TableName
  spec: TableSpec
  /** The new table, under its temporary name until the rename. */
  fresh: TableName
  /** The statements in order; `copy` is the one that may fail on a row. */
  statements: string[]
  copy: string
  /** The columns copied, in order: the spec's, then those it does not know. */
  columns: string[]
  /** The connection's `legacy_alter_table` before, set back also when the rebuild fails. */
  legacyAlterTable: 'ON' | 'OFF'
}

/** The rebuild of an existing table, or undefined when it type-checks already (or its spec does not ask for it). */
export async function planTypedRebuild(
  session: Session,
  table: TableName,
  spec: TableSpec,
): Promise<TypedRebuild | undefined> {
  if (!spec.typed || (await isTypedTable(session, table))) return undefined
  const { dialect } = session
  const known = new Set(spec.columns.map((column) => column.name.toLowerCase()))
  const existing = await listColumns(session, table)
  const extra = existing.map((column) => column.name).filter((name) => !known.has(name.toLowerCase()))
  const present = new Set(existing.map((column) => column.name.toLowerCase()))
  // A spec column the table lacks (the install adds it first) starts out NULL.
  const columns = [
    ...spec.columns.map((column) => column.name).filter((name) => present.has(name.toLowerCase())),
    ...extra,
  ]
  const fresh: TableName = { schema: table.schema, name: `${table.name}_labsync_new` }
  const list = columns.map((name) => dialect.quote(name)).join(', ')
  const copy = `INSERT INTO ${dialect.qualify(fresh)} (${list}) SELECT ${list} FROM ${dialect.qualify(table)}`
  const create = createTableSql(dialect, table, spec)
  const createPrefix = `CREATE TABLE ${dialect.qualify(table)} (`
  if (!create.startsWith(createPrefix)) throw new Error(`unexpected CREATE TABLE for ${table.name}`)
  const { rows: own } = await session.connection.execute({
    sql: `SELECT sql FROM ${dialect.quote(table.schema ?? 'main')}.sqlite_master WHERE tbl_name = ? AND type IN ('index', 'trigger') AND sql IS NOT NULL ORDER BY type, name`,
    parameters: [table.name],
  })
  const { rows: legacy } = await session.connection.execute({ sql: 'PRAGMA legacy_alter_table', parameters: [] })
  const legacyBefore = Number(Object.values(legacy[0] ?? {})[0] ?? 0) === 1 ? 'ON' : 'OFF'
  return {
    table,
    spec,
    fresh,
    columns,
    copy,
    legacyAlterTable: legacyBefore,
    statements: [
      `CREATE TABLE ${dialect.qualify(fresh)} (${create.slice(createPrefix.length)}`,
      ...extra.map((name) => `ALTER TABLE ${dialect.qualify(fresh)} ADD COLUMN ${dialect.quote(name)} ANY`),
      copy,
      `DROP TABLE ${dialect.qualify(table)}`,
      'PRAGMA legacy_alter_table = ON',
      `ALTER TABLE ${dialect.qualify(fresh)} RENAME TO ${dialect.quote(table.name)}`,
      `PRAGMA legacy_alter_table = ${legacyBefore}`,
      ...own.map((row) => String(row.sql)),
    ],
  }
}

/**
 * Runs a rebuild; the caller holds the transaction, so that a failure
 * leaves the table as it was. Returns the rows kept. A row that does not
 * fit (a value of another type, NULL in a NOT NULL column, a key twice) is
 * an error that names it by its key columns.
 */
export async function applyTypedRebuild(
  session: Session,
  rebuild: TypedRebuild,
  location: ErrorLocation = {},
): Promise<number> {
  if (!session.inTransaction) throw new Error('applyTypedRebuild needs a transaction')
  let kept = 0
  for (const statement of rebuild.statements) {
    try {
      const result = await session.connection.execute({ sql: statement, parameters: [] })
      if (statement === rebuild.copy) kept = result.numAffectedRows
    } catch (error) {
      if (statement !== rebuild.copy) {
        await session.connection
          .execute({ sql: `PRAGMA legacy_alter_table = ${rebuild.legacyAlterTable}`, parameters: [] })
          .catch(() => {})
        throw error
      }
      throw await rowThatDoesNotFit(session, rebuild, error, location)
    }
  }
  return kept
}

/** Copies the old rows one at a time, in rowid order, to find the first one the new table refuses. */
async function rowThatDoesNotFit(
  session: Session,
  rebuild: TypedRebuild,
  copyError: unknown,
  location: ErrorLocation,
): Promise<LabsyncError> {
  const { dialect } = session
  const list = rebuild.columns.map((name) => dialect.quote(name)).join(', ')
  const marks = rebuild.columns.map(() => '?').join(', ')
  const insert = `INSERT INTO ${dialect.qualify(rebuild.fresh)} (${list}) VALUES (${marks})`
  const keyOf = (row: Record<string, unknown>) =>
    Object.fromEntries(rebuild.spec.primaryKey.map((name) => [name, row[name] ?? null]))
  const refused = (row: Record<string, unknown>, error: unknown) =>
    new LabsyncError(
      'LABSYNC_ROW_INVALID',
      `table ${rebuild.table.name} cannot be made STRICT, nothing was changed: ${driverMessage(error)}`,
      { location: { ...location, table: rebuild.table.name, key: keyOf(row) }, cause: error },
    )
  let after = Number.MIN_SAFE_INTEGER
  for (;;) {
    // WITHOUT ROWID tables have no rowid to page by: the copy's own message is all there is.
    let page: Record<string, unknown>[]
    try {
      page = (
        await session.connection.execute({
          sql: `SELECT rowid AS labsync_rowid, ${list} FROM ${dialect.qualify(rebuild.table)} WHERE rowid > ? ORDER BY rowid LIMIT ${SEARCH_PAGE}`,
          parameters: [after],
        })
      ).rows
    } catch {
      break
    }
    if (page.length === 0) break
    for (const row of page) {
      try {
        await session.connection.execute({ sql: insert, parameters: rebuild.columns.map((name) => row[name]) })
      } catch (error) {
        return refused(row, error)
      }
    }
    after = Number(page[page.length - 1].labsync_rowid)
  }
  return new LabsyncError(
    'LABSYNC_ROW_INVALID',
    `table ${rebuild.table.name} cannot be made STRICT, nothing was changed: ${driverMessage(copyError)}`,
    { location: { ...location, table: rebuild.table.name }, cause: copyError },
  )
}
