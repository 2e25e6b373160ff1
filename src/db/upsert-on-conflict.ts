import { sql, type RawBuilder } from 'kysely'
import type { SqlDialect, UpsertSpec } from './database.js'

/**
 * `INSERT ... SELECT ... ON CONFLICT (key) DO UPDATE ... WHERE <differs>`,
 * the upsert of PostgreSQL and SQLite (3.24+). The target needs a unique
 * key on `spec.key`, which labsync's install creates. The SELECT must have
 * a WHERE clause: SQLite would otherwise read ON CONFLICT as a join.
 */
export function upsertOnConflict(dialect: SqlDialect, spec: UpsertSpec): RawBuilder<unknown> {
  const q = (name: string) => dialect.quote(name)
  const target = dialect.qualify(spec.target)
  const targetAlias = q(spec.target.name)
  const reset = spec.resetOnReplace ?? {}
  const keys = new Set(spec.key)
  const replaced = spec.columns.filter((column) => !keys.has(column))
  const compared = replaced.filter((column) => !(column in reset))

  const assignments = replaced.map((column) =>
    column in reset ? sql`${sql.raw(q(column))} = ${reset[column]}` : sql.raw(`${q(column)} = excluded.${q(column)}`),
  )
  const differs = compared.map((column) =>
    dialect.differs(sql.raw(`${targetAlias}.${q(column)}`), sql.raw(`excluded.${q(column)}`)),
  )
  return sql`INSERT INTO ${sql.raw(target)} (${sql.raw(spec.columns.map(q).join(', '))})
${spec.select}
ON CONFLICT (${sql.raw(spec.key.map(q).join(', '))}) DO UPDATE SET ${sql.join(assignments, sql`, `)}
WHERE ${sql.join(differs, sql` OR `)}`
}
