import { sql } from 'kysely'
import type { CentralConfig } from '../core/config.js'
import { LabsyncError, toLabsyncError } from '../core/errors.js'
import type { TableName } from '../db/database.js'
import type { Session } from '../db/session.js'
import { importBlockedBecause } from '../protocol/efector-state.js'
import { centralNow, listImportCandidates, listStatusRows } from '../status/status-store.js'
import { resolveCentralTables, resolveStagingTables } from './central-tables.js'
import { countStaged } from './merge-staging.js'

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
        entry.staged = await countStagedForDryRun(session, row.idEfector, staging, tables.header)
      } catch (thrown) {
        entry.error = toLabsyncError(thrown, 'LABSYNC_IMPORT', { efector: row.idEfector })
      }
    }
    entries.push(entry)
  }
  return { now, entries }
}

/** The merge's own counts of the staging, and the annulled protocols it would delete. */
async function countStagedForDryRun(
  session: Session,
  idEfector: number,
  staging: { header: TableName; detail: TableName },
  centralHeader: TableName,
): Promise<StagedCounts> {
  const counts = await countStaged(session, idEfector, { stagingHeader: staging.header, stagingDetail: staging.detail })
  const { dialect } = session
  const id = (name: string) => sql.ref(name)
  const { rows } = await session.run<{ annulled: unknown }>(sql`SELECT COUNT(*) AS annulled
    FROM ${sql.raw(dialect.qualify(staging.header))} h
    WHERE h.${id('idEfector')} = ${idEfector} AND h.${id('baja')} = ${dialect.bit(true)}
      AND EXISTS (SELECT 1 FROM ${sql.raw(dialect.qualify(centralHeader))} c
        WHERE c.${id('idEfector')} = h.${id('idEfector')} AND c.${id('idProtocolo')} = h.${id('idProtocolo')})`)
  return {
    headers: counts.headers,
    annulled: Number(rows[0].annulled),
    details: counts.details,
    orphanDetails: counts.orphans,
    foreignRows: counts.foreignHeaders + counts.foreignDetails,
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
