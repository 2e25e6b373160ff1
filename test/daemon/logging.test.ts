import { PassThrough } from 'node:stream'
import { afterEach, describe, expect, it } from 'vitest'
import { TerminalProgressBar, createProgressBar, formatProgress } from '../../src/cli/progress-bar.js'
import { configSchema, type LoadedConfig } from '../../src/core/config.js'
import { runCentralOnce } from '../../src/daemon/central-importer.js'
import { runEfectorOnce } from '../../src/daemon/efector-agent.js'
import { Shutdown } from '../../src/daemon/shutdown.js'
import { captureLogger } from '../support/capture-logger.js'
import { Scenario } from '../support/scenario.js'
import { header, detail } from '../support/staging-fixtures.js'
import { TcpProxy } from '../support/tcp-proxy.js'

/** The server trusts logins from 127.0.0.1, so a password in the URL is accepted and ignored: it is there to be hidden. */
const SECRET = 'Muy-Secreta-Clave-91'
const withPassword = (url: string) => {
  const changed = new URL(url)
  changed.password = SECRET
  return changed.toString()
}

describe('logs of unattended runs (PostgreSQL)', () => {
  let scenario: Scenario
  let proxy: TcpProxy | undefined
  afterEach(async () => {
    await proxy?.close()
    await scenario?.drop()
    scenario = undefined as unknown as Scenario
  })

  it('are JSON lines with the run id, the hospital, the step, counts and durations, and never a password', async () => {
    scenario = await Scenario.create('postgres', [{ id: 101, name: 'Norte' }])
    await scenario.stageLocally(
      101,
      [header({ idProtocolo: 1, idEfector: 101 })],
      [detail({ idProtocolo: 1, idEfector: 101, idDetalleProtocolo: 1 })],
    )
    const raw = {
      efector: { id: 101, url: withPassword(scenario.hospitals.get(101)!.url) },
      central: { url: withPassword(scenario.central.url) },
      retries: { attempts: 2, firstDelayMs: 1, maxDelayMs: 5 },
    }
    const loaded: LoadedConfig = { file: 'logging.yaml', config: configSchema.parse(raw) }
    const { logger, lines, text } = captureLogger('debug')
    const shutdown = new Shutdown({ graceMs: 1000, signals: [] })

    const cycle = await runEfectorOnce(loaded, { logger, shutdown })
    expect(cycle.outcome).toBe('uploaded')
    const pass = await runCentralOnce(
      { file: 'logging.yaml', config: configSchema.parse({ central: raw.central, retries: raw.retries }) },
      { logger, shutdown },
    )
    expect(pass.outcomes.map((outcome) => outcome.outcome)).toEqual(['ok'])

    // A central server that cannot be reached: every attempt is logged, and the URL's password is not.
    proxy = await TcpProxy.start({ host: '127.0.0.1', port: 5432 })
    const closedPort = proxy.port
    await proxy.close()
    proxy = undefined
    const unreachable = new URL(withPassword(scenario.central.url))
    unreachable.port = String(closedPort)
    const failing: LoadedConfig = {
      file: 'logging.yaml',
      config: configSchema.parse({ ...raw, central: { url: unreachable.toString() } }),
    }
    const failed = await runEfectorOnce(failing, { logger, shutdown })
    expect(failed).toMatchObject({ outcome: 'failed', attempts: 2 })

    const all = lines()
    const finished = all.filter((line) => line.msg === 'efector cycle finished')
    expect(finished[0]).toMatchObject({
      level: 30,
      run: expect.stringMatching(/:\d+:/),
      efector: 101,
      step: 'cycle',
      outcome: 'uploaded',
      headers: 1,
      details: 1,
      attempts: 1,
      durationMs: expect.any(Number),
    })
    expect(finished[1]).toMatchObject({
      level: 50,
      efector: 101,
      outcome: 'failed',
      attempts: 2,
      code: 'LABSYNC_CONNECTION',
    })
    expect(all.find((line) => line.msg === 'import finished')).toMatchObject({
      efector: 101,
      step: 'import',
      headers: 1,
      details: 1,
      run: expect.any(String),
    })
    expect(all.filter((line) => String(line.msg).includes('retrying'))).toHaveLength(1)
    for (const step of ['export', 'exported', 'claim', 'upload'])
      expect(all.some((line) => line.step === step)).toBe(true)
    expect(text()).not.toContain(SECRET)
    expect(JSON.stringify(failed.error?.message)).not.toContain(SECRET)
  })

  it('hide fields that may hold secrets whatever the caller passes', () => {
    const { logger, text } = captureLogger('debug')
    logger.info(
      { databaseUrl: `postgres://u:${SECRET}@h/db`, password: SECRET, config: { token: SECRET, password: SECRET } },
      'careless line',
    )
    expect(text()).not.toContain(SECRET)
  })
})

describe('the progress bar', () => {
  it('is not drawn when the output is not a terminal', () => {
    const notTerminal = Object.assign(new PassThrough(), { isTTY: false }) as unknown as NodeJS.WriteStream
    expect(createProgressBar(notTerminal)).toBeUndefined()
  })

  it('shows rows done, rows per second and time left', () => {
    let clock = 0
    const out = new PassThrough()
    let drawn = ''
    out.on('data', (chunk) => (drawn += String(chunk)))
    const bar = new TerminalProgressBar(out, () => clock)
    bar.begin('upload', 40_000, 'rows')
    clock = 4000
    bar.advance(12_000)
    bar.end()
    expect(drawn).toContain('upload  [#######.................]  12000/40000 rows  3000 rows/s  ~10 s left')
    expect(formatProgress({ label: 'import', unit: 'hospitals', done: 2, total: undefined, elapsedMs: 1000 })).toBe(
      'import  2 hospitals  2.0 hospitals/s',
    )
  })
})
