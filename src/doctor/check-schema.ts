import { findTable, listColumns } from '../db/catalog.js'
import type { TableSpec } from '../db/column-spec.js'
import type { TableName } from '../db/database.js'
import { addColumnSql, createTableSql } from '../db/schema-plan.js'
import { isTypedTable, rebuildBlocker } from '../db/typed-rebuild.js'
import type { Session } from '../db/session.js'
import { alterColumnFix, columnMismatch } from './column-compatibility.js'
import { ok, problem, warning, type Finding } from './finding.js'

/**
 * Each table of `specs` exists and has every column with a compatible type.
 * A hospital's staging table that does not enforce its declared types is
 * a warning: uploads read it more slowly (src/db/dialects/sqlite/sqlite-table-pages.ts).
 * Returns the findings and the tables found (as the database spells them),
 * for the checks that follow.
 */
export async function checkTables(
  session: Session,
  area: string,
  specs: readonly TableSpec[],
  options: {
    schema?: string
    install: string
    /** Warn about a `typed` table that does not enforce its types (the hospital's staging, which uploads read). */
    warnUntyped?: boolean
  },
): Promise<{ findings: Finding[]; found: Map<string, TableName> }> {
  const findings: Finding[] = []
  const found = new Map<string, TableName>()
  const untyped: { table: TableName; blocker: string | undefined }[] = []
  for (const spec of specs) {
    const table = await findTable(session, spec.name, options.schema)
    if (!table) {
      const sql = createTableSql(session.dialect, { schema: options.schema, name: spec.name }, spec)
      findings.push(problem(area, `table ${spec.name} does not exist`, `${options.install}\nor run: ${sql};`))
      continue
    }
    found.set(spec.name, table)
    const existing = new Map((await listColumns(session, table)).map((column) => [column.name.toLowerCase(), column]))
    const before = findings.length
    for (const column of spec.columns) {
      const current = existing.get(column.name.toLowerCase())
      if (!current) {
        findings.push(
          problem(
            area,
            `table ${table.name} has no column ${column.name}`,
            `${options.install}\nor run: ${addColumnSql(session.dialect, table, column)};`,
          ),
        )
        continue
      }
      const mismatch = columnMismatch(session.dialect, column, current)
      if (mismatch)
        findings.push(
          problem(
            area,
            `column ${table.name}.${column.name} ${mismatch}`,
            alterColumnFix(session.dialect, table, column),
          ),
        )
    }
    if (findings.length === before)
      findings.push(ok(area, `table ${table.name}: ${spec.columns.length} columns as labsync needs them`))
    if (options.warnUntyped && spec.typed && !(await isTypedTable(session, table)))
      untyped.push({ table, blocker: await rebuildBlocker(session, table, spec) })
  }
  // --make-strict rebuilds every such table or none: one that cannot be rebuilt holds the others back.
  const blocked = untyped.find((entry) => entry.blocker !== undefined)
  for (const { table, blocker } of untyped) {
    const fix = blocker
      ? `table ${table.name} cannot be made STRICT by labsync: ${blocker}`
      : blocked
        ? `labsync efector install --make-strict, once table ${blocked.table.name} can be rebuilt too (it rebuilds both or neither)`
        : 'labsync efector install --make-strict (recreates it STRICT in one transaction, keeping its rows; a row that does not fit is named, and nothing changes)'
    findings.push(
      warning(
        area,
        `table ${table.name} is not STRICT: a column may hold a value of another type than declared, so every upload first scans the table for BLOB values (about 0.4 s a million rows)`,
        fix,
      ),
    )
  }
  return { findings, found }
}
