import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { HISTORY_TABLE_NAME } from '../../src/db/tables/history-table.js'
import { STATUS_TABLE_NAME } from '../../src/db/tables/status-table.js'
import { readLatestPass } from '../../src/history/run-history.js'
import { normaliseDatetime } from '../../src/db/row-validator.js'
import { wallClockToIso } from '../../src/server/wall-clock.js'
import { centralNow } from '../../src/status/status-store.js'
import type { Scenario } from '../support/scenario.js'
import { DIALECTS } from '../support/test-databases.js'
import {
  EXPECTED_OVERDUE,
  EXPECTED_STATUS,
  TIME_ZONE,
  buildMonitor,
  createMonitorNetwork,
  monitorConfig,
  stagedCounts,
  updateStatus,
} from './monitor-network.js'

const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}[+-]\d{2}:\d{2}$/

/** Prometheus text as { 'name{labels}': value }. */
function parseMetrics(text: string): Map<string, number> {
  const values = new Map<string, number>()
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue
    const space = line.lastIndexOf(' ')
    values.set(line.slice(0, space), Number(line.slice(space + 1)))
  }
  return values
}

const labels = (id: number, name: string) => `efector="${id}",nombre="${name}"`

describe.each(DIALECTS)('monitor API and metrics on %s', (dialect) => {
  let scenario: Scenario
  let app: FastifyInstance

  beforeAll(async () => {
    scenario = await createMonitorNetwork(dialect)
    app = await buildMonitor(scenario)
  })
  afterAll(async () => {
    await app?.close()
    await scenario?.drop()
  })

  it('lists every hospital with the state, the alert mark and ISO dates with the zone offset', async () => {
    const response = await app.inject({ method: 'GET', url: '/api/efectores' })
    expect(response.statusCode).toBe(200)
    const body = response.json()
    expect(body.now).toMatch(/-03:00$/)
    const byId = new Map<number, any>(body.efectores.map((efector: any) => [efector.idEfector, efector]))
    expect([...byId.keys()]).toEqual(Object.keys(EXPECTED_STATUS).map(Number))
    for (const [id, status] of Object.entries(EXPECTED_STATUS)) {
      expect({ id, status: byId.get(Number(id)).status }).toEqual({ id, status })
      expect({ id, overdue: byId.get(Number(id)).overdue }).toEqual({ id, overdue: EXPECTED_OVERDUE.has(Number(id)) })
    }
    for (const efector of byId.values()) {
      for (const key of [
        'lastUploadAt',
        'lastImportAt',
        'uploadStartedAt',
        'importStartedAt',
        'lastErrorAt',
        'retryAfter',
      ]) {
        if (efector[key] !== null) expect(efector[key]).toMatch(ISO_WITH_OFFSET)
      }
      expect(efector.scheduleMinutes).toBe(15)
      expect(efector.alertThresholdMinutes).toBe(30)
    }

    // The stored wall-clock value, shown with Buenos Aires' offset.
    const stored = await scenario.onCentral((session) =>
      session.db
        .selectFrom(STATUS_TABLE_NAME)
        .select(['ultimoSyncFechaFin', 'ultimoUpdateEfectorFin'])
        .where('idEfector', '=', 101)
        .executeTakeFirstOrThrow(),
    )
    expect(byId.get(101).lastImportAt).toBe(`${normaliseDatetime(stored.ultimoSyncFechaFin).replace(' ', 'T')}-03:00`)
    expect(byId.get(101).lastUploadAt).toBe(wallClockToIso(normaliseDatetime(stored.ultimoUpdateEfectorFin), TIME_ZONE))

    const idle = byId.get(101)
    expect(idle).toMatchObject({ state: 'idle', failed: false, lastError: null, lastHeaders: 1, lastDetails: 2 })
    expect(idle).toMatchObject({
      lastImportHeaders: stagedCounts(101).headers,
      lastImportDetails: stagedCounts(101).details,
    })
    expect(idle.secondsSinceImport).toBeLessThan(600)

    const stale = byId.get(105)
    expect(stale).toMatchObject({ state: 'stale', status: 'stale', overdue: true })
    // Its import claim holds ultimoSyncFechaFin NULL; the last committed import comes from the history, 2.5 h back.
    expect(stale.lastImportAt).toMatch(ISO_WITH_OFFSET)
    expect(stale.secondsSinceImport).toBeGreaterThanOrEqual(150 * 60)
    expect(stale.secondsSinceImport).toBeLessThan(160 * 60)

    const failed = byId.get(106)
    expect(failed).toMatchObject({
      state: 'pending',
      status: 'failed',
      failed: true,
      importFailures: 1,
      failuresTotal: { upload: 0, import: 1 },
    })
    expect(failed.lastError).toContain('LABSYNC_TABLE_MISSING')
    expect(failed.lastError).toContain('LAB_Temp_NoSuchTable')
    expect(failed.lastErrorAt).toMatch(ISO_WITH_OFFSET)

    const uploading = byId.get(103)
    expect(uploading.uploadStartedAt).toMatch(ISO_WITH_OFFSET)
    expect(uploading.lastUploadAt).toMatch(ISO_WITH_OFFSET)

    const late = byId.get(107)
    expect(late.secondsSinceImport).toBeGreaterThanOrEqual(180 * 60)
    expect(late.secondsSinceImport).toBeLessThan(190 * 60)

    const never = byId.get(108)
    expect(never).toMatchObject({ lastUploadAt: null, lastImportAt: null, secondsSinceImport: null, overdue: true })

    expect(body.importerPass).toMatchObject({ imports: 1, failed: 1 })
  })

  it('answers one hospital as the list shows it, and 404 with a message for an unknown one', async () => {
    const list = (await app.inject({ method: 'GET', url: '/api/efectores' })).json()
    const one = await app.inject({ method: 'GET', url: '/api/efectores/105' })
    expect(one.statusCode).toBe(200)
    const { secondsSinceUpload, secondsSinceImport, ...shown } = one.json().efector
    const fromList = list.efectores.find((efector: any) => efector.idEfector === 105)
    expect(shown).toEqual({ ...fromList, secondsSinceUpload: undefined, secondsSinceImport: undefined })
    expect(Object.keys(one.json().efector).sort()).toEqual(Object.keys(fromList).sort())
    expect(secondsSinceImport).toBeGreaterThanOrEqual(fromList.secondsSinceImport)

    for (const url of ['/api/efectores/999', '/api/efectores/999/runs', '/efectores/999']) {
      const missing = await app.inject({ method: 'GET', url })
      expect(missing.statusCode).toBe(404)
      if (url.startsWith('/api'))
        expect(missing.json()).toEqual({
          error: 'LABSYNC_EFECTOR_UNKNOWN',
          message: 'efector 999 is not registered on the central server',
        })
      else expect(missing.body).toContain('No existe el efector 999')
    }
    const bad = await app.inject({ method: 'GET', url: '/api/efectores/abc' })
    expect(bad.statusCode).toBe(400)
    expect(bad.json().error).toBe('LABSYNC_USAGE')
    const badDays = await app.inject({ method: 'GET', url: '/api/efectores/101/runs?days=0' })
    expect(badDays.statusCode).toBe(400)
  })

  it('lists a hospital runs of the last days, newest first, with their outcome and message', async () => {
    const stored = await scenario.centralRows(HISTORY_TABLE_NAME, ['id'])
    const response = await app.inject({ method: 'GET', url: '/api/efectores/106/runs' })
    expect(response.statusCode).toBe(200)
    const body = response.json()
    const own = stored.filter((row) => Number(row.idEfector) === 106).reverse()
    expect(body.runs.map((run: any) => run.id)).toEqual(own.map((row) => Number(row.id)))
    expect(body.runs.map((run: any) => `${run.kind}:${run.outcome}`)).toEqual([
      'import:failed',
      'upload:ok',
      'import:ok',
      'upload:ok',
    ])
    expect(body.runs[0].message).toContain('LABSYNC_TABLE_MISSING')
    expect(body.runs[1]).toMatchObject({ headerRows: 6, detailRows: 12, rows: 18 })
    for (const run of body.runs) expect(run.startedAt).toMatch(ISO_WITH_OFFSET)

    // 107's runs were moved 3 hours back: a window of 1 day keeps them, `limit` cuts them.
    const lake = (await app.inject({ method: 'GET', url: '/api/efectores/107/runs?days=1&limit=1' })).json()
    expect(lake.runs).toHaveLength(1)
    expect(lake.days).toBe(1)
  })

  it('leaves out of the window the runs older than the days asked for', async () => {
    const before = (await scenario.centralRows(HISTORY_TABLE_NAME, ['id'])).filter(
      (row) => Number(row.idEfector) === 104,
    )
    await scenario.onCentral(async (session) => {
      const now = await centralNow(session)
      const old = `${Number(now.slice(0, 4)) - 1}${now.slice(4)}`
      await session.db
        .updateTable(HISTORY_TABLE_NAME)
        .set({ startedAt: old, finishedAt: old })
        .where('idEfector', '=', 104)
        .execute()
    })
    const body = (await app.inject({ method: 'GET', url: '/api/efectores/104/runs?days=30' })).json()
    expect(body.runs).toEqual([])
    const wide = (await app.inject({ method: 'GET', url: '/api/efectores/104/runs?days=400' })).json()
    expect(wide.runs.length).toBe(2)
    await scenario.onCentral(async (session) => {
      for (const row of before) {
        await session.db
          .updateTable(HISTORY_TABLE_NAME)
          .set({ startedAt: row.startedAt, finishedAt: row.finishedAt })
          .where('id', '=', row.id)
          .execute()
      }
    })
  })

  it('exposes per-hospital metrics that match the API, and the importer pass from labsync_run', async () => {
    const response = await app.inject({ method: 'GET', url: '/metrics' })
    expect(response.statusCode).toBe(200)
    expect(response.headers['content-type']).toContain('text/plain')
    const metrics = parseMetrics(response.body)
    expect(metrics.get('labsync_monitor_database_up')).toBe(1)
    for (const [id, status] of Object.entries(EXPECTED_STATUS)) {
      const name = {
        101: 'HospitalNorte',
        102: 'HospitalSur',
        103: 'HospitalEste',
        104: 'HospitalOeste',
        105: 'HospitalCentro',
        106: 'HospitalRio',
        107: 'HospitalLago',
        108: 'HospitalNuevo',
      }[Number(id)]!
      const l = labels(Number(id), name)
      expect({ id, state: metrics.get(`labsync_efector_state{${l},state="${status}"}`) }).toEqual({ id, state: 1 })
      const others = ['idle', 'uploading', 'importing', 'pending', 'stale', 'failed'].filter(
        (state) => state !== status,
      )
      for (const other of others) expect(metrics.get(`labsync_efector_state{${l},state="${other}"}`)).toBe(0)
      expect(metrics.get(`labsync_efector_overdue{${l}}`)).toBe(EXPECTED_OVERDUE.has(Number(id)) ? 1 : 0)
      expect(metrics.get(`labsync_efector_alert_threshold_seconds{${l}}`)).toBe(1800)
    }
    expect(metrics.get(`labsync_efector_failures_total{${labels(106, 'HospitalRio')},kind="import"}`)).toBe(1)
    expect(metrics.get(`labsync_efector_failures_total{${labels(101, 'HospitalNorte')},kind="import"}`)).toBe(0)
    expect(metrics.get(`labsync_efector_last_import_rows{${labels(103, 'HospitalEste')},table="encabezado"}`)).toBe(3)
    expect(metrics.get(`labsync_efector_last_import_rows{${labels(103, 'HospitalEste')},table="detalle"}`)).toBe(6)
    const lake = metrics.get(`labsync_efector_seconds_since_last_import{${labels(107, 'HospitalLago')}}`)!
    expect(lake).toBeGreaterThanOrEqual(180 * 60)
    expect(lake).toBeLessThan(190 * 60)
    expect(metrics.has(`labsync_efector_seconds_since_last_import{${labels(108, 'HospitalNuevo')}}`)).toBe(false)
    expect(metrics.has(`labsync_efector_seconds_since_last_upload{${labels(108, 'HospitalNuevo')}}`)).toBe(false)

    const pass = await scenario.onCentral((session) => readLatestPass(session, { name: HISTORY_TABLE_NAME }))
    expect(pass).toMatchObject({ imports: 1, failed: 1 })
    expect(metrics.get('labsync_importer_pass_duration_seconds')).toBeCloseTo(pass!.durationMs / 1000, 6)
    expect(metrics.get('labsync_importer_pass_imports')).toBe(1)
    expect(metrics.get('labsync_importer_pass_failed_imports')).toBe(1)

    // A registry per app: a second app has its own values, not shared with the global registry.
    const other = await buildMonitor(scenario)
    try {
      expect((await other.inject({ method: 'GET', url: '/metrics' })).body).toContain('labsync_monitor_database_up 1')
    } finally {
      await other.close()
    }
  })

  it('applies configured thresholds and a hospital schedule longer than the importer cron', async () => {
    await updateStatus(scenario, 101, () => ({ minutosMinimoSyncPrincipal: 120 }))
    const custom = await buildMonitor(scenario, {
      monitor: monitorConfig({ alertFactor: 3, alertMinutes: { '107': 240 } }),
    })
    try {
      const byId = new Map<number, any>(
        (await custom.inject({ method: 'GET', url: '/api/efectores' }))
          .json()
          .efectores.map((e: any) => [e.idEfector, e]),
      )
      expect(byId.get(101)).toMatchObject({ scheduleMinutes: 120, alertThresholdMinutes: 360, overdue: false })
      expect(byId.get(102)).toMatchObject({ scheduleMinutes: 15, alertThresholdMinutes: 45 })
      expect(byId.get(107)).toMatchObject({ alertThresholdMinutes: 240, overdue: false })
      expect(byId.get(105)).toMatchObject({ alertThresholdMinutes: 45, overdue: true })
    } finally {
      await custom.close()
      await updateStatus(scenario, 101, () => ({ minutosMinimoSyncPrincipal: 0 }))
    }
    const hourly = await buildMonitor(scenario, { importerSchedule: '0 * * * *' })
    try {
      const body = (await hourly.inject({ method: 'GET', url: '/api/efectores/105' })).json()
      expect(body.efector).toMatchObject({ scheduleMinutes: 60, alertThresholdMinutes: 120, overdue: true })
      const lake = (await hourly.inject({ method: 'GET', url: '/api/efectores/107' })).json()
      expect(lake.efector).toMatchObject({ alertThresholdMinutes: 120, overdue: true })
    } finally {
      await hourly.close()
    }
  })

  it('serves the dashboard in Spanish by default and in English on request, with no patient data', async () => {
    const spanish = await app.inject({ method: 'GET', url: '/' })
    expect(spanish.statusCode).toBe(200)
    expect(spanish.headers['content-type']).toContain('text/html')
    expect(spanish.body).toContain('<html lang="es">')
    expect(spanish.body).toContain('colgado')
    expect(spanish.body).toContain('>hace 3 h<')
    const english = await app.inject({
      method: 'GET',
      url: '/',
      headers: { 'accept-language': 'en-GB,en;q=0.9,es;q=0.5' },
    })
    expect(english.body).toContain('<html lang="en">')
    expect(english.body).toContain('>3 h ago<')
    expect(
      (await app.inject({ method: 'GET', url: '/?lang=en', headers: { 'accept-language': 'es' } })).body,
    ).toContain('<html lang="en">')
    // Staged rows carry patient names and documents; none of it reaches the monitor.
    for (const url of ['/', '/efectores/101', '/api/efectores', '/api/efectores/101/runs', '/metrics']) {
      const body = (await app.inject({ method: 'GET', url })).body
      for (const secret of ['Núñez', 'María José', '36123456', 'San Martín 1234'])
        expect({ url, leaked: body.includes(secret) }).toEqual({ url, leaked: false })
    }
    const css = await app.inject({ method: 'GET', url: '/assets/monitor.css' })
    expect(css.statusCode).toBe(200)
    expect(css.headers['content-type']).toContain('text/css')
  })
})
