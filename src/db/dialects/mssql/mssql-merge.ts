import { sql, type RawBuilder } from 'kysely'
import type { SqlDialect, UpsertSpec } from '../../database.js'

/**
 * The upsert of SQL Server: one MERGE with the semantics of
 * upsert-on-conflict.ts. A staged row whose key is new is inserted; one
 * whose key exists replaces the stored row only when some compared column
 * differs (`resetOnReplace` columns are set, not compared), so a second run
 * on the same staging writes nothing. @@ROWCOUNT, the affected-row count,
 * is the rows inserted plus the rows updated.
 *
 * HOLDLOCK keeps the key range locked from the match to the write, so that
 * two writers of the same keys cannot both insert (MERGE alone does not
 * serialise them). The source must not repeat a key: the staging tables'
 * primary keys ensure it.
 */
export function mergeFromSelect(dialect: SqlDialect, spec: UpsertSpec): RawBuilder<unknown> {
  const q = (name: string) => dialect.quote(name)
  const reset = spec.resetOnReplace ?? {}
  const keys = new Set(spec.key)
  const replaced = spec.columns.filter((column) => !keys.has(column))
  const compared = replaced.filter((column) => !(column in reset))
  const t = (column: string) => sql.raw(`[t].${q(column)}`)
  const s = (column: string) => sql.raw(`[s].${q(column)}`)

  const on = sql.join(
    spec.key.map((column) => sql`${t(column)} = ${s(column)}`),
    sql` AND `,
  )
  const assignments = replaced.map((column) =>
    column in reset ? sql`${sql.raw(q(column))} = ${reset[column]}` : sql`${sql.raw(q(column))} = ${s(column)}`,
  )
  const differs = sql.join(
    compared.map((column) => dialect.differs(t(column), s(column))),
    sql`\n    OR `,
  )
  const whenMatched =
    compared.length > 0 && assignments.length > 0
      ? sql`\nWHEN MATCHED AND (${differs}) THEN\n  UPDATE SET ${sql.join(assignments, sql`, `)}`
      : sql``
  const columnList = sql.raw(spec.columns.map(q).join(', '))
  const sourceList = sql.raw(spec.columns.map((column) => `[s].${q(column)}`).join(', '))

  return sql`MERGE INTO ${sql.raw(dialect.qualify(spec.target))} WITH (HOLDLOCK) AS [t]
USING (
${spec.select}
) AS [s] (${columnList})
ON ${on}${whenMatched}
WHEN NOT MATCHED BY TARGET THEN
  INSERT (${columnList}) VALUES (${sourceList});`
}
