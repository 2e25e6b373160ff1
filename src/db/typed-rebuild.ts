import { driverMessage, LabsyncError, type ErrorLocation } from '../core/errors.js'
import type { TableSpec } from './column-spec.js'
import type { TableName } from './database.js'
import { createTableSql } from './schema-plan.js'
import type { Session } from './session.js'

/**
 * Recreating a `typed` table that its database does not type-check (a
 * SQLite table that is not STRICT) as one that does, keeping its rows.
 *
 * SQLite cannot make a table STRICT in place; this follows its documented
 * way to change a table's definition: create the new table under another
 * name, copy the rows, drop the old table, rename the new one, and create
 * the old table's own indexes and triggers again. The rename runs with
 * `legacy_alter_table` on, so that views over the table, which name it,
 * are left as they are and see the new one.
 *
 * Only a table defined as labsync creates it, but for STRICT, is rebuilt:
 * same columns, types, NULL and NOT NULL, primary key, and no foreign key
 * from another table. Anything else (a hospital's own columns, types,
 * constraints, AUTOINCREMENT, a foreign key that the DROP would cascade
 * along) is refused before anything runs, saying what stands in the way:
 * such a table is its DBA's to change. ANALYZE statistics of the old table
 * are not kept.
 */

/** Rows copied per statement when looking for the row that does not fit. */
const SEARCH_CHUNK = 1000

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
  /** The connection's `legacy_alter_table` before, set back also when the rebuild fails. */
  legacyAlterTable: 'ON' | 'OFF'
}

/**
 * The rebuild of an existing table; undefined when it type-checks already
 * (or its spec does not ask for it). Throws LABSYNC_DATABASE, naming the
 * table and what stands in the way, when the table is not shaped as labsync
 * creates it.
 */
export async function planTypedRebuild(
  session: Session,
  table: TableName,
  spec: TableSpec,
  location: ErrorLocation = {},
): Promise<TypedRebuild | undefined> {
  if (!spec.typed || (await isTypedTable(session, table))) return undefined
  const { dialect } = session
  const fresh = freshName(table)
  const blocker = await rebuildBlocker(session, table, spec)
  if (blocker) {
    throw new LabsyncError(
      'LABSYNC_DATABASE',
      `table ${table.name} cannot be made STRICT by labsync, nothing was changed: ${blocker}`,
      { location: { ...location, table: table.name } },
    )
  }
  const list = spec.columns.map((column) => dialect.quote(column.name)).join(', ')
  // The rowids too: an outside table (a full-text index, say) may point at rows by rowid.
  const copy = `INSERT INTO ${dialect.qualify(fresh)} (_rowid_, ${list}) SELECT _rowid_, ${list} FROM ${dialect.qualify(table)}`
  const create = createTableSql(dialect, table, spec)
  const createPrefix = `CREATE TABLE ${dialect.qualify(table)} (`
  if (!create.startsWith(createPrefix)) throw new Error(`unexpected CREATE TABLE for ${table.name}`)
  // A trigger's tbl_name is spelled as its CREATE TRIGGER spelled the table, in any letter case.
  const { rows: own } = await session.connection.execute({
    sql: `SELECT sql FROM ${master(session, table)} WHERE tbl_name = ? COLLATE NOCASE AND type IN ('index', 'trigger') AND sql IS NOT NULL ORDER BY type, name`,
    parameters: [table.name],
  })
  const { rows: legacy } = await session.connection.execute({ sql: 'PRAGMA legacy_alter_table', parameters: [] })
  const legacyBefore = Number(Object.values(legacy[0] ?? {})[0] ?? 0) === 1 ? 'ON' : 'OFF'
  return {
    table,
    spec,
    fresh,
    copy,
    legacyAlterTable: legacyBefore,
    statements: [
      `CREATE TABLE ${dialect.qualify(fresh)} (${create.slice(createPrefix.length)}`,
      copy,
      `DROP TABLE ${dialect.qualify(table)}`,
      'PRAGMA legacy_alter_table = ON',
      `ALTER TABLE ${dialect.qualify(fresh)} RENAME TO ${dialect.quote(table.name)}`,
      `PRAGMA legacy_alter_table = ${legacyBefore}`,
      ...own.map((row) => String(row.sql)),
    ],
  }
}

const master = (session: Session, table: TableName) => `${session.dialect.quote(table.schema ?? 'main')}.sqlite_master`

/** The new table's name until the rename. */
const freshName = (table: TableName): TableName => ({ schema: table.schema, name: `${table.name}_labsync_new` })

/** A reason that only the table's DBA can put right (the others say what labsync or the user does first). */
const byDba = (reason: string) => `${reason}; its DBA can recreate it STRICT by hand`

/**
 * Why the table cannot be rebuilt, for it is not defined as labsync
 * creates it, or undefined when it can. For a table that type-checks
 * already the answer says nothing useful: ask isTypedTable first.
 */
export async function rebuildBlocker(session: Session, table: TableName, spec: TableSpec): Promise<string | undefined> {
  const fresh = freshName(table)
  const run = async (sql: string, parameters: unknown[] = []) =>
    (await session.connection.execute({ sql, parameters })).rows
  const schema = session.dialect.quote(table.schema ?? 'main')
  const columns = await run(
    `SELECT name, dflt_value AS "default", hidden FROM ${schema}.pragma_table_xinfo(?) ORDER BY cid`,
    [table.name],
  )
  const names = columns.map((column) => String(column.name))
  const wanted = spec.columns.map((column) => column.name)
  if (names.join('\u0000') !== wanted.join('\u0000')) {
    const own = names.filter((name) => !wanted.includes(name))
    const lacking = wanted.filter((name) => !names.includes(name))
    const lower = new Set(wanted.map((name) => name.toLowerCase()))
    const respelled = own.filter((name) => lower.has(name.toLowerCase()))
    if (respelled.length > 0) return byDba(`columns are spelled in another letter case (${respelled.join(', ')})`)
    if (own.length > 0) return byDba(`it has columns labsync does not know (${own.join(', ')})`)
    if (lacking.length > 0)
      return `it lacks columns (${lacking.join(', ')}): run labsync efector install first, which adds them`
    return byDba('its columns are in another order than labsync creates them')
  }
  const generated = columns.filter((column) => Number(column.hidden) !== 0).map((column) => String(column.name))
  if (generated.length > 0) return byDba(`it has generated columns (${generated.join(', ')})`)
  const defaults = columns.filter((column, index) => {
    const own = column.default === null ? undefined : String(column.default)
    const labsync = spec.columns[index].defaultValue
    return own !== (labsync === undefined ? undefined : String(labsync))
  })
  if (defaults.length > 0)
    return byDba(`it has defaults of its own (${defaults.map((column) => column.name).join(', ')})`)
  // Types, NOT NULL, keys, UNIQUE, CHECK, COLLATE, AUTOINCREMENT: the definition must be labsync's, but for STRICT.
  const [stored] = await run(`SELECT sql FROM ${master(session, table)} WHERE type = 'table' AND name = ?`, [
    table.name,
  ])
  const labsync = createTableSql(session.dialect, table, { ...spec, typed: false })
  if (normalisedDefinition(String(stored?.sql ?? '')) !== normalisedDefinition(labsync))
    return byDba(
      'its definition differs from the one labsync creates (column types, NOT NULL, keys or constraints; `labsync efector install --print` on an empty file shows it)',
    )
  if ((await run(`SELECT 1 FROM ${schema}.pragma_foreign_key_list(?)`, [table.name])).length > 0)
    return byDba('it has foreign keys')
  const tables = await run(`SELECT name FROM ${master(session, table)} WHERE type = 'table'`)
  for (const other of tables) {
    const references = await run(
      `SELECT 1 FROM ${schema}.pragma_foreign_key_list(?) WHERE "table" = ? COLLATE NOCASE`,
      [other.name, table.name],
    )
    if (references.length > 0) return byDba(`a foreign key of table ${String(other.name)} refers to it`)
  }
  const left = await run(`SELECT 1 FROM ${master(session, table)} WHERE name = ? COLLATE NOCASE`, [fresh.name])
  if (left.length > 0) return `${fresh.name} exists already (left by an earlier attempt?): drop it first`
  return undefined
}

/** A CREATE TABLE without IF NOT EXISTS, letter case and layout, to compare two definitions. */
function normalisedDefinition(sql: string): string {
  return sql
    .replace(/\s+/g, ' ')
    .replace(/ ?([(),]) ?/g, '$1')
    .replace(/^CREATE TABLE IF NOT EXISTS /i, 'CREATE TABLE ')
    .trim()
    .toLowerCase()
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
  const where = { ...location, table: rebuild.table.name }
  let kept = 0
  for (const statement of rebuild.statements) {
    try {
      const result = await session.connection.execute({ sql: statement, parameters: [] })
      if (statement === rebuild.copy) kept = result.numAffectedRows
    } catch (error) {
      if (statement === rebuild.copy) throw await rowThatDoesNotFit(session, rebuild, error, where)
      await session.connection
        .execute({ sql: `PRAGMA legacy_alter_table = ${rebuild.legacyAlterTable}`, parameters: [] })
        .catch(() => {})
      throw new LabsyncError(
        'LABSYNC_DATABASE',
        `table ${rebuild.table.name} cannot be made STRICT, nothing was changed: ${driverMessage(error)} (in: ${statement.split('\n')[0].slice(0, 120)})`,
        { location: where, cause: error },
      )
    }
  }
  return kept
}

/**
 * Copies the old rows again in chunks of rowids, then one at a time within
 * the chunk that fails, to find the first row the new table refuses. The
 * values never leave SQLite; only the row's key is read, for the message.
 */
async function rowThatDoesNotFit(
  session: Session,
  rebuild: TypedRebuild,
  copyError: unknown,
  location: ErrorLocation,
): Promise<LabsyncError> {
  const { dialect } = session
  const from = dialect.qualify(rebuild.table)
  const run = async (sql: string, parameters: unknown[] = []) =>
    (await session.connection.execute({ sql, parameters })).rows
  const copyWhere = (condition: string) => `${rebuild.copy} WHERE ${condition}`
  const refused = (key: Record<string, unknown> | undefined, error: unknown) =>
    new LabsyncError(
      'LABSYNC_ROW_INVALID',
      `table ${rebuild.table.name} cannot be made STRICT, nothing was changed: ${driverMessage(error).replaceAll(rebuild.fresh.name, rebuild.table.name)}`,
      { location: key ? { ...location, key } : location, cause: error },
    )
  try {
    await run(`DELETE FROM ${dialect.qualify(rebuild.fresh)}`)
    // Rowids as text, so that none is rounded on its way through JavaScript.
    let after: string | null = null
    for (;;) {
      const chunk: string[] = (
        await run(
          `SELECT CAST(_rowid_ AS TEXT) AS r FROM ${from} WHERE ? IS NULL OR _rowid_ > CAST(? AS INTEGER) ORDER BY _rowid_ LIMIT ${SEARCH_CHUNK}`,
          [after, after],
        )
      ).map((row) => String(row.r))
      if (chunk.length === 0) break
      const last = chunk[chunk.length - 1]
      try {
        await run(copyWhere(`_rowid_ >= CAST(? AS INTEGER) AND _rowid_ <= CAST(? AS INTEGER)`), [chunk[0], last])
      } catch {
        for (const rowid of chunk) {
          try {
            await run(copyWhere('_rowid_ = CAST(? AS INTEGER)'), [rowid])
          } catch (error) {
            return refused(await keyOf(session, rebuild, rowid), error)
          }
        }
      }
      after = last
    }
  } catch {
    // Known shortcoming: a WITHOUT ROWID table has no rowid to search by; the copy's own message is all there is.
  }
  return refused(undefined, copyError)
}

/** The key columns of one row: integers as they are, anything else only by its type, which says enough. */
async function keyOf(session: Session, rebuild: TypedRebuild, rowid: string): Promise<Record<string, unknown>> {
  const { dialect } = session
  const columns = rebuild.spec.primaryKey
    .map(
      (name, index) => `typeof(${dialect.quote(name)}) AS t${index}, CAST(${dialect.quote(name)} AS TEXT) AS v${index}`,
    )
    .join(', ')
  const { rows } = await session.connection.execute({
    sql: `SELECT ${columns} FROM ${dialect.qualify(rebuild.table)} WHERE _rowid_ = CAST(? AS INTEGER)`,
    parameters: [rowid],
  })
  const row = rows[0] ?? {}
  return Object.fromEntries(
    rebuild.spec.primaryKey.map((name, index) => {
      const type = String(row[`t${index}`])
      if (type === 'null') return [name, null]
      if (type !== 'integer') return [name, `(a ${type} value)`]
      const digits = String(row[`v${index}`])
      return [name, Number.isSafeInteger(Number(digits)) ? Number(digits) : digits]
    }),
  )
}
