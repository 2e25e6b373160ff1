import type { CentralConfig, EfectorConfig } from '../core/config.js'
import { LabsyncError, toLabsyncError } from '../core/errors.js'
import type { Database } from '../db/database.js'
import { usingSession, type Session } from '../db/session.js'
import { resolveCentralTables, resolveStagingTables } from '../central/central-tables.js'
import { recordRun } from '../history/run-history.js'
import { uploadBlockedBecause } from '../protocol/efector-state.js'
import { centralNow, claimUpload, markUploadFailed, readStatusRow, requireStatusRow } from '../status/status-store.js'
import { runExportStep } from './export/export-step.js'
import { duplicateStagingKey, isDuplicateKeyError } from './duplicate-staging-keys.js'
import { LocalRunLog, resolveIdAndDays } from './local-status.js'
import { reportProblemCentrally } from './report-problem.js'
import { uploadOverHttps } from '../transport/https-upload-client.js'
import { localStagingSources, uploadStaging, type UploadCounts, type UploadSources } from './upload.js'

/**
 * One efector cycle (PROTOCOL.md, "Efector cycle"): record the start
 * locally, export, claim the upload on the central status row, upload in
 * one central transaction, record the end. Returns what happened; a skip
 * is a success with its reason.
 */
export interface CycleResult {
  idEfector: number
  outcome: 'uploaded' | 'skipped' | 'failed'
  exported?: { headers: number; details: number; mode: string }
  uploaded?: UploadCounts
  /** Why it skipped, or what failed (rows named by key only). */
  message?: string
  error?: LabsyncError
  durationMs: number
  /** The cycle's LAB_SyncStatus row. */
  localRunId?: number
}

export interface CycleOptions {
  owner: string
  /** Called between the steps, for progress output (`exported` carries the export's row counts). */
  onStep?: (step: 'export' | 'exported' | 'claim' | 'upload', detail?: Record<string, unknown>) => void | Promise<void>
  /** Checked before the claim: once aborted, nothing is claimed (shutdown). */
  signal?: AbortSignal
  /** Wraps the upload's row streams, e.g. to count rows for a progress bar or to stop between batches. */
  wrapSources?: (sources: UploadSources) => UploadSources
  /**
   * A retry of a cycle whose export succeeded and whose upload failed: the
   * export is not run again, and the attempt goes on in the same
   * LAB_SyncStatus row (one row per cycle, whatever the attempts).
   */
  resume?: Pick<CycleResult, 'localRunId' | 'exported'>
}

export async function runEfectorCycle(
  localDb: Database,
  /** The central database and its settings; unused (may be undefined) when efector.transport is https. */
  centralDb: Database | undefined,
  efector: EfectorConfig,
  central: CentralConfig | undefined,
  options: CycleOptions,
): Promise<CycleResult> {
  const started = performance.now()
  return usingSession(localDb, async (local) => {
    const resumed = options.resume?.localRunId !== undefined && options.resume.exported !== undefined
    const log = resumed ? await LocalRunLog.resume(local, options.resume!.localRunId!) : await LocalRunLog.start(local)
    let idEfector: number
    let days: number
    try {
      ;({ idEfector, days } = await resolveIdAndDays(local, efector))
    } catch (error) {
      await log.finished('failed', (error as Error).message)
      throw error
    }
    const done = (result: Omit<CycleResult, 'durationMs' | 'idEfector'>): CycleResult => ({
      idEfector,
      ...result,
      localRunId: log.id,
      durationMs: performance.now() - started,
    })

    let exported: CycleResult['exported']
    try {
      if (resumed) {
        exported = options.resume!.exported!
      } else {
        await options.onStep?.('export', { mode: efector.export.mode, days })
        exported = await runExportStep(local, efector, idEfector, days)
      }
    } catch (thrown) {
      const error = toLabsyncError(thrown, 'LABSYNC_EXPORT', { efector: idEfector })
      await log.finished('failed', `${error.code}: ${error.message}`)
      if (efector.transport !== 'https' && centralDb && central) {
        await reportProblemCentrally(centralDb, central, idEfector, options.owner, error)
      }
      return done({ outcome: 'failed', message: error.message, error })
    }
    if (!resumed) await log.exported(exported)
    await options.onStep?.('exported', { ...exported })

    try {
      const result =
        efector.transport === 'https'
          ? await uploadOverHttps(local, efector.https!, idEfector, options)
          : await usingSession(requireDirect(centralDb, central), (centralSession) =>
              claimAndUpload(local, centralSession, central!, idEfector, options),
            )
      if (result.outcome === 'skipped') await log.finished('skipped', result.message)
      else if (result.outcome === 'uploaded') await log.uploaded()
      else await log.finished('failed', `${result.error.code}: ${result.error.message}`)
      return done({ exported, ...result })
    } catch (thrown) {
      const error = toLabsyncError(thrown, 'LABSYNC_UPLOAD', { efector: idEfector })
      await log.finished('failed', `${error.code}: ${error.message}`)
      // Thrown before the claim (a claimed upload records its own failure): tell the central side.
      if (efector.transport !== 'https' && centralDb && central) {
        await reportProblemCentrally(centralDb, central, idEfector, options.owner, error)
      }
      return done({ outcome: 'failed', exported, message: error.message, error })
    }
  })
}

function requireDirect(centralDb: Database | undefined, central: CentralConfig | undefined): Database {
  if (!centralDb || !central)
    throw new LabsyncError('LABSYNC_CONFIG', 'central: is required when efector.transport is direct')
  return centralDb
}

type UploadStepResult =
  | { outcome: 'skipped'; message: string }
  | { outcome: 'uploaded'; uploaded: UploadCounts }
  | { outcome: 'failed'; message: string; error: LabsyncError }

async function claimAndUpload(
  local: Session,
  central: Session,
  settings: CentralConfig,
  idEfector: number,
  options: CycleOptions,
): Promise<UploadStepResult> {
  const tables = await resolveCentralTables(central, settings.schema)
  const row = await requireStatusRow(central, tables.status, idEfector)
  const staging = await resolveStagingTables(central, row, settings.schema)

  options.signal?.throwIfAborted()
  await options.onStep?.('claim')
  const claimed = await claimUpload(central, tables.status, idEfector, options.owner, settings.leaseMinutes)
  if (!claimed) {
    const now = await centralNow(central)
    const current = (await readStatusRow(central, tables.status, idEfector)) ?? row
    const reason = uploadBlockedBecause(current, now, settings.leaseMinutes) ?? 'the status row changed while claiming'
    return { outcome: 'skipped', message: reason }
  }

  await options.onStep?.('upload')
  const startedAt = await centralNow(central)
  const started = performance.now()
  const target = { idEfector, owner: options.owner, status: tables.status, ...staging }
  try {
    const staged = await localStagingSources(local, idEfector)
    const sources = options.wrapSources ? options.wrapSources(staged) : staged
    const uploaded = await uploadStaging(central, target, sources, async (counts) => {
      await recordRun(central, tables.history, {
        idEfector,
        kind: 'upload',
        startedAt,
        finishedAt: counts.committedAt,
        outcome: 'ok',
        headerRows: counts.headers,
        detailRows: counts.details,
        durationMs: performance.now() - started,
        owner: options.owner,
      })
    })
    return { outcome: 'uploaded', uploaded }
  } catch (thrown) {
    const duplicate = isDuplicateKeyError(thrown)
      ? await duplicateStagingKey(local, idEfector).catch(() => undefined)
      : undefined
    const error = duplicate ?? toLabsyncError(thrown, 'LABSYNC_UPLOAD', { efector: idEfector })
    const message = `${error.code}: ${error.message}`
    await central.transaction(async () => {
      await markUploadFailed(central, tables.status, idEfector, options.owner, message)
      await recordRun(central, tables.history, {
        idEfector,
        kind: 'upload',
        startedAt,
        finishedAt: await centralNow(central),
        outcome: 'failed',
        durationMs: performance.now() - started,
        owner: options.owner,
        message,
      })
    })
    return { outcome: 'failed', message: error.message, error }
  }
}
