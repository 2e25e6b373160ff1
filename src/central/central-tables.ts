import { requireTable } from '../db/catalog.js'
import type { TableName } from '../db/database.js'
import type { Session } from '../db/session.js'
import { HISTORY_TABLE_NAME } from '../db/tables/history-table.js'
import { CENTRAL_DETAIL_TABLE, CENTRAL_HEADER_TABLE } from '../db/tables/staging-tables.js'
import { STATUS_TABLE_NAME } from '../db/tables/status-table.js'
import { checkIdentifier } from '../core/identifiers.js'
import type { StatusRow } from '../protocol/efector-state.js'

/** The central tables as the database spells them (looked up without regard to case). */
export interface CentralTables {
  status: TableName
  header: TableName
  detail: TableName
  history: TableName
}

const INSTALL_HINT = 'run `labsync central install`'

export async function resolveCentralTables(session: Session, schema?: string): Promise<CentralTables> {
  const find = (name: string) => requireTable(session, name, { schema, hint: INSTALL_HINT })
  return {
    status: await find(STATUS_TABLE_NAME),
    header: await find(CENTRAL_HEADER_TABLE.name),
    detail: await find(CENTRAL_DETAIL_TABLE.name),
    history: await find(HISTORY_TABLE_NAME),
  }
}

/**
 * A hospital's central staging tables, named by its status row. The names
 * are checked as plain identifiers before any SQL uses them.
 */
export async function resolveStagingTables(
  session: Session,
  row: Pick<StatusRow, 'idEfector' | 'tablaEncabezado' | 'tablaDetalle'>,
  schema?: string,
): Promise<{ header: TableName; detail: TableName }> {
  const location = { efector: row.idEfector, table: 'LAB_EstadoSyncGeneral' }
  const headerName = checkIdentifier(row.tablaEncabezado, 'tablaEncabezado', { ...location, column: 'tablaEncabezado' })
  const detailName = checkIdentifier(row.tablaDetalle, 'tablaDetalle', { ...location, column: 'tablaDetalle' })
  const hint = 'run `labsync central add-efector` or `labsync central install`'
  return {
    header: await requireTable(session, headerName, { schema, efector: row.idEfector, hint }),
    detail: await requireTable(session, detailName, { schema, efector: row.idEfector, hint }),
  }
}
