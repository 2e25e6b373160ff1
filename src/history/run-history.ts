import type { TableName } from '../db/database.js'
import type { Session } from '../db/session.js'
import { normaliseDatetime } from '../db/row-validator.js'
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

/** A run as stored: datetimes canonical, counts as numbers or null. */
export interface StoredRun {
  id: number
  idEfector: number
  kind: 'upload' | 'import'
  startedAt: string
  finishedAt: string | null
  outcome: RunRecord['outcome']
  headerRows: number | null
  detailRows: number | null
  deletedProtocols: number | null
  orphanDetails: number | null
  refusedRows: number | null
  durationMs: number | null
  rowsPerSecond: number | null
  owner: string | null
  message: string | null
}

const numberOrNull = (value: unknown) => (value === null || value === undefined ? null : Number(value))

export function toStoredRun(raw: Record<string, unknown>): StoredRun {
  return {
    id: Number(raw.id),
    idEfector: Number(raw.idEfector),
    kind: String(raw.kind) as StoredRun['kind'],
    startedAt: normaliseDatetime(raw.startedAt),
    finishedAt: raw.finishedAt === null || raw.finishedAt === undefined ? null : normaliseDatetime(raw.finishedAt),
    outcome: String(raw.outcome) as StoredRun['outcome'],
    headerRows: numberOrNull(raw.headerRows),
    detailRows: numberOrNull(raw.detailRows),
    deletedProtocols: numberOrNull(raw.deletedProtocols),
    orphanDetails: numberOrNull(raw.orphanDetails),
    refusedRows: numberOrNull(raw.refusedRows),
    durationMs: numberOrNull(raw.durationMs),
    rowsPerSecond: numberOrNull(raw.rowsPerSecond),
    owner: raw.owner === null || raw.owner === undefined ? null : String(raw.owner),
    message: raw.message === null || raw.message === undefined ? null : String(raw.message),
  }
}

/**
 * The runs of one hospital, newest first: at most `limit`, and only those
 * started at or after `since` (a canonical datetime) when given.
 */
export async function readRuns(
  session: Session,
  table: TableName,
  options: { idEfector: number; since?: string; limit: number },
): Promise<StoredRun[]> {
  let query = session.db.selectFrom(kyselyTable(table)).selectAll().where('idEfector', '=', options.idEfector)
  if (options.since !== undefined) query = query.where('startedAt', '>=', options.since)
  const rows = await session.dialect.limit(query.orderBy('id', 'desc'), options.limit).execute()
  return rows.map(toStoredRun)
}

/** Failed runs of every hospital, by kind. */
export async function countFailedRuns(
  session: Session,
  table: TableName,
): Promise<Array<{ idEfector: number; kind: StoredRun['kind']; failures: number }>> {
  const rows = await session.db
    .selectFrom(kyselyTable(table))
    .select(['idEfector', 'kind', (eb) => eb.fn.countAll().as('failures')])
    .where('outcome', '=', 'failed')
    .groupBy(['idEfector', 'kind'])
    .execute()
  return rows.map((row) => ({
    idEfector: Number(row.idEfector),
    kind: String(row.kind) as StoredRun['kind'],
    failures: Number(row.failures),
  }))
}

/** The importer pass that recorded the latest import run, measured from its own runs. */
export interface PassSummary {
  owner: string
  startedAt: string
  finishedAt: string
  /** From the first import's start to the last one's end, on the central clock. */
  durationMs: number
  /** Imports the pass recorded, failed ones included. */
  imports: number
  failed: number
}

/**
 * The latest importer pass, derived from labsync_run: every import run
 * carries the owner id of its pass (one per `central run`), so the pass is
 * the runs that share the owner of the newest import. A pass that found
 * nothing to import records no run and is not seen here.
 */
export async function readLatestPass(session: Session, table: TableName): Promise<PassSummary | undefined> {
  const newest = session.db
    .selectFrom(kyselyTable(table))
    .select('owner')
    .where('kind', '=', 'import')
    .where('owner', 'is not', null)
    .orderBy('id', 'desc')
  // LIMIT is not T-SQL: the dialect writes TOP for SQL Server.
  const latest = await session.dialect.limit(newest, 1).executeTakeFirst()
  if (!latest) return undefined
  const owner = String(latest.owner)
  const rows = (
    await session.db
      .selectFrom(kyselyTable(table))
      .selectAll()
      .where('kind', '=', 'import')
      .where('owner', '=', owner)
      .execute()
  ).map(toStoredRun)
  const startedAt = rows.map((run) => run.startedAt).reduce((a, b) => (a < b ? a : b))
  const finishedAt = rows.map((run) => run.finishedAt ?? run.startedAt).reduce((a, b) => (a > b ? a : b))
  return {
    owner,
    startedAt,
    finishedAt,
    durationMs: Math.max(
      0,
      Date.parse(`${finishedAt.replace(' ', 'T')}Z`) - Date.parse(`${startedAt.replace(' ', 'T')}Z`),
    ),
    imports: rows.length,
    failed: rows.filter((run) => run.outcome === 'failed').length,
  }
}

/** Each hospital's newest run of this kind that committed (outcome other than failed). */
export async function readLastCommittedRuns(
  session: Session,
  table: TableName,
  kind: StoredRun['kind'],
): Promise<Map<number, StoredRun>> {
  const newest = session.db
    .selectFrom(kyselyTable(table))
    .select((eb) => eb.fn.max('id').as('id'))
    .where('kind', '=', kind)
    .where('outcome', '<>', 'failed')
    .groupBy('idEfector')
  const rows = await session.db.selectFrom(kyselyTable(table)).selectAll().where('id', 'in', newest).execute()
  return new Map(rows.map(toStoredRun).map((run) => [run.idEfector, run]))
}
