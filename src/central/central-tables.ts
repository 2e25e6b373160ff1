import { sql } from 'kysely'
import { LabsyncError } from '../core/errors.js'
import { findTable, requireTable } from '../db/catalog.js'
import { LEGACY_CONFIG_TABLE, LOCAL_STATUS_TABLE } from '../db/tables/local-tables.js'
import { kyselyTable } from '../status/status-store.js'
import type { TableName } from '../db/database.js'
import type { Session } from '../db/session.js'
import { HISTORY_TABLE_NAME } from '../db/tables/history-table.js'
import {
  CENTRAL_DETAIL_TABLE,
  CENTRAL_HEADER_TABLE,
  LOCAL_DETAIL_TABLE,
  LOCAL_HEADER_TABLE,
} from '../db/tables/staging-tables.js'
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

/** Tables that are never a hospital's staging, whatever a status row says (compared without regard to case). */
const NOT_STAGING = new Set(
  [
    STATUS_TABLE_NAME,
    CENTRAL_HEADER_TABLE.name,
    CENTRAL_DETAIL_TABLE.name,
    LOCAL_STATUS_TABLE.name,
    LEGACY_CONFIG_TABLE.name,
    LOCAL_HEADER_TABLE,
    LOCAL_DETAIL_TABLE,
  ].map((name) => name.toLowerCase()),
)

/**
 * A hospital's central staging tables, named by its status row. Before any
 * SQL uses them, the names are checked as plain identifiers, and refused
 * when they name one of the central tables, one of labsync's own, the same
 * table twice, or a table another hospital's row names too: the upload
 * empties these tables, so a wrong name there would delete another
 * hospital's or the central results.
 */
export async function resolveStagingTables(
  session: Session,
  row: Pick<StatusRow, 'idEfector' | 'tablaEncabezado' | 'tablaDetalle'>,
  schema?: string,
): Promise<{ header: TableName; detail: TableName }> {
  const location = { efector: row.idEfector, table: STATUS_TABLE_NAME }
  const headerName = checkIdentifier(row.tablaEncabezado, 'tablaEncabezado', { ...location, column: 'tablaEncabezado' })
  const detailName = checkIdentifier(row.tablaDetalle, 'tablaDetalle', { ...location, column: 'tablaDetalle' })
  for (const [column, name] of [
    ['tablaEncabezado', headerName],
    ['tablaDetalle', detailName],
  ] as const) {
    const lower = name.toLowerCase()
    if (NOT_STAGING.has(lower) || lower.startsWith('labsync_')) {
      throw new LabsyncError(
        'LABSYNC_IDENTIFIER',
        `${column} names ${name}, which is not a staging table; correct the status row`,
        { location: { ...location, column } },
      )
    }
  }
  if (headerName.toLowerCase() === detailName.toLowerCase()) {
    throw new LabsyncError(
      'LABSYNC_IDENTIFIER',
      `tablaEncabezado and tablaDetalle both name ${headerName}; correct the status row`,
      {
        location,
      },
    )
  }
  const status = await findTable(session, STATUS_TABLE_NAME, schema)
  if (status) {
    const names = [headerName.toLowerCase(), detailName.toLowerCase()]
    const lower = (column: string) => sql`LOWER(${sql.ref(column)})`
    const sharing = await session.db
      .selectFrom(kyselyTable(status))
      .select('idEfector')
      .where('idEfector', '<>', row.idEfector)
      .where((eb) => eb.or([eb(lower('tablaEncabezado'), 'in', names), eb(lower('tablaDetalle'), 'in', names)]))
      .execute()
    if (sharing.length > 0) {
      throw new LabsyncError(
        'LABSYNC_EFECTOR_CONFLICT',
        `its staging tables are also named by hospital ${sharing.map((other) => String(other.idEfector)).join(', ')}; each hospital needs its own`,
        { location },
      )
    }
  }
  const hint = 'run `labsync central add-efector` or `labsync central install`'
  return {
    header: await requireTable(session, headerName, { schema, efector: row.idEfector, hint }),
    detail: await requireTable(session, detailName, { schema, efector: row.idEfector, hint }),
  }
}
