import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Scenario } from '../support/scenario.js'

/** `labsync monitor` as a user starts it: a child process, stopped with SIGTERM. */
describe('labsync monitor command', () => {
  let scenario: Scenario
  let dir: string

  beforeAll(async () => {
    scenario = await Scenario.create('sqlite', [{ id: 401, name: 'HospitalBajo' }])
    dir = mkdtempSync(path.join(tmpdir(), 'labsync-monitor-cli-'))
  })
  afterAll(async () => {
    await scenario?.drop()
    rmSync(dir, { recursive: true, force: true })
  })

  function start(config: string, args: string[]) {
    const file = path.join(dir, `central-${Math.random().toString(36).slice(2)}.yaml`)
    writeFileSync(file, config)
    const argv = JSON.stringify(['node', 'labsync', '--config', file, 'monitor', ...args])
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '-e',
        `import('./src/cli/main.ts').then((m) => m.main(${argv})).then((code) => { process.exitCode = code })`,
      ],
      {
        cwd: path.resolve('.'),
        env: { ...process.env, LABSYNC_LOG_FORMAT: 'json' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    )
    let out = ''
    let err = ''
    child.stdout.on('data', (chunk) => (out += String(chunk)))
    child.stderr.on('data', (chunk) => (err += String(chunk)))
    const listening = new Promise<string>((resolve, reject) => {
      const timer = setInterval(() => {
        const match = /listening on (http:\/\/\S+)/.exec(out)
        if (match) {
          clearInterval(timer)
          resolve(match[1])
        }
      }, 50)
      child.on('exit', (code) => {
        clearInterval(timer)
        reject(new Error(`monitor exited with ${code}: ${out} ${err}`))
      })
    })
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
    return { child, listening, exited, output: () => out, errors: () => err }
  }

  it('serves loopback only without credentials, says so, and stops on SIGTERM', async () => {
    const monitor = start(`central:\n  url: ${scenario.central.url}\nlog:\n  level: warn\n`, [
      '--port',
      '0',
      '--host',
      '0.0.0.0',
    ])
    const url = await monitor.listening
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/)
    expect(monitor.output()).toContain('serving 127.0.0.1 only, not 0.0.0.0')
    const health = await fetch(`${url}health`)
    expect(health.status).toBe(200)
    const api = (await (await fetch(`${url}api/efectores`)).json()) as { efectores: Array<{ idEfector: number }> }
    expect(api.efectores.map((efector) => efector.idEfector)).toEqual([401])
    monitor.child.kill('SIGTERM')
    expect(await monitor.exited).toBe(0)
    expect(monitor.output()).toContain('monitor: stopping')
  })

  it('binds the asked host with credentials and never prints them', async () => {
    const config = `central:\n  url: ${scenario.central.url}\nmonitor:\n  token: \${MONITOR_TOKEN}\nlog:\n  level: info\n`
    process.env.MONITOR_TOKEN = 'cli-token-0123456789-secret'
    const monitor = start(config, ['--port', '0', '--host', '127.0.0.2'])
    try {
      const url = await monitor.listening
      expect(url).toMatch(/^http:\/\/127\.0\.0\.2:\d+\/$/)
      expect(monitor.output()).not.toContain('loopback')
      expect((await fetch(`${url}api/efectores`)).status).toBe(401)
      expect(
        (await fetch(`${url}api/efectores`, { headers: { authorization: 'Bearer cli-token-0123456789-secret' } }))
          .status,
      ).toBe(200)
    } finally {
      monitor.child.kill('SIGTERM')
      await monitor.exited
      delete process.env.MONITOR_TOKEN
    }
    expect(monitor.output() + monitor.errors()).not.toContain('cli-token-0123456789-secret')
  })
})
