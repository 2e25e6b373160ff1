import { Writable } from 'node:stream'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createLogger } from '../../src/core/logger.js'
import { isAuthorized } from '../../src/server/access-control.js'
import { build } from '../../src/server/build-monitor.js'
import { isLoopback, planBind } from '../../src/server/listen-monitor.js'
import { Scenario } from '../support/scenario.js'
import { TIME_ZONE, monitorConfig } from './monitor-network.js'

const TOKEN = 'tok-0123456789abcdef-secret'
const PASSWORD = 'pw-very-secret-9876'
const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`

describe('monitor access control', () => {
  let scenario: Scenario
  const logLines: string[] = []

  beforeAll(async () => {
    scenario = await Scenario.create('sqlite', [{ id: 301, name: 'HospitalAlto' }])
  })
  afterAll(async () => scenario?.drop())

  async function secured(credentials: Record<string, unknown>) {
    const logger = createLogger(
      'trace',
      new Writable({
        write(chunk, _encoding, done) {
          logLines.push(String(chunk))
          done()
        },
      }),
    )
    return build({
      database: scenario.central.database,
      central: scenario.centralConfig,
      monitor: monitorConfig(credentials),
      timeZone: TIME_ZONE,
      importerSchedule: '*/15 * * * *',
      logger,
    })
  }

  it('asks for the bearer token or the basic credentials on every route but /health', async () => {
    const app = await secured({ token: TOKEN, basicAuth: { username: 'ops', password: PASSWORD } })
    try {
      for (const url of [
        '/',
        '/efectores/301',
        '/api/efectores',
        '/api/efectores/301/runs',
        '/metrics',
        '/assets/monitor.css',
      ]) {
        const denied = await app.inject({ method: 'GET', url })
        expect({ url, status: denied.statusCode }).toEqual({ url, status: 401 })
        expect(denied.headers['www-authenticate']).toMatch(/^Basic realm=/)
        const wrong = await app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${TOKEN}x` } })
        expect(wrong.statusCode).toBe(401)
        const withToken = await app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${TOKEN}` } })
        expect({ url, status: withToken.statusCode }).toEqual({ url, status: 200 })
        const withBasic = await app.inject({ method: 'GET', url, headers: { authorization: basic('ops', PASSWORD) } })
        expect({ url, status: withBasic.statusCode }).toEqual({ url, status: 200 })
      }
      expect(
        (await app.inject({ method: 'GET', url: '/api/efectores', headers: { authorization: basic('ops', 'nope') } }))
          .statusCode,
      ).toBe(401)
      expect(
        (
          await app.inject({
            method: 'GET',
            url: '/api/efectores',
            headers: { authorization: basic('root', PASSWORD) },
          })
        ).statusCode,
      ).toBe(401)
      expect((await app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200)
    } finally {
      await app.close()
    }
    const logs = logLines.join('')
    expect(logs).toContain('incoming request')
    expect(logs).not.toContain(TOKEN)
    expect(logs).not.toContain(PASSWORD)
    expect(logs).not.toContain(Buffer.from(`ops:${PASSWORD}`).toString('base64'))
  })

  it('answers a token-only monitor with a Bearer challenge', async () => {
    const app = await secured({ token: TOKEN })
    try {
      const denied = await app.inject({
        method: 'GET',
        url: '/metrics',
        headers: { authorization: basic('ops', PASSWORD) },
      })
      expect(denied.statusCode).toBe(401)
      expect(denied.headers['www-authenticate']).toMatch(/^Bearer/)
    } finally {
      await app.close()
    }
  })

  it('exposes no pass and no age for a network that never ran', async () => {
    const app = await secured({})
    try {
      const metrics = (await app.inject({ method: 'GET', url: '/metrics' })).body
      expect(metrics).toContain('labsync_monitor_database_up 1')
      expect(metrics).toContain('labsync_efector_overdue{efector="301",nombre="HospitalAlto"} 1')
      expect(metrics).not.toContain('labsync_importer_pass_duration_seconds ')
      expect(metrics).not.toContain('labsync_efector_seconds_since_last_import{')
      const body = (await app.inject({ method: 'GET', url: '/api/efectores' })).json()
      expect(body.importerPass).toBeNull()
    } finally {
      await app.close()
    }
  })

  it('compares credentials exactly', () => {
    const credentials = { token: TOKEN, basicAuth: { username: 'ops', password: PASSWORD } }
    expect(isAuthorized(`Bearer ${TOKEN}`, credentials)).toBe(true)
    expect(isAuthorized(`bearer ${TOKEN}`, credentials)).toBe(true)
    expect(isAuthorized(`Bearer ${TOKEN.slice(0, -1)}`, credentials)).toBe(false)
    expect(isAuthorized(undefined, credentials)).toBe(false)
    expect(isAuthorized(basic('ops', PASSWORD), credentials)).toBe(true)
    expect(isAuthorized(basic('ops', `${PASSWORD}:x`), credentials)).toBe(false)
    expect(isAuthorized(`Basic ${Buffer.from('nocolon').toString('base64')}`, credentials)).toBe(false)
    expect(isAuthorized(`Bearer ${TOKEN}`, { basicAuth: credentials.basicAuth })).toBe(false)
  })

  it('binds to loopback only without credentials, and says so', () => {
    expect(isLoopback('127.0.0.1')).toBe(true)
    expect(isLoopback('127.8.9.10')).toBe(true)
    expect(isLoopback('::1')).toBe(true)
    expect(isLoopback('[::1]')).toBe(true)
    expect(isLoopback('localhost')).toBe(true)
    expect(isLoopback('0.0.0.0')).toBe(false)
    expect(isLoopback('::')).toBe(false)
    expect(isLoopback('10.1.2.3')).toBe(false)
    expect(planBind('0.0.0.0', false)).toEqual({
      host: '127.0.0.1',
      notice: 'no monitor.token or monitor.basicAuth configured: serving 127.0.0.1 only, not 0.0.0.0',
    })
    expect(planBind('127.0.0.1', false).notice).toContain('loopback interface only')
    expect(planBind('0.0.0.0', true)).toEqual({ host: '0.0.0.0' })
  })
})
