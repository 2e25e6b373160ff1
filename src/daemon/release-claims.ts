import type { CentralConfig } from '../core/config.js'
import { resolveCentralTables } from '../central/central-tables.js'
import type { Database, TableName } from '../db/database.js'
import { usingSession, type Session } from '../db/session.js'
import { recordRun } from '../history/run-history.js'
import { minutesBetween, type StatusRow } from '../protocol/efector-state.js'
import { centralNow, markImportFailed, markUploadFailed, readStatusRow } from '../status/status-store.js'

/**
 * When a run loses its connection in the middle of an upload or an import,
 * the statement that would have marked its claim failed is lost with it,
 * and the claim would block the hospital until its lease expires. These
 * release such a claim on a fresh connection, only while the same owner
 * still holds it (so a claim taken over since is never touched), and record
 * the failure in the run history. They return whether anything was released.
 */
export async function releaseUploadClaim(
  centralDb: Database,
  central: CentralConfig,
  idEfector: number,
  owner: string,
  message: string,
): Promise<boolean> {
  return usingSession(centralDb, async (session) => {
    const tables = await resolveCentralTables(session, central.schema)
    return session.transaction(async () => {
      const row = await readStatusRow(session, tables.status, idEfector)
      if (!row || row.labsyncUploadOwner !== owner || row.ultimoUpdateEfectorFin !== null) return false
      await markUploadFailed(session, tables.status, idEfector, owner, message)
      await recordFailure(session, tables.history, {
        idEfector,
        kind: 'upload',
        claimedAt: row.ultimoUpdateEfectorInicio,
        owner,
        message,
      })
      return true
    })
  })
}

/**
 * `previous` is the status row as it was before the claim (what the pass
 * handed to onHospital): its import dates are put back. The hospital may be
 * retried at once: the failure was the link's, not the hospital's.
 */
export async function releaseImportClaim(
  centralDb: Database,
  central: CentralConfig,
  previous: StatusRow,
  owner: string,
  message: string,
): Promise<boolean> {
  return usingSession(centralDb, async (session) => {
    const tables = await resolveCentralTables(session, central.schema)
    return session.transaction(async () => {
      const row = await readStatusRow(session, tables.status, previous.idEfector)
      if (!row || row.labsyncImportOwner !== owner || row.ultimoSyncFechaFin !== null) return false
      await markImportFailed(session, tables.status, previous, owner, message, 0)
      await recordFailure(session, tables.history, {
        idEfector: previous.idEfector,
        kind: 'import',
        claimedAt: row.ultimoSyncFechaInicio,
        owner,
        message,
      })
      return true
    })
  })
}

/** The history row of a run that died with its claim: from the claim to now. */
async function recordFailure(
  session: Session,
  history: TableName,
  run: { idEfector: number; kind: 'upload' | 'import'; claimedAt: string | null; owner: string; message: string },
): Promise<void> {
  const now = await centralNow(session)
  const startedAt = run.claimedAt ?? now
  await recordRun(session, history, {
    idEfector: run.idEfector,
    kind: run.kind,
    startedAt,
    finishedAt: now,
    outcome: 'failed',
    durationMs: Math.max(0, minutesBetween(startedAt, now) * 60_000),
    owner: run.owner,
    message: run.message,
  })
}
