import { applyPlan, planTable, type TablePlan } from '../db/schema-plan.js'
import type { Session } from '../db/session.js'
import { LOCAL_STATUS_TABLE } from '../db/tables/local-tables.js'
import { LOCK_TABLE } from '../db/tables/lock-table.js'
import { detailTable, headerTable, LOCAL_DETAIL_TABLE, LOCAL_HEADER_TABLE } from '../db/tables/staging-tables.js'

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
