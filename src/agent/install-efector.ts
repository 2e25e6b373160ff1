import { findTable } from '../db/catalog.js'
import { applyPlan, planTable, type TablePlan } from '../db/schema-plan.js'
import type { Session } from '../db/session.js'
import { LOCAL_STATUS_TABLE } from '../db/tables/local-tables.js'
import { LOCK_TABLE } from '../db/tables/lock-table.js'
import { detailTable, headerTable, LOCAL_DETAIL_TABLE, LOCAL_HEADER_TABLE } from '../db/tables/staging-tables.js'
import { applyTypedRebuild, planTypedRebuild, type TypedRebuild } from '../db/typed-rebuild.js'

/** `labsync efector install`: LAB_SyncStatus, the local staging tables and the agent lock table, where missing. Idempotent. */
export async function planEfectorInstall(session: Session): Promise<TablePlan[]> {
  return [
    await planTable(session, LOCAL_STATUS_TABLE),
    await planTable(session, headerTable(LOCAL_HEADER_TABLE)),
    await planTable(session, detailTable(LOCAL_DETAIL_TABLE)),
    await planTable(session, LOCK_TABLE),
  ]
}

export async function installEfector(session: Session): Promise<TablePlan[]> {
  const plans = await planEfectorInstall(session)
  await session.transaction(async () => {
    for (const plan of plans) await applyPlan(session, plan)
  })
  return plans
}

/**
 * The rebuilds that `labsync efector install --make-strict` runs: each
 * existing local staging table that SQLite does not type-check (not
 * STRICT), recreated STRICT with its rows. None on other databases.
 */
export async function planStagingRebuilds(session: Session, efector?: number): Promise<TypedRebuild[]> {
  const rebuilds: TypedRebuild[] = []
  for (const spec of [headerTable(LOCAL_HEADER_TABLE), detailTable(LOCAL_DETAIL_TABLE)]) {
    const table = await findTable(session, spec.name)
    const rebuild = table && (await planTypedRebuild(session, table, spec, { efector }))
    if (rebuild) rebuilds.push(rebuild)
  }
  return rebuilds
}

/**
 * installEfector and then planStagingRebuilds, in one transaction: all of
 * it is done, or none (a row that does not fit, or a table labsync cannot
 * rebuild, is an error naming it). Returns the plans and each table
 * rebuilt with the rows it kept.
 */
export async function installEfectorMakingStrict(
  session: Session,
  efector?: number,
): Promise<{ plans: TablePlan[]; rebuilt: { table: string; rows: number }[] }> {
  const plans = await planEfectorInstall(session)
  return session.transaction(async () => {
    for (const plan of plans) await applyPlan(session, plan)
    const rebuilt: { table: string; rows: number }[] = []
    for (const rebuild of await planStagingRebuilds(session, efector)) {
      rebuilt.push({ table: rebuild.table.name, rows: await applyTypedRebuild(session, rebuild, { efector }) })
    }
    return { plans, rebuilt }
  })
}
