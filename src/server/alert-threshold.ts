import { Cron } from 'croner'
import { LabsyncError } from '../core/errors.js'

/**
 * When a hospital gets the red mark: no successful import for longer than
 * its alert threshold. Its schedule is the longest of
 *   - the importer's cron interval (`importer.schedule`: the largest gap
 *     between its next 50 runs, so a weekday-only job does not alarm on
 *     Sunday),
 *   - `minutosMinimoSyncPrincipal` (least minutes between two imports),
 *   - `minutosMinimoSyncEfector` (least minutes between two uploads: an
 *     import needs an upload first),
 * and the threshold is `monitor.alertFactor` (default 2) times it, unless
 * `monitor.alertMinutes` names the hospital.
 */
export function cronIntervalMinutes(pattern: string, timeZone: string, from = new Date()): number {
  let job: Cron
  try {
    job = new Cron(pattern, { timezone: timeZone, paused: true })
  } catch (error) {
    throw new LabsyncError(
      'LABSYNC_CONFIG',
      `importer.schedule: ${JSON.stringify(pattern)} is not a cron expression: ${(error as Error).message}`,
    )
  }
  const runs = job.nextRuns(50, from)
  job.stop()
  let largest = 0
  for (let index = 1; index < runs.length; index += 1) {
    largest = Math.max(largest, (runs[index].getTime() - runs[index - 1].getTime()) / 60_000)
  }
  return largest
}

export interface AlertRule {
  /** The importer's cron interval in minutes (cronIntervalMinutes). */
  importerIntervalMinutes: number
  factor: number
  /** Thresholds by idEfector (as written in the configuration: string keys). */
  overrides: Record<string, number>
}

export function scheduleMinutes(
  rule: AlertRule,
  row: { minutosMinimoSyncPrincipal: number | null; minutosMinimoSyncEfector: number | null },
): number {
  return Math.max(rule.importerIntervalMinutes, row.minutosMinimoSyncPrincipal ?? 0, row.minutosMinimoSyncEfector ?? 0)
}

export function alertThresholdMinutes(
  rule: AlertRule,
  row: { idEfector: number; minutosMinimoSyncPrincipal: number | null; minutosMinimoSyncEfector: number | null },
): number {
  return rule.overrides[String(row.idEfector)] ?? rule.factor * scheduleMinutes(rule, row)
}
