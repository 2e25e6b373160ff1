import type { CentralConfig } from '../core/config.js'
import type { LabsyncError } from '../core/errors.js'
import { findTable } from '../db/catalog.js'
import { isTransientError } from '../db/transient-errors.js'
import type { Database } from '../db/database.js'
import { usingSession } from '../db/session.js'
import { HISTORY_TABLE_NAME } from '../db/tables/history-table.js'
import { STATUS_TABLE_NAME } from '../db/tables/status-table.js'
import { recordRun } from '../history/run-history.js'
import { centralNow, markUploadProblem, readStatusRow } from '../status/status-store.js'

/**
 * Tells the central server about a cycle that failed before it could claim
 * the upload (a failed export, bad staging table names, missing tables):
 * the error goes on the hospital's status row and a failed upload row into
 * the run history, so that `status` and the monitor show it. Best effort:
 * when the central database cannot take it, the local LAB_SyncStatus row
 * still holds the error, and the caller's result is unchanged. Transient
 * failures are left out.
 */
export async function reportProblemCentrally(
  centralDb: Database,
  central: CentralConfig,
  idEfector: number,
  owner: string,
  error: LabsyncError,
): Promise<boolean> {
  // A lost connection or a deadlock is the retry runner's to handle (it releases any claim it left).
  if (error.code === 'LABSYNC_CONNECTION' || isTransientError(error)) return false
  try {
    return await usingSession(centralDb, async (session) => {
      const status = await findTable(session, STATUS_TABLE_NAME, central.schema)
      const history = await findTable(session, HISTORY_TABLE_NAME, central.schema)
      if (!status || !history || !(await readStatusRow(session, status, idEfector))) return false
      const message = `${error.code}: ${error.message}`
      await session.transaction(async () => {
        await markUploadProblem(session, status, idEfector, message)
        const now = await centralNow(session)
        await recordRun(session, history, {
          idEfector,
          kind: 'upload',
          startedAt: now,
          finishedAt: now,
          outcome: 'failed',
          durationMs: 0,
          owner,
          message,
        })
      })
      return true
    })
  } catch {
    return false
  }
}
