import { sql } from 'kysely'
import type { CentralConfig } from '../core/config.js'
import { LabsyncError, toLabsyncError } from '../core/errors.js'
import type { TableName } from '../db/database.js'
import type { Session } from '../db/session.js'
import { importBlockedBecause } from '../protocol/efector-state.js'
import { centralNow, listImportCandidates, listStatusRows } from '../status/status-store.js'
import { resolveCentralTables, resolveStagingTables } from './central-tables.js'

/**
 * `labsync central run --dry-run`: which hospitals a pass would import now
 * (the same SQL condition as the claim), why each other one would not be,
 * and, for those it would, what their staging holds. Reads only.
 */
export interface CentralDryRunEntry {
  idEfector: number
  nombreEfector: string | null
  eligible: boolean
  /** Why it is not eligible. */
  reason?: string
  staged?: StagedCounts
  /** A problem the import would meet (a missing staging table, a bad table name). */
  error?: LabsyncError
}

export interface StagedCounts {
  headers: number
  /** Headers with baja = 1 whose protocol the central tables hold: the protocols the import would delete. */
  annulled: number
  /** Details whose protocol is staged and not annulled: the ones the import would write. */
  details: number
  /** Details whose protocol has no staged header: not imported, a warning. */
  orphanDetails: number
  /** Rows carrying another hospital's idEfector: refused. */
  foreignRows: number
}

export interface CentralDryRun {
  now: string
  entries: CentralDryRunEntry[]
}

export async function dryRunCentralPass(session: Session, central: CentralConfig): Promise<CentralDryRun> {
  const tables = await resolveCentralTables(session, central.schema)
  const now = await centralNow(session)
  const candidates = new Set(
    (await listImportCandidates(session, tables.status, central.leaseMinutes)).map((row) => row.idEfector),
  )
  const entries: CentralDryRunEntry[] = []
  for (const row of await listStatusRows(session, tables.status)) {
    const entry: CentralDryRunEntry = {
      idEfector: row.idEfector,
      nombreEfector: row.nombreEfector,
      eligible: candidates.has(row.idEfector),
    }
    if (!entry.eligible) {
      entry.reason = importBlockedBecause(row, now, central.leaseMinutes) ?? 'its status row does not allow a claim now'
    } else {
      try {
        const staging = await resolveStagingTables(session, row, central.schema)
        entry.staged = await countStaged(session, row.idEfector, staging, tables.header)
      } catch (thrown) {
        entry.error = toLabsyncError(thrown, 'LABSYNC_IMPORT', { efector: row.idEfector })
      }
    }
    entries.push(entry)
  }
  return { now, entries }
}

async function countStaged(
  session: Session,
  idEfector: number,
  staging: { header: TableName; detail: TableName },
  centralHeader: TableName,
): Promise<StagedCounts> {
  const { dialect } = session
  const E = sql.raw(dialect.qualify(staging.header))
  const D = sql.raw(dialect.qualify(staging.detail))
  const C = sql.raw(dialect.qualify(centralHeader))
  const id = (name: string) => sql.ref(name)
  const headerOf = (alive: boolean) =>
    sql`SELECT 1 FROM ${E} h WHERE h.${id('idEfector')} = d.${id('idEfector')} AND h.${id('idProtocolo')} = d.${id('idProtocolo')}${
      alive ? sql` AND h.${id('baja')} = ${dialect.bit(false)}` : sql``
    }`
  const own = sql`${id('idEfector')} = ${idEfector}`
  const { rows } = await session.run<Record<string, unknown>>(sql`SELECT
    (SELECT COUNT(*) FROM ${E} WHERE ${own}) AS headers,
    (SELECT COUNT(*) FROM ${E} h WHERE h.${id('idEfector')} = ${idEfector} AND h.${id('baja')} = ${dialect.bit(true)}
      AND EXISTS (SELECT 1 FROM ${C} c WHERE c.${id('idEfector')} = h.${id('idEfector')} AND c.${id('idProtocolo')} = h.${id('idProtocolo')})) AS annulled,
    (SELECT COUNT(*) FROM ${D} d WHERE d.${id('idEfector')} = ${idEfector} AND EXISTS (${headerOf(true)})) AS details,
    (SELECT COUNT(*) FROM ${D} d WHERE d.${id('idEfector')} = ${idEfector} AND NOT EXISTS (${headerOf(false)})) AS orphans,
    (SELECT COUNT(*) FROM ${E} WHERE ${id('idEfector')} <> ${idEfector}) AS foreign_headers,
    (SELECT COUNT(*) FROM ${D} WHERE ${id('idEfector')} <> ${idEfector}) AS foreign_details`)
  const count = (name: string) => Number(rows[0][name])
  return {
    headers: count('headers'),
    annulled: count('annulled'),
    details: count('details'),
    orphanDetails: count('orphans'),
    foreignRows: count('foreign_headers') + count('foreign_details'),
  }
}

export function describeCentralDryRun(run: CentralDryRun): string[] {
  const eligible = run.entries.filter((entry) => entry.eligible).length
  const lines = [
    `central pass: dry run, nothing written: ${eligible} of ${run.entries.length} hospitals would be imported now`,
  ]
  for (const entry of run.entries) {
    const name = `efector ${entry.idEfector}${entry.nombreEfector ? ` ${entry.nombreEfector}` : ''}`
    if (!entry.eligible) lines.push(`  ${name}: not eligible: ${entry.reason}`)
    else if (entry.error)
      lines.push(`  ${name}: eligible, but the import would fail: ${entry.error.code}: ${entry.error.message}`)
    else {
      const s = entry.staged!
      const notes = [
        s.annulled > 0 ? `${s.annulled} protocols deleted` : '',
        s.orphanDetails > 0 ? `${s.orphanDetails} details without a staged header skipped (warning)` : '',
        s.foreignRows > 0 ? `${s.foreignRows} rows of other hospitals refused (error)` : '',
      ].filter(Boolean)
      lines.push(
        `  ${name}: would import ${s.headers} headers and ${s.details} details${notes.length ? `; ${notes.join('; ')}` : ''}`,
      )
    }
  }
  return lines
}
