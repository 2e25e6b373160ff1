import { LabsyncError } from '../core/errors.js'
import { checkIdentifier } from '../core/identifiers.js'
import { applyPlan, planTable, type TablePlan } from '../db/schema-plan.js'
import type { SqlDialect } from '../db/database.js'
import type { Session } from '../db/session.js'
import { HISTORY_TABLE } from '../db/tables/history-table.js'
import {
  CENTRAL_DETAIL_TABLE,
  CENTRAL_HEADER_TABLE,
  centralStagingNames,
  detailTable,
  headerTable,
} from '../db/tables/staging-tables.js'
import { STATUS_TABLE } from '../db/tables/status-table.js'
import { TRANSPORT_TABLES } from '../db/tables/transport-tables.js'
import { findTable } from '../db/catalog.js'
import { kyselyTable, listStatusRows, readStatusRow } from '../status/status-store.js'

/**
 * `labsync central install`: the central tables that are missing, and the
 * missing nullable columns of those that exist, including every registered
 * hospital's staging tables. Idempotent.
 */
export async function planCentralInstall(session: Session, schema?: string): Promise<TablePlan[]> {
  const plans = [
    await planTable(session, STATUS_TABLE, schema),
    await planTable(session, CENTRAL_HEADER_TABLE, schema),
    await planTable(session, CENTRAL_DETAIL_TABLE, schema),
    await planTable(session, HISTORY_TABLE, schema),
  ]
  const history = plans[3]
  if (!history.exists) {
    const q = session.dialect
    history.statements.push(
      `CREATE INDEX ${q.quote('IX_labsync_run_efector')} ON ${q.qualify(history.table)} (${q.quote('idEfector')}, ${q.quote('startedAt')})`,
    )
  }
  for (const spec of TRANSPORT_TABLES) plans.push(await planTable(session, spec, schema))
  if (plans[0].exists) {
    const status = await findTable(session, STATUS_TABLE.name, schema)
    // A table two status rows name (a registration error that uploads refuse) is planned once.
    const planned = new Set<string>()
    for (const row of await listStatusRows(session, status!)) {
      for (const [name, spec] of [
        [row.tablaEncabezado, headerTable],
        [row.tablaDetalle, detailTable],
      ] as const) {
        const checked = checkIdentifier(name, 'staging table name', {
          efector: row.idEfector,
          table: STATUS_TABLE.name,
        })
        if (planned.has(checked.toLowerCase())) continue
        planned.add(checked.toLowerCase())
        if (await findTable(session, checked, schema)) plans.push(await planTable(session, spec(checked), schema))
      }
    }
  }
  return plans
}

export async function installCentral(session: Session, schema?: string): Promise<TablePlan[]> {
  const plans = await planCentralInstall(session, schema)
  await session.transaction(async () => {
    for (const plan of plans) await applyPlan(session, plan)
  })
  return plans
}

export interface NewEfector {
  id: number
  /** Used in the staging table names, so a plain identifier: `LAB_Temp_<name>ResultadoEncabezado`. */
  name: string
  /** nombreEfector; default `name`. */
  displayName?: string
  minutesBetweenUploads?: number
  minutesBetweenImports?: number
}

export interface AddEfectorResult {
  plans: TablePlan[]
  statusRowCreated: boolean
  /** Options that differ from the status row that was already there, and were left as they are. */
  ignored: string[]
}

/** The longest staging table name: a varchar(100) column, and what the database keeps whole. */
/**
 * The hospital's staging table names, checked: a plain identifier that the
 * database keeps whole (PostgreSQL cuts identifiers at 63 bytes) and that
 * fits the varchar(100) columns of the status row.
 */
export function checkedStagingNames(dialect: SqlDialect, efector: Pick<NewEfector, 'id' | 'name'>) {
  checkIdentifier(efector.name, 'hospital name', { efector: efector.id })
  const names = centralStagingNames(efector.name)
  const limit = Math.min(100, dialect.maxIdentifierLength)
  if (names.header.length > limit) {
    throw new LabsyncError(
      'LABSYNC_USAGE',
      `--name may have at most ${limit - (names.header.length - efector.name.length)} characters on ${dialect.name}: ` +
        `the staging table ${names.header} must fit in ${limit}`,
      { location: { efector: efector.id } },
    )
  }
  return names
}

/** `labsync central add-efector`: the hospital's two staging tables and its status row. */
export async function planAddEfector(session: Session, efector: NewEfector, schema?: string) {
  const names = checkedStagingNames(session.dialect, efector)
  return [
    await planTable(session, headerTable(names.header), schema),
    await planTable(session, detailTable(names.detail), schema),
  ]
}

export async function addEfector(session: Session, efector: NewEfector, schema?: string): Promise<AddEfectorResult> {
  const status = await findTable(session, STATUS_TABLE.name, schema)
  if (!status) {
    throw new LabsyncError(
      'LABSYNC_TABLE_MISSING',
      'the central tables are not installed; run `labsync central install` first',
    )
  }
  const plans = await planAddEfector(session, efector, schema)
  const names = centralStagingNames(efector.name)
  return session.transaction(async () => {
    const existing = await readStatusRow(session, status, efector.id)
    if (existing && (existing.tablaEncabezado !== names.header || existing.tablaDetalle !== names.detail)) {
      throw new LabsyncError(
        'LABSYNC_EFECTOR_CONFLICT',
        `hospital ${efector.id} is already registered with staging tables ${existing.tablaEncabezado} and ${existing.tablaDetalle}`,
        { location: { efector: efector.id, table: STATUS_TABLE.name } },
      )
    }
    const wanted = [names.header.toLowerCase(), names.detail.toLowerCase()]
    const owner = (await listStatusRows(session, status)).find(
      (row) =>
        row.idEfector !== efector.id &&
        [row.tablaEncabezado, row.tablaDetalle].some((name) => name !== null && wanted.includes(name.toLowerCase())),
    )
    if (owner) {
      throw new LabsyncError(
        'LABSYNC_EFECTOR_CONFLICT',
        `the staging tables of --name ${efector.name} belong to hospital ${owner.idEfector}; give each hospital its own name`,
        { location: { efector: efector.id, table: STATUS_TABLE.name } },
      )
    }
    for (const plan of plans) await applyPlan(session, plan)
    if (!existing) {
      await session.db
        .insertInto(kyselyTable(status))
        .values({
          idEfector: efector.id,
          nombreEfector: efector.displayName ?? efector.name,
          tablaEncabezado: names.header,
          tablaDetalle: names.detail,
          minutosMinimoSyncEfector: efector.minutesBetweenUploads ?? 0,
          minutosMinimoSyncPrincipal: efector.minutesBetweenImports ?? 0,
        })
        .execute()
    }
    const ignored: string[] = []
    if (existing) {
      const differs = (label: string, given: unknown, stored: unknown) => {
        if (given !== undefined && given !== stored) ignored.push(`${label} (status row keeps ${String(stored)})`)
      }
      differs('--display-name', efector.displayName, existing.nombreEfector)
      differs('--min-minutes', efector.minutesBetweenUploads, existing.minutosMinimoSyncEfector)
      differs('--import-min-minutes', efector.minutesBetweenImports, existing.minutosMinimoSyncPrincipal)
    }
    return { plans, statusRowCreated: !existing, ignored }
  })
}
