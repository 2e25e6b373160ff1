import { LabsyncError } from '../core/errors.js'
import { checkIdentifier } from '../core/identifiers.js'
import type { ExistingColumn, TableName } from './database.js'
import type { Session } from './session.js'

/**
 * Looks a table up in the database's catalogue without regard to case, as
 * SQL Server does, so that a table a DBA created unquoted (and PostgreSQL
 * folded to lower case) is still found. Returns the name as stored, or
 * undefined when there is none.
 */
export async function findTable(session: Session, name: string, schema?: string): Promise<TableName | undefined> {
  checkIdentifier(name, 'table name')
  const { rows } = await session.run<{ name: string }>(session.dialect.listTables(schema))
  const wanted = name.toLowerCase()
  const matches = rows.filter((row) => row.name.toLowerCase() === wanted)
  if (matches.length === 0) return undefined
  const exact = matches.find((row) => row.name === name)
  return { schema, name: (exact ?? matches[0]).name }
}

/** Like findTable, but a missing table is an error that says how to create it. */
export async function requireTable(
  session: Session,
  name: string,
  options: { schema?: string; efector?: number; hint: string },
): Promise<TableName> {
  const found = await findTable(session, name, options.schema)
  if (!found) {
    throw new LabsyncError('LABSYNC_TABLE_MISSING', `table ${name} does not exist; ${options.hint}`, {
      location: { efector: options.efector, table: name },
    })
  }
  return found
}

export async function listColumns(session: Session, table: TableName): Promise<ExistingColumn[]> {
  const { rows } = await session.run(session.dialect.listColumns(table))
  return rows.map((row) => session.dialect.readColumn(row))
}
