import { sql } from 'kysely'
import { LabsyncError } from '../core/errors.js'
import type { TableName } from '../db/database.js'
import { normaliseDatetime } from '../db/row-validator.js'
import type { Session } from '../db/session.js'
import { STATUS_TABLE } from '../db/tables/status-table.js'
import type { StatusRow } from '../protocol/efector-state.js'
import { importClaimable, uploadClaimable } from './status-conditions.js'

/**
 * Reads and claims status rows (`LAB_EstadoSyncGeneral`). Every claim is
 * ONE conditional UPDATE whose changed-row count says whether it was
 * granted; every release and commit names the owner that claimed, so that a
 * process whose claim was taken over (stale) cannot overwrite the new one.
 * Every timestamp is the central database's clock.
 */

const DATETIME_COLUMNS = new Set(
  STATUS_TABLE.columns.filter((column) => column.type.kind === 'datetime').map((column) => column.name),
)
const INT_COLUMNS = new Set(
  STATUS_TABLE.columns.filter((column) => column.type.kind === 'int').map((column) => column.name),
)

export const kyselyTable = (table: TableName) => (table.schema ? `${table.schema}.${table.name}` : table.name)

export function toStatusRow(raw: Record<string, unknown>): StatusRow {
  const row: Record<string, unknown> = {}
  for (const column of STATUS_TABLE.columns) {
    const value = raw[column.name] ?? null
    if (value === null) row[column.name] = null
    else if (DATETIME_COLUMNS.has(column.name)) row[column.name] = normaliseDatetime(value)
    else if (INT_COLUMNS.has(column.name)) row[column.name] = Number(value)
    else row[column.name] = String(value)
  }
  return row as unknown as StatusRow
}

export async function centralNow(session: Session): Promise<string> {
  const { rows } = await session.run<{ now: unknown }>(sql`SELECT ${session.dialect.now()} AS now`)
  return normaliseDatetime(rows[0].now)
}

export async function readStatusRow(
  session: Session,
  table: TableName,
  idEfector: number,
): Promise<StatusRow | undefined> {
  const raw = await session.db
    .selectFrom(kyselyTable(table))
    .selectAll()
    .where('idEfector', '=', idEfector)
    .executeTakeFirst()
  return raw ? toStatusRow(raw) : undefined
}

/** The hospital's status row, or LABSYNC_EFECTOR_UNKNOWN saying how to register it. */
export async function requireStatusRow(session: Session, table: TableName, idEfector: number): Promise<StatusRow> {
  const row = await readStatusRow(session, table, idEfector)
  if (!row) {
    throw new LabsyncError(
      'LABSYNC_EFECTOR_UNKNOWN',
      `hospital ${idEfector} has no row in LAB_EstadoSyncGeneral; register it with \`labsync central add-efector\``,
      { location: { efector: idEfector, table: table.name } },
    )
  }
  return row
}

export async function listStatusRows(session: Session, table: TableName): Promise<StatusRow[]> {
  const rows = await session.db.selectFrom(kyselyTable(table)).selectAll().orderBy('idEfector').execute()
  return rows.map(toStatusRow)
}

/** PROTOCOL.md efector step 4. True when this owner now holds the upload. */
export async function claimUpload(
  session: Session,
  table: TableName,
  idEfector: number,
  owner: string,
  leaseMinutes: number,
): Promise<boolean> {
  const result = await session.db
    .updateTable(kyselyTable(table))
    .set({
      ultimoUpdateEfectorInicio: session.dialect.now(),
      ultimoUpdateEfectorFin: null,
      labsyncUploadOwner: owner,
      labsyncUploadFailedInicio: null,
    })
    .where('idEfector', '=', idEfector)
    .where(uploadClaimable(session.dialect, leaseMinutes))
    .executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}

/**
 * The last statement of the upload transaction: the end mark, the counts
 * and the next sequence number, only while this owner still holds the claim.
 */
export async function markUploadCommitted(
  session: Session,
  table: TableName,
  idEfector: number,
  owner: string,
  counts: { headers: number; details: number },
): Promise<string | undefined> {
  const now = await centralNow(session)
  const result = await session.db
    .updateTable(kyselyTable(table))
    .set({
      ultimoUpdateEfectorFin: now,
      ultimoSyncRegistrosEncabezado: counts.headers,
      ultimoSyncRegistrosDetalle: counts.details,
      labsyncUploadSeq: sql`COALESCE(${sql.ref('labsyncUploadSeq')}, 0) + 1`,
      labsyncUploadFin: now,
      labsyncUploadOwner: null,
      labsyncUploadError: null,
      labsyncUploadErrorAt: null,
      // New data: a failed import may be tried again at once instead of waiting out its backoff.
      labsyncImportRetryAfter: null,
    })
    .where('idEfector', '=', idEfector)
    .where('labsyncUploadOwner', '=', owner)
    .where('ultimoUpdateEfectorFin', 'is', null)
    .executeTakeFirst()
  return Number(result.numUpdatedRows) === 1 ? now : undefined
}

/**
 * After a failed upload (its own transaction): `ultimoUpdateEfectorFin`
 * stays NULL, so that no importer takes the previous staging for a new
 * upload, and the claim is marked failed so that the next upload may take it
 * at once instead of waiting for the lease.
 */
export async function markUploadFailed(
  session: Session,
  table: TableName,
  idEfector: number,
  owner: string,
  message: string,
): Promise<void> {
  await session.db
    .updateTable(kyselyTable(table))
    .set({
      labsyncUploadError: message.slice(0, 4000),
      labsyncUploadErrorAt: session.dialect.now(),
      labsyncUploadFailedInicio: sql.ref('ultimoUpdateEfectorInicio'),
      labsyncUploadOwner: null,
    })
    .where('idEfector', '=', idEfector)
    .where('labsyncUploadOwner', '=', owner)
    .where('ultimoUpdateEfectorFin', 'is', null)
    .execute()
}

/** PROTOCOL.md central step 1: hospitals whose import may be claimed now, oldest import first. */
export async function listImportCandidates(
  session: Session,
  table: TableName,
  leaseMinutes: number,
): Promise<StatusRow[]> {
  // Skip, not wait for, a row another importer holds locked (SQL Server READPAST).
  const rows = await session.db
    .selectFrom(sql`(SELECT * FROM ${session.dialect.skippingLockedRows(table)})`.as('candidates'))
    .selectAll()
    .where(importClaimable(session.dialect, leaseMinutes))
    .orderBy(sql`CASE WHEN ${sql.ref('ultimoSyncFechaInicio')} IS NULL THEN 0 ELSE 1 END`)
    .orderBy('ultimoSyncFechaInicio')
    .orderBy('idEfector')
    .execute()
  return rows.map(toStatusRow)
}

/** PROTOCOL.md central step 2. True when this owner now holds the import. */
export async function claimImport(
  session: Session,
  table: TableName,
  idEfector: number,
  owner: string,
  leaseMinutes: number,
): Promise<boolean> {
  const result = await session.db
    .updateTable(kyselyTable(table))
    .set({ ultimoSyncFechaInicio: session.dialect.now(), ultimoSyncFechaFin: null, labsyncImportOwner: owner })
    .where('idEfector', '=', idEfector)
    .where(importClaimable(session.dialect, leaseMinutes))
    .executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}

/** The last statement of the import transaction. `error` is set when rows were refused. */
export async function markImportCommitted(
  session: Session,
  table: TableName,
  idEfector: number,
  owner: string,
  counts: { headers: number; details: number },
  error: string | null,
): Promise<boolean> {
  const result = await session.db
    .updateTable(kyselyTable(table))
    .set({
      ultimoSyncFechaFin: session.dialect.now(),
      ultimoSyncRegistrosEncabezado: counts.headers,
      ultimoSyncRegistrosDetalle: counts.details,
      labsyncImportedSeq: sql.ref('labsyncUploadSeq'),
      labsyncImportOwner: null,
      labsyncImportError: error,
      labsyncImportErrorAt: error === null ? null : session.dialect.now(),
      labsyncImportFailures: 0,
      labsyncImportRetryAfter: null,
    })
    .where('idEfector', '=', idEfector)
    .where('labsyncImportOwner', '=', owner)
    .where('ultimoSyncFechaFin', 'is', null)
    .executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}

/**
 * After a failed import (its own transaction): the claim is released by
 * putting back the import dates it replaced, so the hospital stays pending
 * and never blocks its uploads; the error, the failure count and the time
 * of the next attempt are recorded.
 */
export async function markImportFailed(
  session: Session,
  table: TableName,
  previous: StatusRow,
  owner: string,
  message: string,
  retryAfterMinutes: number,
): Promise<void> {
  const previousFin =
    previous.ultimoSyncFechaInicio === null ? null : (previous.ultimoSyncFechaFin ?? previous.ultimoSyncFechaInicio)
  await session.db
    .updateTable(kyselyTable(table))
    .set({
      ultimoSyncFechaInicio: previous.ultimoSyncFechaInicio,
      ultimoSyncFechaFin: previousFin,
      labsyncImportOwner: null,
      labsyncImportError: message.slice(0, 4000),
      labsyncImportErrorAt: session.dialect.now(),
      labsyncImportFailures: sql`COALESCE(${sql.ref('labsyncImportFailures')}, 0) + 1`,
      labsyncImportRetryAfter: session.dialect.minutesFromNow(retryAfterMinutes),
    })
    .where('idEfector', '=', previous.idEfector)
    .where('labsyncImportOwner', '=', owner)
    .execute()
}

/**
 * Records on the status row an upload that failed before it claimed (the
 * export failed, or the status row names bad staging tables), so that the
 * central side sees it too. Touches no claim column.
 */
export async function markUploadProblem(
  session: Session,
  table: TableName,
  idEfector: number,
  message: string,
): Promise<void> {
  await session.db
    .updateTable(kyselyTable(table))
    .set({ labsyncUploadError: message.slice(0, 4000), labsyncUploadErrorAt: session.dialect.now() })
    .where('idEfector', '=', idEfector)
    .execute()
}
