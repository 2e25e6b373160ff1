import { execFile, spawn } from 'node:child_process'
import { closeSync, openSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { promisify } from 'node:util'
import { afterEach, describe, expect, it } from 'vitest'
import { Scenario } from '../support/scenario.js'
import { detail, header } from '../support/staging-fixtures.js'
import { makeTempFolder } from '../support/temp-folder.js'

/**
 * The built command (`bin/labsync.js`) when whoever reads its standard
 * output or error goes away: it finishes what it was doing and exits with
 * its own status.
 */
const BIN = path.resolve('bin/labsync.js')
const run = promisify(execFile)

/** Runs the command with the reading ends of the chosen streams closed before it writes anything. */
function withClosed(streams: ('stdout' | 'stderr')[], args: string[], env: Record<string, string> = {}) {
  const child = spawn('node', [BIN, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, LABSYNC_LOG_FORMAT: 'json', ...env },
  })
  let stderr = ''
  for (const name of ['stdout', 'stderr'] as const) {
    if (streams.includes(name)) child[name].destroy()
    else if (name === 'stderr') child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    else child.stdout.resume()
  }
  return new Promise<{ code: number | null; stderr: string }>((resolve) =>
    child.on('close', (code) => resolve({ code, stderr })),
  )
}

describe('the labsync command with a closed stdout or stderr', () => {
  let scenario: Scenario | undefined
  afterEach(async () => {
    await scenario?.drop()
    scenario = undefined
  })

  it('stops quietly with exit status 0 when the reader of its output goes away (labsync sql ... | head)', async () => {
    const result = await withClosed(['stdout'], ['sql', 'install-central', '--dialect', 'postgres'])
    expect(result).toEqual({ code: 0, stderr: '' })
  })

  it('says once that its output could not be written (a full disk), and exits 1', async () => {
    const full = openSync('/dev/full', 'w')
    try {
      const child = spawn('node', [BIN, 'sql', 'install-central', '--dialect', 'postgres'], {
        stdio: ['ignore', full, 'pipe'],
      })
      let stderr = ''
      child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve))
      expect({ code, stderr }).toEqual({ code: 1, stderr: 'labsync: cannot write to standard output: ENOSPC\n' })
    } finally {
      closeSync(full)
    }
  })

  it('keeps the exit status of a usage or configuration error', async () => {
    expect((await withClosed(['stdout', 'stderr'], ['bogus'])).code).toBe(2)
    const missing = { LABSYNC_CONFIG: '/nonexistent/labsync.yaml' }
    expect((await withClosed(['stdout'], ['status'], missing)).code).toBe(2)
    expect((await withClosed(['stderr'], ['status'], missing)).code).toBe(2)
  })

  it('ends a failing upload as without the pipes: exit 1, the agent lock and the claim let go', async () => {
    scenario = await Scenario.create('sqlite', [{ id: 101, name: 'Norte' }])
    await scenario.loosenLocalStaging(101)
    const good = header({ idProtocolo: 7, idEfector: 101 })
    await scenario.stageLocally(101, [{ ...good, edad: 'treinta' }], [])
    const config = path.join(makeTempFolder('closed-streams'), 'efector.yaml')
    writeFileSync(
      config,
      `efector:\n  id: 101\n  url: ${scenario.hospitals.get(101)!.url}\ncentral:\n  url: ${scenario.central.url}\n`,
    )

    for (const closed of [['stdout'], ['stderr'], ['stdout', 'stderr']] as const) {
      const failed = await withClosed([...closed], ['--config', config, 'efector', 'run'])
      expect(failed.code, `with ${closed.join(' and ')} closed`).toBe(1)
    }

    // The next run, with the row put right, is neither locked out nor skipped.
    await scenario.stageLocally(101, [good], [detail({ idProtocolo: 7, idEfector: 101, idDetalleProtocolo: 70 })])
    const next = await run('node', [BIN, '--config', config, 'efector', 'run'])
    expect(next.stdout).toContain('efector 101: uploaded 1 headers and 1 details')
  })
})
