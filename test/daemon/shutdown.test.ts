import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { writeFileSync } from 'node:fs'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { usingSession } from '../../src/db/session.js'
import { generatedStaging } from '../support/generated-staging.js'
import { Scenario } from '../support/scenario.js'
import { header } from '../support/staging-fixtures.js'
import { TcpProxy } from '../support/tcp-proxy.js'
import { makeTempFolder } from '../support/temp-folder.js'

/**
 * `labsync efector start` in a child process, uploading a large staging set
 * to a central PostgreSQL server through a loopback proxy that slows the
 * link down (or stalls it), is sent SIGTERM in the middle of the upload.
 */
describe('shutdown of an agent in the middle of an upload (PostgreSQL)', () => {
  let scenario: Scenario
  let proxy: TcpProxy | undefined
  let child: ChildProcess | undefined
  afterEach(async () => {
    if (child && child.exitCode === null) child.kill('SIGKILL')
    await proxy?.close()
    await scenario?.drop()
  })

  const statusRow = async () => (await scenario.centralRows('LAB_EstadoSyncGeneral', ['idEfector']))[0]
  const stagedCount = async () =>
    (await scenario.centralRows('LAB_Temp_NorteResultadoEncabezado', ['idProtocolo'])).length
  const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

  async function startAgent(shutdownSeconds: number) {
    scenario = await Scenario.create('postgres', [{ id: 101, name: 'Norte' }])
    await scenario.stageLocally(
      101,
      [header({ idProtocolo: 1, idEfector: 101 }), header({ idProtocolo: 2, idEfector: 101 })],
      [],
    )
    expect((await scenario.runCycle(101)).outcome).toBe('uploaded')
    const big = generatedStaging(101, 3000, 10, 600)
    await scenario.stageLocally(101, big.headers, big.details)

    const target = new URL(scenario.central.url)
    proxy = await TcpProxy.start({ host: target.hostname, port: Number(target.port || 5432) })
    const through = new URL(scenario.central.url)
    through.port = String(proxy.port)
    const dir = makeTempFolder('shutdown')
    const file = path.join(dir, 'efector.yaml')
    writeFileSync(
      file,
      [
        'efector:',
        '  id: 101',
        `  url: ${scenario.hospitals.get(101)!.url}`,
        '  schedule: "0 0 1 1 *"',
        'central:',
        `  url: ${through.toString()}`,
        'retries:',
        '  attempts: 1',
        `shutdownSeconds: ${shutdownSeconds}`,
        '',
      ].join('\n'),
    )
    child = spawn(
      process.execPath,
      ['--import', 'tsx', 'test/support/run-cli.ts', '--config', file, 'efector', 'start', '--now'],
      {
        env: { ...process.env, LABSYNC_LOG_FORMAT: 'json' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    )
    const lines: Record<string, unknown>[] = []
    let buffer = ''
    child.stderr!.on('data', (chunk) => {
      buffer += String(chunk)
      const parts = buffer.split('\n')
      buffer = parts.pop()!
      for (const part of parts) if (part.startsWith('{')) lines.push(JSON.parse(part))
    })
    let stdout = ''
    child.stdout!.on('data', (chunk) => (stdout += String(chunk)))
    const exited = once(child, 'exit') as Promise<[number | null, string | null]>
    const waitForLine = async (test: (line: Record<string, unknown>) => boolean) => {
      while (!lines.some(test)) {
        if (child!.exitCode !== null) throw new Error(`the agent exited early: ${JSON.stringify(lines)}`)
        await wait(50)
      }
    }
    return { lines, exited, waitForLine, stdout: () => stdout }
  }

  it('SIGTERM rolls the upload back, keeps the previous staging, leaves a consistent status row, and exits 0; the next run succeeds', async () => {
    const agent = await startAgent(30)
    proxy!.throttle(30)
    await agent.waitForLine((line) => line.step === 'upload')
    while (proxy!.bytesUp < 1024 * 1024) await wait(50)

    child!.kill('SIGTERM')
    await agent.waitForLine((line) => String(line.msg).startsWith('stopping'))
    proxy!.resume()
    const [code] = await agent.exited

    expect(code).toBe(0)
    // For people, one line when it starts and one when it stops.
    expect(agent.stdout()).toMatch(
      /^efector 101: running on efector\.schedule "0 0 1 1 \*" \(.+\), next run at .+; stop with Ctrl-C or SIGTERM$/m,
    )
    expect(agent.stdout()).toMatch(/^efector 101: stopped after 1 run\(s\)$/m)
    const finished = agent.lines.find((line) => line.msg === 'efector cycle finished')
    expect(finished).toMatchObject({
      outcome: 'failed',
      code: 'LABSYNC_INTERRUPTED',
      run: expect.any(String),
      efector: 101,
    })
    expect(await stagedCount()).toBe(2)
    const row = await statusRow()
    expect(row.ultimoUpdateEfectorFin).toBeNull()
    expect(row.labsyncUploadOwner).toBeNull()
    expect(row.labsyncUploadFailedInicio).toEqual(row.ultimoUpdateEfectorInicio)
    expect(row.labsyncUploadError).toMatch(/^LABSYNC_INTERRUPTED: stopped by SIGTERM/)
    expect(row.labsyncUploadSeq).toBe(1)
    const lock = await usingSession(scenario.hospitals.get(101)!.database, (session) =>
      session.db.selectFrom('labsync_lock').selectAll().execute(),
    )
    expect(lock).toMatchObject([{ name: 'efector-agent', owner: null }])

    const next = await scenario.runCycle(101)
    expect(next.outcome).toBe('uploaded')
    expect(await stagedCount()).toBe(3000)
  })

  it('when the link stalls, exits 1 after shutdownSeconds and releases the claim on a fresh connection; the server rolls back', async () => {
    const agent = await startAgent(2)
    proxy!.stallAfter(1024 * 1024)
    await once(proxy!, 'stall')

    child!.kill('SIGTERM')
    const [code] = await agent.exited

    expect(code).toBe(1)
    expect(await stagedCount()).toBe(2)
    const row = await statusRow()
    expect(row.ultimoUpdateEfectorFin).toBeNull()
    expect(row.labsyncUploadOwner).toBeNull()
    expect(row.labsyncUploadFailedInicio).toEqual(row.ultimoUpdateEfectorInicio)
    expect(row.labsyncUploadError).toMatch(/^LABSYNC_INTERRUPTED: the process was stopped in the middle of the upload/)

    await proxy!.close()
    proxy = undefined
    const next = await scenario.runCycle(101)
    expect(next.outcome).toBe('uploaded')
    expect(await stagedCount()).toBe(3000)
  })
})
