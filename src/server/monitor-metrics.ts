import { Counter, Gauge, Registry } from 'prom-client'
import type { NetworkView, ShownState } from './monitor-data.js'

/**
 * The monitor's Prometheus metrics, on registries of their own (never the
 * global one), set from one reading of the central database per scrape.
 * When the database does not answer, only `labsync_monitor_database_up 0`
 * is exposed: no stale figures; the importer pass gauges appear only once
 * labsync_run holds a pass.
 */
export const SHOWN_STATES: readonly ShownState[] = ['idle', 'uploading', 'importing', 'pending', 'stale', 'failed']

export interface MonitorMetrics {
  /** The registry of the hospital metrics (and the exposition content type). */
  registry: Registry
  /** Replaces every value with those of this reading and returns the exposition text. */
  render(network: NetworkView | undefined): Promise<string>
}

export function createMonitorMetrics(): MonitorMetrics {
  const upRegistry = new Registry()
  const registry = new Registry()
  const passRegistry = new Registry()
  const registers = [registry]
  const efectorLabels = ['efector', 'nombre'] as const
  const databaseUp = new Gauge({
    name: 'labsync_monitor_database_up',
    help: '1 when the central database answered this scrape, else 0',
    registers: [upRegistry],
  })
  const sinceUpload = new Gauge({
    name: 'labsync_efector_seconds_since_last_upload',
    help: 'Seconds since the last committed upload of the hospital (central clock); absent when never',
    labelNames: efectorLabels,
    registers,
  })
  const sinceImport = new Gauge({
    name: 'labsync_efector_seconds_since_last_import',
    help: 'Seconds since the last successful import of the hospital (central clock); absent when never',
    labelNames: efectorLabels,
    registers,
  })
  const importRows = new Gauge({
    name: 'labsync_efector_last_import_rows',
    help: 'Rows of the last committed import of the hospital, by table (encabezado, detalle)',
    labelNames: [...efectorLabels, 'table'],
    registers,
  })
  const failures = new Counter({
    name: 'labsync_efector_failures_total',
    help: 'Failed runs of the hospital recorded in labsync_run, by kind (upload, import)',
    labelNames: [...efectorLabels, 'kind'],
    registers,
  })
  const state = new Gauge({
    name: 'labsync_efector_state',
    help: 'The state the dashboard shows: 1 for the current one, 0 for the others',
    labelNames: [...efectorLabels, 'state'],
    registers,
  })
  const overdue = new Gauge({
    name: 'labsync_efector_overdue',
    help: '1 when the hospital has had no successful import for longer than its alert threshold',
    labelNames: efectorLabels,
    registers,
  })
  const threshold = new Gauge({
    name: 'labsync_efector_alert_threshold_seconds',
    help: 'The alert threshold of the hospital',
    labelNames: efectorLabels,
    registers,
  })
  const passDuration = new Gauge({
    name: 'labsync_importer_pass_duration_seconds',
    help: 'Duration of the latest importer pass that imported anything: first import start to last import end, from labsync_run',
    registers: [passRegistry],
  })
  const passImports = new Gauge({
    name: 'labsync_importer_pass_imports',
    help: 'Imports (failed ones included) of the latest importer pass',
    registers: [passRegistry],
  })
  const passFailed = new Gauge({
    name: 'labsync_importer_pass_failed_imports',
    help: 'Failed imports of the latest importer pass',
    registers: [passRegistry],
  })
  const passEnd = new Gauge({
    name: 'labsync_importer_pass_end_timestamp_seconds',
    help: 'Unix time at which the latest importer pass recorded its last import',
    registers: [passRegistry],
  })

  let queue: Promise<unknown> = Promise.resolve()

  const render = (network: NetworkView | undefined): Promise<string> => {
    // One scrape at a time: values are reset and set, then serialised.
    const next = queue.then(async () => {
      registry.resetMetrics()
      passRegistry.resetMetrics()
      databaseUp.set(network ? 1 : 0)
      if (!network) return upRegistry.metrics()
      for (const efector of network.efectores) {
        const labels = { efector: String(efector.idEfector), nombre: efector.nombreEfector ?? '' }
        if (efector.secondsSinceUpload !== null) sinceUpload.set(labels, efector.secondsSinceUpload)
        if (efector.secondsSinceImport !== null) sinceImport.set(labels, efector.secondsSinceImport)
        if (efector.lastImportHeaders !== null)
          importRows.set({ ...labels, table: 'encabezado' }, efector.lastImportHeaders)
        if (efector.lastImportDetails !== null)
          importRows.set({ ...labels, table: 'detalle' }, efector.lastImportDetails)
        failures.inc({ ...labels, kind: 'upload' }, efector.failuresTotal.upload)
        failures.inc({ ...labels, kind: 'import' }, efector.failuresTotal.import)
        for (const name of SHOWN_STATES) state.set({ ...labels, state: name }, efector.status === name ? 1 : 0)
        overdue.set(labels, efector.overdue ? 1 : 0)
        threshold.set(labels, efector.alertThresholdMinutes * 60)
      }
      const pass = network.importerPass
      if (pass) {
        passDuration.set(pass.durationSeconds)
        passImports.set(pass.imports)
        passFailed.set(pass.failed)
        passEnd.set(Date.parse(pass.finishedAt) / 1000)
      }
      return Registry.merge(pass ? [upRegistry, registry, passRegistry] : [upRegistry, registry]).metrics()
    })
    queue = next.catch(() => undefined)
    return next
  }

  return { registry, render }
}
