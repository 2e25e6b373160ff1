import { spawn, type ChildProcess } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { configSchema } from '../../src/core/config.js'
import { runEfectorCycle } from '../../src/agent/efector-cycle.js'
import { newOwnerId } from '../../src/core/owner.js'
import { DETAIL_COLUMNS, HEADER_COLUMNS } from '../../src/db/tables/staging-tables.js'
import { issueToken } from '../../src/transport/efector-tokens.js'
import { Scenario } from '../support/scenario.js'
import { detail, detailRow, header, headerRow } from '../support/staging-fixtures.js'
import { DIALECTS } from '../support/test-databases.js'
import { rawRequest } from './support/raw-request.js'
import { makeSelfSignedCertificate, type TestCertificate } from './support/self-signed-cert.js'

const CHILD = path.resolve(import.meta.dirname, 'support/serve-child.ts')

/** `labsync central serve` in a child process; resolves with its URL once it listens. */
function startChild(configFile: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, configFile], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, LABSYNC_LOG_FORMAT: 'json' },
  })
  return new Promise((resolve, reject) => {
    let out = ''
    let err = ''
    child.stdout!.on('data', (data) => {
      out += String(data)
      const match = /serving uploads on (\S+)/.exec(out)
      if (match) resolve({ child, url: match[1] })
    })
    child.stderr!.on('data', (data) => (err += String(data)))
    child.on('exit', (code) => reject(new Error(`serve exited with ${code}: ${err}`)))
  })
}

describe.each(DIALECTS)('HTTPS server killed mid-upload on %s', (dialect) => {
  const cleanups: Array<() => Promise<void> | void> = []
  afterEach(async () => {
    while (cleanups.length) await cleanups.pop()!()
  })

  it('leaves the previous staging and the hospital not importable, and the next upload goes through', async () => {
    const scenario = await Scenario.create(dialect, [{ id: 101, name: 'HospitalNorte' }])
    cleanups.push(() => scenario.drop())
    const certificate: TestCertificate = makeSelfSignedCertificate()
    const configFile = path.join(certificate.dir, 'central.yaml')
    writeFileSync(
      configFile,
      JSON.stringify({
        central: {
          url: scenario.central.url,
          serve: {
            host: '127.0.0.1',
            port: 0,
            requestTimeoutSeconds: 1,
            tls: { cert: certificate.certFile, key: certificate.keyFile },
          },
        },
        log: { level: 'warn' },
      }),
    )
    const token = (await scenario.onCentral((session) => issueToken(session, 101))).token
    let server = await startChild(configFile)
    cleanups.push(() => void server.child.kill('SIGKILL'))
    const efector = (url: string) =>
      configSchema.parse({
        efector: {
          id: 101,
          url: scenario.hospitals.get(101)!.url,
          transport: 'https',
          https: { url, token, caFile: certificate.certFile, retries: 0 },
        },
      }).efector!
    const cycle = (url: string) =>
      runEfectorCycle(scenario.hospitals.get(101)!.database, undefined, efector(url), undefined, {
        owner: newOwnerId(),
      })

    await scenario.stageLocally(
      101,
      [header({ idProtocolo: 1, idEfector: 101 })],
      [detail({ idProtocolo: 1, idEfector: 101, idDetalleProtocolo: 1 })],
    )
    expect((await cycle(server.url)).outcome).toBe('uploaded')
    expect((await scenario.runPass()).outcomes.map((outcome) => outcome.outcome)).toEqual(['ok'])
    const stagingBefore = {
      headers: await scenario.centralRows('LAB_Temp_HospitalNorteResultadoEncabezado', ['idProtocolo']),
      details: await scenario.centralRows('LAB_Temp_HospitalNorteResultadoDetalle', [
        'idProtocolo',
        'idDetalleProtocolo',
      ]),
    }

    // A second upload gets two chunks in, then the server dies before the commit.
    const call = (method: string, route: string, body: unknown) =>
      rawRequest({ url: server.url, ca: certificate.cert, token, method, path: route, body })
    const opened = await call('POST', '/v1/uploads', {
      idEfector: 101,
      sessionId: 'killed',
      headerColumns: HEADER_COLUMNS.map((column) => column.name),
      detailColumns: DETAIL_COLUMNS.map((column) => column.name),
    })
    expect(opened.status).toBe(200)
    const newHeaders = [2, 3, 4].map((id) => headerRow(header({ idProtocolo: id, idEfector: 101 })))
    expect(
      (await call('PUT', '/v1/uploads/killed/chunks/0', { idEfector: 101, kind: 'header', rows: newHeaders })).status,
    ).toBe(200)
    const newDetails = [detailRow(detail({ idProtocolo: 2, idEfector: 101, idDetalleProtocolo: 5 }))]
    expect(
      (await call('PUT', '/v1/uploads/killed/chunks/1', { idEfector: 101, kind: 'detail', rows: newDetails })).status,
    ).toBe(200)
    server.child.kill('SIGKILL')
    await new Promise((resolve) => server.child.once('exit', resolve))

    expect(await scenario.centralRows('LAB_Temp_HospitalNorteResultadoEncabezado', ['idProtocolo'])).toEqual(
      stagingBefore.headers,
    )
    expect(
      await scenario.centralRows('LAB_Temp_HospitalNorteResultadoDetalle', ['idProtocolo', 'idDetalleProtocolo']),
    ).toEqual(stagingBefore.details)
    const status = (await scenario.centralRows('LAB_EstadoSyncGeneral', ['idEfector']))[0]
    expect(status.ultimoUpdateEfectorInicio).not.toBeNull()
    expect(status.ultimoUpdateEfectorFin).toBeNull()
    expect(Number(status.labsyncUploadSeq)).toBe(1)
    expect((await scenario.runPass()).outcomes).toEqual([])
    expect(await scenario.centralRows('labsync_upload_chunk', ['sessionId', 'seq'])).toHaveLength(2)

    // A new server and the hospital's next run: the abandoned session is superseded and the new upload commits.
    server = await startChild(configFile)
    await new Promise((resolve) => setTimeout(resolve, 1_200)) // past requestTimeoutSeconds: the old session is surely dead
    await scenario.stageLocally(101, [header({ idProtocolo: 9, idEfector: 101 })], [])
    expect((await cycle(server.url)).outcome).toBe('uploaded')
    expect(
      (await scenario.centralRows('LAB_Temp_HospitalNorteResultadoEncabezado', ['idProtocolo'])).map(
        (row) => row.idProtocolo,
      ),
    ).toEqual([9])
    const sessions = await scenario.centralRows('labsync_upload_session', ['startedAt', 'sessionId'])
    expect(sessions.map((row) => row.state)).toEqual(['committed', 'failed', 'committed'])
    expect(await scenario.centralRows('labsync_upload_chunk', ['sessionId', 'seq'])).toEqual([])
    expect((await scenario.runPass()).outcomes.map((outcome) => outcome.outcome)).toEqual(['ok'])
  })
})
