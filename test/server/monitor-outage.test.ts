import pg from 'pg'
import { afterEach, describe, expect, it } from 'vitest'
import { openDatabase } from '../../src/db/open-database.js'
import type { Scenario } from '../support/scenario.js'
import { EXPECTED_STATUS, buildMonitor, createMonitorNetwork } from './monitor-network.js'

const ADMIN_URL = process.env.LABSYNC_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'

async function admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: ADMIN_URL })
  await client.connect()
  try {
    return await work(client)
  } finally {
    await client.end()
  }
}

describe('monitor when the central database stops answering (postgres)', () => {
  let scenario: Scenario | undefined
  afterEach(async () => {
    await scenario?.drop()
    scenario = undefined
  })

  it('turns /health to 503, shows the error instead of the figures, and exposes database_up 0', async () => {
    scenario = await createMonitorNetwork('postgres')
    const app = await buildMonitor(scenario)
    try {
      expect((await app.inject({ method: 'GET', url: '/health' })).json()).toEqual({ status: 'ok', database: 'up' })
      expect((await app.inject({ method: 'GET', url: '/' })).body).toContain('HospitalCentro')

      const name = new URL(scenario.central.url).pathname.slice(1)
      await admin((client) => client.query(`DROP DATABASE ${name} WITH (FORCE)`))

      const health = await app.inject({ method: 'GET', url: '/health' })
      expect(health.statusCode).toBe(503)
      expect(health.json()).toMatchObject({ status: 'error', database: 'down', error: 'LABSYNC_CONNECTION' })
      expect(health.json().message).toMatch(/does not exist|terminat/)

      const page = await app.inject({ method: 'GET', url: '/' })
      expect(page.statusCode).toBe(503)
      expect(page.body).toContain('No se puede leer la base central')
      expect(page.body).toContain('LABSYNC_CONNECTION')
      expect(page.body).toContain('http-equiv="refresh"')
      for (const id of Object.keys(EXPECTED_STATUS)) expect(page.body).not.toContain(`data-efector="${id}"`)
      expect(page.body).not.toContain('HospitalCentro')

      const hospitalPage = await app.inject({ method: 'GET', url: '/efectores/101?lang=en' })
      expect(hospitalPage.statusCode).toBe(503)
      expect(hospitalPage.body).toContain('The central database cannot be read')

      const api = await app.inject({ method: 'GET', url: '/api/efectores' })
      expect(api.statusCode).toBe(503)
      expect(api.json().error).toBe('LABSYNC_CONNECTION')

      const metrics = await app.inject({ method: 'GET', url: '/metrics' })
      expect(metrics.statusCode).toBe(200)
      expect(metrics.body).toContain('labsync_monitor_database_up 0')
      expect(metrics.body).not.toMatch(/^labsync_efector_\w+\{/m)
      expect(metrics.body).not.toMatch(/^labsync_importer_pass_duration_seconds /m)
    } finally {
      await app.close()
    }
  })

  it('answers 503 on a closed port of 127.0.0.1 and names no password', async () => {
    scenario = await createMonitorNetwork('sqlite')
    const database = openDatabase('postgres://monitor:s3cret-pass@127.0.0.1:1/central')
    const app = await buildMonitor(scenario, { database })
    try {
      const health = await app.inject({ method: 'GET', url: '/health' })
      expect(health.statusCode).toBe(503)
      expect(health.json().error).toBe('LABSYNC_CONNECTION')
      expect(health.json().message).toContain('ECONNREFUSED')
      const page = await app.inject({ method: 'GET', url: '/efectores/101' })
      expect(page.statusCode).toBe(503)
      expect(page.body).toContain('ECONNREFUSED')
      for (const response of [health, page]) expect(response.body).not.toContain('s3cret-pass')
    } finally {
      await app.close()
      await database.close()
    }
  })
})

describe('monitor on a read-only login (postgres)', () => {
  let scenario: Scenario | undefined
  const role = `labsync_ro_${process.pid}_${Date.now().toString(36)}`
  afterEach(async () => {
    await scenario?.drop()
    await admin((client) => client.query(`DROP ROLE IF EXISTS ${role}`))
  })

  it('serves every route with SELECT rights only', async () => {
    scenario = await createMonitorNetwork('postgres')
    const name = new URL(scenario.central.url).pathname.slice(1)
    await admin((client) => client.query(`CREATE ROLE ${role} LOGIN`))
    await scenario.onCentral(async (session) => {
      await session.connection.execute({ sql: `REVOKE ALL ON SCHEMA public FROM PUBLIC`, parameters: [] })
      await session.connection.execute({ sql: `GRANT USAGE ON SCHEMA public TO ${role}`, parameters: [] })
      await session.connection.execute({
        sql: `GRANT SELECT ON ALL TABLES IN SCHEMA public TO ${role}`,
        parameters: [],
      })
    })
    const url = new URL(scenario.central.url)
    url.username = role
    const database = openDatabase(url.toString())
    const app = await buildMonitor(scenario, { database })
    try {
      // The login really cannot write.
      const writer = new pg.Client({ connectionString: url.toString() })
      await writer.connect()
      await expect(writer.query('UPDATE "LAB_EstadoSyncGeneral" SET "nombreEfector" = \'x\'')).rejects.toThrow(
        /permission denied/,
      )
      await writer.end()

      for (const path of [
        '/health',
        '/',
        '/efectores/106',
        '/api/efectores',
        '/api/efectores/105',
        '/api/efectores/106/runs',
        '/metrics',
      ]) {
        const response = await app.inject({ method: 'GET', url: path })
        expect({ path, status: response.statusCode }).toEqual({ path, status: 200 })
      }
      const body = (await app.inject({ method: 'GET', url: '/api/efectores' })).json()
      expect(body.efectores.map((efector: any) => efector.status)).toEqual(Object.values(EXPECTED_STATUS))
      expect(name).toMatch(/^labsync_t_/)
    } finally {
      await app.close()
      await database.close()
    }
  })
})
