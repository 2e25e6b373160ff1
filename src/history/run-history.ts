import type { TableName } from '../db/database.js'
import type { Session } from '../db/session.js'
import { kyselyTable } from '../status/status-store.js'

/** One row of labsync's run history: an upload or an import of one hospital. */
export interface RunRecord {
  idEfector: number
  kind: 'upload' | 'import'
  startedAt: string
  finishedAt: string | null
  outcome: 'ok' | 'warning' | 'partial' | 'failed'
  headerRows?: number
  detailRows?: number
  deletedProtocols?: number
  orphanDetails?: number
  refusedRows?: number
  durationMs: number
  owner: string
  /** Names rows by their keys only. */
  message?: string | null
  details?: Record<string, unknown>
}

export async function recordRun(session: Session, table: TableName, run: RunRecord): Promise<void> {
  const rows = (run.headerRows ?? 0) + (run.detailRows ?? 0)
  await session.db
    .insertInto(kyselyTable(table))
    .values({
      idEfector: run.idEfector,
      kind: run.kind,
      startedAt: run.startedAt,
      finishedAt: run.finishedAt,
      outcome: run.outcome,
      headerRows: run.headerRows ?? null,
      detailRows: run.detailRows ?? null,
      deletedProtocols: run.deletedProtocols ?? null,
      orphanDetails: run.orphanDetails ?? null,
      refusedRows: run.refusedRows ?? null,
      durationMs: Math.round(run.durationMs),
      rowsPerSecond: run.durationMs > 0 ? Math.min(2147483647, Math.round((rows * 1000) / run.durationMs)) : null,
      owner: run.owner.slice(0, 200),
      message: run.message ? run.message.slice(0, 4000) : null,
      details: run.details ? JSON.stringify(run.details) : null,
    })
    .execute()
}

export async function listRuns(
  session: Session,
  table: TableName,
  options: { idEfector?: number; limit?: number } = {},
): Promise<Record<string, unknown>[]> {
  let query = session.db.selectFrom(kyselyTable(table)).selectAll()
  if (options.idEfector !== undefined) query = query.where('idEfector', '=', options.idEfector)
  return session.dialect.limit(query.orderBy('id', 'desc'), options.limit ?? 100).execute()
}
