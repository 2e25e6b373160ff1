import { redactUrl } from '../core/config.js'
import { LabsyncError } from '../core/errors.js'
import type { Database, DialectName, SqlDialect } from './database.js'
import { openMssql } from './dialects/mssql/mssql-database.js'
import { mssqlDialect } from './dialects/mssql/mssql-dialect.js'
import { postgresDialect } from './dialects/postgres/postgres-dialect.js'
import { sqliteDialect } from './dialects/sqlite/sqlite-dialect.js'
import { openPostgres } from './dialects/postgres/postgres-database.js'
import { openSqlite } from './dialects/sqlite/sqlite-database.js'

/**
 * The one place that maps a database URL to a dialect:
 *   postgres://user:pass@host:5432/db   PostgreSQL
 *   sqlite:path/to/file.db              SQLite (embedded)
 *   mssql://user:pass@host:1433/db      SQL Server
 */
export interface OpenOptions {
  poolSize?: number
  /** For commands that only read: an SQLite file that does not exist is an error instead of a new, empty database. */
  mustExist?: boolean
}

export function openDatabase(url: string, options: OpenOptions = {}): Database {
  const displayUrl = redactUrl(url)
  const scheme = /^([a-z]+):/i.exec(url)?.[1]?.toLowerCase()
  switch (scheme) {
    case 'postgres':
    case 'postgresql':
      return openPostgres(url, displayUrl, options)
    case 'sqlite':
      return openSqlite(url.replace(/^sqlite:(\/\/)?/i, ''), displayUrl, { mustExist: options.mustExist })
    case 'mssql':
      return openMssql(url, displayUrl)
    default:
      throw new LabsyncError(
        'LABSYNC_CONFIG',
        `${displayUrl}: unknown database URL scheme (postgres://, sqlite: or mssql://)`,
      )
  }
}

/** A dialect by name, for statements written without connecting (`labsync sql`). */
export function dialectNamed(name: DialectName): SqlDialect {
  switch (name) {
    case 'mssql':
      return mssqlDialect
    case 'postgres':
      return postgresDialect
    case 'sqlite':
      return sqliteDialect
  }
}
