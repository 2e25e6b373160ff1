import { writeFileSync } from 'node:fs'
import path from 'node:path'
import { Writable } from 'node:stream'
import { afterEach, describe, expect, it } from 'vitest'
import { runEfectorCycle } from '../../src/agent/efector-cycle.js'
import { main } from '../../src/cli/main.js'
import { configSchema } from '../../src/core/config.js'
import { createLogger } from '../../src/core/logger.js'
import { newOwnerId } from '../../src/core/owner.js'
import { startIngestServer } from '../../src/transport/ingest-server.js'
import { Scenario } from '../support/scenario.js'
import { header } from '../support/staging-fixtures.js'
import { serveConfig } from './support/ingest-harness.js'
import { makeSelfSignedCertificate } from './support/self-signed-cert.js'

const quiet = () => createLogger('silent', new Writable({ write: (_chunk, _encoding, done) => done() }))

describe('central serve setup and token commands (SQLite)', () => {
  const cleanups: Array<() => Promise<void>> = []
  afterEach(async () => {
    while (cleanups.length) await cleanups.pop()!()
  })

  it('issues, lists and revokes tokens from the CLI, printing the secret only once', async () => {
    const scenario = await Scenario.create('sqlite', [{ id: 101, name: 'HospitalNorte' }])
    cleanups.push(() => scenario.drop())
    const file = path.join(path.dirname(scenario.central.url.slice('sqlite:'.length)), 'central.yaml')
    writeFileSync(file, `central:\n  url: ${scenario.central.url}\nlog:\n  level: silent\n`)
    const run = async (...args: string[]) => {
      const lines: string[] = []
      const code = await main(['node', 'labsync', '--config', file, 'central', 'token', ...args], (line) =>
        lines.push(line),
      )
      return { code, lines }
    }

    const issued = await run('issue', '--id', '101')
    expect(issued.code).toBe(0)
    const token = issued.lines[1]
    expect(token).toMatch(/^lst_[a-f0-9]{16}_[A-Za-z0-9_-]{43}$/)
    const listed = await run('list')
    expect(listed.lines.join('\n')).toContain('active')
    expect(listed.lines.join('\n')).not.toContain(token)
    expect((await run('issue', '--id', '999')).code).toBe(1)
    expect((await run('revoke', '--id', '101')).lines).toEqual(['efector 101: 1 token revoked'])
    expect((await run('list', '--id', '101')).lines[0]).toMatch(/revoked \d{4}-/)
  })

  it('serves plain HTTP only when allowed and on loopback, and then uploads as over HTTPS', async () => {
    const scenario = await Scenario.create('sqlite', [{ id: 101, name: 'HospitalNorte' }])
    cleanups.push(() => scenario.drop())
    const certificate = makeSelfSignedCertificate()
    const plain = { ...serveConfig(certificate), tls: undefined }
    const start = (serve: typeof plain, host: string) =>
      startIngestServer({
        database: scenario.central.database,
        central: scenario.centralConfig,
        serve,
        logger: quiet(),
        host,
        port: 0,
      })

    await expect(start(plain, '127.0.0.1')).rejects.toMatchObject({ code: 'LABSYNC_CONFIG' })
    await expect(start({ ...plain, allowPlainHttp: true }, '0.0.0.0')).rejects.toMatchObject({ code: 'LABSYNC_CONFIG' })
    const server = await start({ ...plain, allowPlainHttp: true }, '127.0.0.1')
    cleanups.push(() => server.close())
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)

    await scenario.stageLocally(101, [header({ idProtocolo: 1, idEfector: 101 })], [])
    const lines: string[] = []
    const file = path.join(certificate.dir, 'central.yaml')
    writeFileSync(file, `central:\n  url: ${scenario.central.url}\n`)
    await main(['node', 'labsync', '--config', file, 'central', 'token', 'issue', '--id', '101'], (line) =>
      lines.push(line),
    )
    const efector = configSchema.parse({
      efector: {
        id: 101,
        url: scenario.hospitals.get(101)!.url,
        transport: 'https',
        https: { url: server.url, token: lines[1] },
      },
    }).efector!
    const result = await runEfectorCycle(scenario.hospitals.get(101)!.database, undefined, efector, undefined, {
      owner: newOwnerId(),
    })
    expect(result).toMatchObject({ outcome: 'uploaded', uploaded: { headers: 1, details: 0 } })
  })

  it('requires the https section when transport is https', () => {
    expect(() => configSchema.parse({ efector: { id: 1, url: 'sqlite:x.db', transport: 'https' } })).toThrow(/https/)
  })
})
