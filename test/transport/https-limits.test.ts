import { randomBytes } from 'node:crypto'
import { gzipSync } from 'node:zlib'
import { afterEach, describe, expect, it } from 'vitest'
import { DETAIL_COLUMNS, HEADER_COLUMNS } from '../../src/db/tables/staging-tables.js'
import { Scenario } from '../support/scenario.js'
import { detail, header, headerRow } from '../support/staging-fixtures.js'
import { DIALECTS } from '../support/test-databases.js'
import { IngestHarness } from './support/ingest-harness.js'
import { rawRequest } from './support/raw-request.js'

const begin = (idEfector: number, sessionId: string) => ({
  idEfector,
  sessionId,
  headerColumns: HEADER_COLUMNS.map((column) => column.name),
  detailColumns: DETAIL_COLUMNS.map((column) => column.name),
})

describe.each(DIALECTS)('HTTPS limits and errors on %s', (dialect) => {
  const cleanups: Array<() => Promise<void>> = []
  afterEach(async () => {
    while (cleanups.length) await cleanups.pop()!()
  })
  async function setUp(hospitals: { id: number; name: string }[], serve = {}) {
    const scenario = await Scenario.create(dialect, hospitals)
    cleanups.push(() => scenario.drop())
    const harness = await IngestHarness.start(scenario, { maxBodyBytes: 20_000, maxChunkBytes: 100_000, ...serve })
    cleanups.push(() => harness.close())
    const call = (method: string, path: string, body?: unknown, encoding?: 'gzip' | 'identity', id = 101) =>
      rawRequest({
        url: harness.server.url,
        ca: harness.certificate.cert,
        token: harness.tokens.get(id),
        method,
        path,
        body,
        encoding,
      })
    const state = async () => ({
      status: await scenario.centralRows('LAB_EstadoSyncGeneral', ['idEfector']),
      headers: await scenario.centralRows('LAB_Temp_HospitalNorteResultadoEncabezado', ['idProtocolo']),
      details: await scenario.centralRows('LAB_Temp_HospitalNorteResultadoDetalle', [
        'idProtocolo',
        'idDetalleProtocolo',
      ]),
      sessions: await scenario.centralRows('labsync_upload_session', ['sessionId']),
      chunks: await scenario.centralRows('labsync_upload_chunk', ['sessionId', 'seq']),
    })
    return { scenario, harness, call, state }
  }

  it('answers oversize and malformed requests with their errors and changes nothing', async () => {
    const { scenario, harness, call, state } = await setUp([{ id: 101, name: 'HospitalNorte' }])
    await scenario.stageLocally(
      101,
      [header({ idProtocolo: 1, idEfector: 101 })],
      [detail({ idProtocolo: 1, idEfector: 101, idDetalleProtocolo: 1 })],
    )
    expect((await harness.runCycle(scenario, 101)).outcome).toBe('uploaded')
    const idle = await state()

    const oversizeBegin = await call('POST', '/v1/uploads', randomBytes(30_000))
    expect([oversizeBegin.status, oversizeBegin.body.error.code]).toEqual([413, 'LABSYNC_TOO_LARGE'])
    expect(await state()).toEqual(idle)

    expect((await call('POST', '/v1/uploads', begin(101, 'limits'))).status).toBe(200)
    const open = await state()
    const bomb = gzipSync(JSON.stringify({ idEfector: 101, kind: 'header', rows: [], pad: ' '.repeat(500_000) }))
    expect(bomb.length).toBeLessThan(20_000)
    const cases: Array<[unknown, 'gzip' | 'identity' | undefined, number, string]> = [
      [randomBytes(30_000), 'identity', 413, 'LABSYNC_TOO_LARGE'],
      [bomb, undefined, 413, 'LABSYNC_TOO_LARGE'],
      [Buffer.from('not gzip at all'), 'gzip', 400, 'LABSYNC_BAD_REQUEST'],
      [gzipSync('{"idEfector": 101, "kind": "header", "rows": [[1,'), undefined, 400, 'LABSYNC_BAD_REQUEST'],
      [{ idEfector: 101, kind: 'footer', rows: [] }, undefined, 400, 'LABSYNC_BAD_REQUEST'],
      [{ idEfector: 101, kind: 'header', rows: 'many' }, undefined, 400, 'LABSYNC_BAD_REQUEST'],
    ]
    for (const [body, encoding, status, code] of cases) {
      const answer = await call('PUT', '/v1/uploads/limits/chunks/0', body, encoding)
      expect([answer.status, answer.body.error.code], code).toEqual([status, code])
      expect(await state()).toEqual(open)
    }
    const early = await call('POST', '/v1/uploads/limits/commit', { idEfector: 101, chunks: 3, headers: 1, details: 0 })
    expect([early.status, early.body.error.code]).toEqual([409, 'LABSYNC_UPLOAD_SESSION'])
    expect(
      (await call('PUT', '/v1/uploads/limits/chunks/5', { idEfector: 101, kind: 'header', rows: [] })).status,
    ).toBe(409)
    expect(await state()).toEqual(open)

    // An out-of-schema row: 400 naming its key and column, never its value; the upload fails as in the direct mode.
    const surname = 'Ñ'.repeat(101)
    const row = headerRow(header({ idProtocolo: 5, idEfector: 101, apellido: surname }))
    const invalid = await call('PUT', '/v1/uploads/limits/chunks/0', { idEfector: 101, kind: 'header', rows: [row] })
    expect(invalid.status).toBe(400)
    expect(invalid.body.error.code).toBe('LABSYNC_ROW_INVALID')
    expect(invalid.body.error.message).toContain('key idProtocolo=5 idEfector=101')
    expect(invalid.body.error.message).toContain('column apellido')
    expect(invalid.body.error.message).not.toContain(surname)
    const failed = await state()
    expect(failed.headers).toEqual(idle.headers)
    expect(failed.details).toEqual(idle.details)
    expect(failed.chunks).toEqual([])
    expect(failed.status[0].ultimoUpdateEfectorFin).toBeNull()
    expect(failed.status[0].labsyncUploadSeq).toEqual(idle.status[0].labsyncUploadSeq)
    expect(String(failed.status[0].labsyncUploadError)).toContain('LABSYNC_ROW_INVALID')
    expect((await scenario.runPass()).outcomes).toEqual([])
    const history = await scenario.centralRows('labsync_run', ['id'])
    expect(history.map((entry) => [entry.kind, entry.outcome])).toEqual([
      ['upload', 'ok'],
      ['upload', 'failed'],
    ])
    expect(harness.logLines.join('\n')).not.toContain(surname)

    // The next upload may claim at once, as after a failed direct upload.
    expect((await harness.runCycle(scenario, 101)).outcome).toBe('uploaded')
  })

  it('reports a bad local row through the agent with the same code and message as the direct mode', async () => {
    const { scenario, harness } = await setUp([{ id: 101, name: 'HospitalNorte' }])
    // A hand-made local staging table without NOT NULL constraints lets the bad row in.
    await scenario.loosenLocalStaging(101)
    await scenario.stageLocally(101, [header({ idProtocolo: 7, idEfector: 101, apellido: null })], [])
    const viaHttps = await harness.runCycle(scenario, 101)
    await scenario.onCentral((session) =>
      session.db.updateTable('LAB_EstadoSyncGeneral').set({ labsyncUploadError: null }).execute(),
    )
    const direct = await scenario.runCycle(101)
    expect(viaHttps.outcome).toBe('failed')
    expect(viaHttps.error?.code).toBe(direct.error?.code)
    expect(viaHttps.message).toBe(`${direct.message} [HTTP 400]`)
  })

  it('refuses more concurrent uploads than allowed with 503, and the agent skips', async () => {
    const hospitals = [
      { id: 101, name: 'HospitalNorte' },
      { id: 202, name: 'HospitalSur' },
    ]
    const { scenario, harness, call } = await setUp(hospitals, { maxConcurrentUploads: 1 })
    expect((await call('POST', '/v1/uploads', begin(101, 'first'))).status).toBe(200)
    const southBefore = (await scenario.centralRows('LAB_EstadoSyncGeneral', ['idEfector']))[1]
    const busy = await call('POST', '/v1/uploads', begin(202, 'second'), undefined, 202)
    expect([busy.status, busy.body.error.code]).toEqual([503, 'LABSYNC_SERVER_BUSY'])
    const skipped = await harness.runCycle(scenario, 202)
    expect(skipped.outcome).toBe('skipped')
    expect((await scenario.centralRows('LAB_EstadoSyncGeneral', ['idEfector']))[1]).toEqual(southBefore)
  })

  it('answers 409 while the hospital is importing, and the agent skips', async () => {
    const { scenario, harness, call } = await setUp([{ id: 101, name: 'HospitalNorte' }])
    await scenario.onCentral((session) =>
      session.db
        .updateTable('LAB_EstadoSyncGeneral')
        .set({ ultimoSyncFechaInicio: '2026-01-01 10:00:00.000', ultimoSyncFechaFin: null })
        .execute(),
    )
    scenario.centralConfig.leaseMinutes = 60 * 24 * 365 * 10
    const blocked = await call('POST', '/v1/uploads', begin(101, 'while-importing'))
    expect([blocked.status, blocked.body.error.code]).toEqual([409, 'LABSYNC_UPLOAD_BLOCKED'])
    expect(blocked.body.error.message).toContain('importing')
    const result = await harness.runCycle(scenario, 101)
    expect(result.outcome).toBe('skipped')
    expect(result.message).toContain('importing')
  })

  it('answers 409 while another upload of the hospital is under way, as the direct mode skips', async () => {
    const { scenario, harness, call } = await setUp([{ id: 101, name: 'HospitalNorte' }])
    expect((await call('POST', '/v1/uploads', begin(101, 'in-use'))).status).toBe(200)
    const during = await scenario.centralRows('LAB_EstadoSyncGeneral', ['idEfector'])
    const result = await harness.runCycle(scenario, 101)
    expect(result.outcome).toBe('skipped')
    expect(result.message).toContain('another upload')
    expect(await scenario.centralRows('LAB_EstadoSyncGeneral', ['idEfector'])).toEqual(during)
    expect((await call('GET', '/v1/uploads/in-use')).body).toMatchObject({ state: 'open', nextChunk: 0 })
  })
})
