import type { TableSpec } from '../db/column-spec.js'
import type { SqlDialect, TableName } from '../db/database.js'
import { addColumnSql, createTableSql } from '../db/schema-plan.js'
import { HISTORY_TABLE } from '../db/tables/history-table.js'
import { LOCAL_STATUS_TABLE } from '../db/tables/local-tables.js'
import { LOCK_TABLE } from '../db/tables/lock-table.js'
import {
  CENTRAL_DETAIL_TABLE,
  CENTRAL_HEADER_TABLE,
  detailTable,
  headerTable,
  LOCAL_DETAIL_TABLE,
  LOCAL_HEADER_TABLE,
} from '../db/tables/staging-tables.js'
import { STATUS_TABLE } from '../db/tables/status-table.js'
import { TRANSPORT_TABLES } from '../db/tables/transport-tables.js'
import { checkedStagingNames, type NewEfector } from './install-central.js'

/**
 * The statements of `labsync sql`: what the install commands would run,
 * written without connecting, for a DBA to review and run by hand. Each is
 * guarded by the dialect so that the script may run on a database that
 * already has some of it (a legacy deployment): a table is created when it
 * is missing, each nullable column labsync may need is added when it is
 * missing, nothing is dropped or changed.
 */
export function tableScript(dialect: SqlDialect, spec: TableSpec, schema?: string): string[] {
  const table: TableName = { schema, name: spec.name }
  const keys = new Set(spec.primaryKey)
  return [
    dialect.guardDdl({ kind: 'create-table', table, sql: createTableSql(dialect, table, spec) }),
    ...spec.columns
      .filter((column) => column.nullable && !column.identity && !keys.has(column.name))
      .map((column) =>
        dialect.guardDdl({ kind: 'add-column', table, column: column.name, sql: addColumnSql(dialect, table, column) }),
      ),
  ]
}

/** Keep in step with planCentralInstall (install-central.ts): test/mssql/ddl.test.ts compares the two. */
export function centralInstallScript(dialect: SqlDialect, schema?: string): string[] {
  const history: TableName = { schema, name: HISTORY_TABLE.name }
  const index = 'IX_labsync_run_efector'
  return [
    ...tableScript(dialect, STATUS_TABLE, schema),
    ...tableScript(dialect, CENTRAL_HEADER_TABLE, schema),
    ...tableScript(dialect, CENTRAL_DETAIL_TABLE, schema),
    ...tableScript(dialect, HISTORY_TABLE, schema),
    dialect.guardDdl({
      kind: 'create-index',
      table: history,
      index,
      sql: `CREATE INDEX ${dialect.quote(index)} ON ${dialect.qualify(history)} (${dialect.quote('idEfector')}, ${dialect.quote('startedAt')})`,
    }),
    ...TRANSPORT_TABLES.flatMap((spec) => tableScript(dialect, spec, schema)),
  ]
}

/** Keep in step with planEfectorInstall (agent/install-efector.ts): test/mssql/ddl.test.ts compares the two. */
export function efectorInstallScript(dialect: SqlDialect): string[] {
  return [LOCAL_STATUS_TABLE, headerTable(LOCAL_HEADER_TABLE), detailTable(LOCAL_DETAIL_TABLE), LOCK_TABLE].flatMap(
    (spec) => tableScript(dialect, spec),
  )
}

/** The hospital's two staging tables and its status row, which is inserted only when the hospital has none. */
export function addEfectorScript(dialect: SqlDialect, efector: NewEfector, schema?: string): string[] {
  const names = checkedStagingNames(dialect, efector)
  if (!Number.isInteger(efector.id)) throw new TypeError('idEfector must be an integer')
  const status = dialect.qualify({ schema, name: STATUS_TABLE.name })
  const q = (name: string) => dialect.quote(name)
  const text = (value: string) => `${dialect.name === 'mssql' ? 'N' : ''}'${value.replace(/'/g, "''")}'`
  const values: Array<[string, string]> = [
    ['idEfector', String(efector.id)],
    ['nombreEfector', text(efector.displayName ?? efector.name)],
    ['tablaEncabezado', text(names.header)],
    ['tablaDetalle', text(names.detail)],
    ['minutosMinimoSyncEfector', String(Math.trunc(efector.minutesBetweenUploads ?? 0))],
    ['minutosMinimoSyncPrincipal', String(Math.trunc(efector.minutesBetweenImports ?? 0))],
  ]
  const insert =
    `INSERT INTO ${status} (${values.map(([name]) => q(name)).join(', ')})\n` +
    `SELECT ${values.map(([, value]) => value).join(', ')}\n` +
    `WHERE NOT EXISTS (SELECT 1 FROM ${status} WHERE ${q('idEfector')} = ${efector.id})`
  return [
    ...tableScript(dialect, headerTable(names.header), schema),
    ...tableScript(dialect, detailTable(names.detail), schema),
    insert,
  ]
}
