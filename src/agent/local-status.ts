import { sql } from 'kysely'
import type { EfectorConfig } from '../core/config.js'
import { LabsyncError } from '../core/errors.js'
import { findTable, requireTable } from '../db/catalog.js'
import type { TableName } from '../db/database.js'
import type { Session } from '../db/session.js'
import { LOCAL_STATUS_TABLE } from '../db/tables/local-tables.js'
import { kyselyTable } from '../status/status-store.js'
import { DEFAULT_EXPORT_DAYS } from './export/export-step.js'

/**
 * The hospital's own record of each efector cycle, `LAB_SyncStatus`, with
 * the local database's clock (it records the hospital's side of the run).
 */
export class LocalRunLog {
  readonly #session: Session
  readonly #table: TableName
  readonly id: number

  private constructor(session: Session, table: TableName, id: number) {
    this.#session = session
    this.#table = table
    this.id = id
  }

  /** PROTOCOL.md efector step 1: a new row with fechaInicio. */
  static async start(session: Session): Promise<LocalRunLog> {
    const table = await requireTable(session, LOCAL_STATUS_TABLE.name, { hint: 'run `labsync efector install`' })
    const insert = session.db.insertInto(kyselyTable(table)).values({ fechaInicio: session.dialect.now() })
    const inserted = await session.dialect.returning(insert, 'id').executeTakeFirstOrThrow()
    return new LocalRunLog(session, table, Number(inserted.id))
  }

  /** The row of an earlier attempt of the same cycle, which a retry carries on. */
  static async resume(session: Session, id: number): Promise<LocalRunLog> {
    const table = await requireTable(session, LOCAL_STATUS_TABLE.name, { hint: 'run `labsync efector install`' })
    return new LocalRunLog(session, table, id)
  }

  async exported(counts: { headers: number; details: number }): Promise<void> {
    await this.#update({
      fechaFin: this.#session.dialect.now(),
      cantidadRegistrosEncabezado: counts.headers,
      cantidadRegistrosDetalle: counts.details,
    })
  }

  async uploaded(): Promise<void> {
    await this.#update({
      fechaFinUpload: this.#session.dialect.now(),
      labsyncOutcome: 'uploaded',
      labsyncMessage: null,
    })
  }

  async finished(outcome: 'skipped' | 'failed' | 'exported', message: string): Promise<void> {
    await this.#update({ labsyncOutcome: outcome, labsyncMessage: message.slice(0, 4000) })
  }

  async #update(values: Record<string, unknown>): Promise<void> {
    await this.#session.db.updateTable(kyselyTable(this.#table)).set(values).where('id', '=', this.id).execute()
  }
}

/** Reads the legacy `LAB_SyncConfig` row, when the table exists. */
export async function readLegacyConfig(
  session: Session,
): Promise<{ idEfector: number | null; diasASincronizar: number | null } | undefined> {
  const table = await findTable(session, 'LAB_SyncConfig')
  if (!table) return undefined
  const { rows } = await session.run<{ idEfector: unknown; diasASincronizar: unknown }>(
    sql`SELECT ${sql.ref('idEfector')}, ${sql.ref('diasASincronizar')} FROM ${sql.raw(session.dialect.qualify(table))}`,
  )
  if (rows.length === 0) return undefined
  if (rows.length > 1) {
    // Which row the legacy job reads is not defined; guessing could upload as another hospital.
    throw new LabsyncError(
      'LABSYNC_CONFIG',
      `LAB_SyncConfig holds ${rows.length} rows, and labsync reads it only when it holds one; set efector.id and efector.export.days in the configuration, or keep one row`,
      { location: { table: table.name } },
    )
  }
  const toNumber = (value: unknown) => (value === null || value === undefined ? null : Number(value))
  return { idEfector: toNumber(rows[0].idEfector), diasASincronizar: toNumber(rows[0].diasASincronizar) }
}

/**
 * The hospital's id and the days to export: the configuration first, then
 * the legacy LAB_SyncConfig row, then (for the days) 7.
 */
export async function resolveIdAndDays(
  local: Session,
  efector: EfectorConfig,
): Promise<{ idEfector: number; days: number }> {
  const legacy =
    efector.id === undefined || efector.export.days === undefined ? await readLegacyConfig(local) : undefined
  const idEfector = efector.id ?? legacy?.idEfector ?? undefined
  if (idEfector === undefined || idEfector === null) {
    throw new LabsyncError(
      'LABSYNC_CONFIG',
      'efector.id is not set in the configuration and LAB_SyncConfig holds no idEfector',
    )
  }
  return { idEfector, days: efector.export.days ?? legacy?.diasASincronizar ?? DEFAULT_EXPORT_DAYS }
}
