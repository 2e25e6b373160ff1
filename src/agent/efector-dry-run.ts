import type { CentralConfig, EfectorConfig } from '../core/config.js'
import { LabsyncError, toLabsyncError } from '../core/errors.js'
import type { Database } from '../db/database.js'
import { usingSession, type Session } from '../db/session.js'
import { resolveCentralTables, resolveStagingTables } from '../central/central-tables.js'
import { uploadBlockedBecause } from '../protocol/efector-state.js'
import { centralNow, requireStatusRow } from '../status/status-store.js'
import { countStagingRows } from './export/count-staging-rows.js'
import { runExportStep } from './export/export-step.js'
import { resolveIdAndDays } from './local-status.js'
import { localStagingSources } from './upload.js'

/**
 * `labsync efector run --dry-run`: what one cycle would export and upload,
 * and whether the upload would be claimed now, writing nothing anywhere
 * (no LAB_SyncStatus row, no claim, no lock). Every row is read and checked
 * as the real run would, so a bad row is reported here too.
 */
export interface EfectorDryRun {
  idEfector: number
  export: { mode: EfectorConfig['export']['mode']; days: number; headers: number; details: number; written: boolean }
  /** The rows the upload would send; undefined when the check of the rows failed (see `error`). */
  upload?: { headers: number; details: number }
  /** Whether the upload claim would be granted now, and why not; undefined over HTTPS (the server decides). */
  claim?: { granted: boolean; reason?: string; stagingTables: { header: string; detail: string } }
  /** The first problem met (a bad row, a missing table), as the real run would report it. */
  error?: LabsyncError
}

export async function dryRunEfectorCycle(
  localDb: Database,
  centralDb: Database | undefined,
  efector: EfectorConfig,
  central: CentralConfig | undefined,
): Promise<EfectorDryRun> {
  return usingSession(localDb, async (local) => {
    const { idEfector, days } = await resolveIdAndDays(local, efector)
    const mode = efector.export.mode
    const result: EfectorDryRun = {
      idEfector,
      export: { mode, days, headers: 0, details: 0, written: mode === 'sql' || mode === 'builtin' },
    }
    try {
      const exported = await runExportStep(local, efector, idEfector, days, { dryRun: true })
      result.export = { ...result.export, headers: exported.headers, details: exported.details }
      result.upload = result.export.written
        ? { headers: exported.headers, details: exported.details }
        : await checkLocalStaging(local, idEfector)
      if (centralDb && central) result.claim = await wouldClaim(centralDb, central, idEfector)
    } catch (thrown) {
      result.error = toLabsyncError(thrown, 'LABSYNC_UPLOAD', { efector: idEfector })
    }
    return result
  })
}

/** What is staged locally, read and checked row by row as the upload would. */
async function checkLocalStaging(local: Session, idEfector: number) {
  const sources = await localStagingSources(local, idEfector)
  return countStagingRows(idEfector, sources.headers, sources.details)
}

async function wouldClaim(
  centralDb: Database,
  central: CentralConfig,
  idEfector: number,
): Promise<EfectorDryRun['claim']> {
  return usingSession(centralDb, async (session) => {
    const tables = await resolveCentralTables(session, central.schema)
    const row = await requireStatusRow(session, tables.status, idEfector)
    const staging = await resolveStagingTables(session, row, central.schema)
    const reason = uploadBlockedBecause(row, await centralNow(session), central.leaseMinutes)
    return {
      granted: reason === undefined,
      reason,
      stagingTables: { header: staging.header.name, detail: staging.detail.name },
    }
  })
}

/** The dry run as lines for people. */
export function describeEfectorDryRun(run: EfectorDryRun): string[] {
  const lines = [`efector ${run.idEfector}: dry run, nothing written`]
  const rows = (counts: { headers: number; details: number }) =>
    `${counts.headers} headers and ${counts.details} details`
  if (run.export.written) {
    lines.push(
      `  export (mode ${run.export.mode}, ${run.export.days} days): would write ${rows(run.export)} into the local staging`,
    )
  } else if (run.export.mode === 'procedure') {
    lines.push(
      `  export (mode procedure): would call the stored procedure (not called in a dry run); the local staging holds ${rows(run.export)}`,
    )
  } else {
    lines.push(`  export (mode none): another tool fills the local staging; it holds ${rows(run.export)}`)
  }
  if (run.error) {
    lines.push(`  the run would fail: ${run.error.code}: ${run.error.message}`)
    return lines
  }
  if (!run.claim) {
    lines.push(`  upload over HTTPS: would send ${rows(run.upload!)}; the server decides whether it may claim now`)
  } else if (run.claim.granted) {
    lines.push(
      `  upload: would claim and replace ${run.claim.stagingTables.header} and ${run.claim.stagingTables.detail} with ${rows(run.upload!)}`,
    )
  } else {
    lines.push(`  upload: would skip (${rows(run.upload!)} staged): ${run.claim.reason}`)
  }
  return lines
}
