import { afterEach, describe, expect, it } from 'vitest'
import { HEADER_COLUMNS, DETAIL_COLUMNS } from '../../src/db/tables/staging-tables.js'
import { listTokens, revokeTokens, rotateToken } from '../../src/transport/efector-tokens.js'
import { Scenario } from '../support/scenario.js'
import { detail, header, headerRow } from '../support/staging-fixtures.js'
import { DIALECTS } from '../support/test-databases.js'
import { IngestHarness } from './support/ingest-harness.js'
import { rawRequest } from './support/raw-request.js'

const HOSPITALS = [
  { id: 101, name: 'HospitalNorte' },
  { id: 202, name: 'HospitalSur' },
]
const begin = (idEfector: number, sessionId: string) => ({
  idEfector,
  sessionId,
  headerColumns: HEADER_COLUMNS.map((column) => column.name),
  detailColumns: DETAIL_COLUMNS.map((column) => column.name),
})

describe.each(DIALECTS)('HTTPS tokens on %s', (dialect) => {
  const cleanups: Array<() => Promise<void>> = []
  afterEach(async () => {
    while (cleanups.length) await cleanups.pop()!()
  })
  async function setUp() {
    const scenario = await Scenario.create(dialect, HOSPITALS)
    cleanups.push(() => scenario.drop())
    const harness = await IngestHarness.start(scenario)
    cleanups.push(() => harness.close())
    const call = (token: string | undefined, method: string, path: string, body?: unknown) =>
      rawRequest({ url: harness.server.url, ca: harness.certificate.cert, token, method, path, body })
    return { scenario, harness, call }
  }
  const southState = async (scenario: Scenario) => ({
    status: (await scenario.centralRows('LAB_EstadoSyncGeneral', ['idEfector'])).find(
      (row) => Number(row.idEfector) === 202,
    ),
    headers: await scenario.centralRows('LAB_Temp_HospitalSurResultadoEncabezado', ['idProtocolo']),
    details: await scenario.centralRows('LAB_Temp_HospitalSurResultadoDetalle', ['idProtocolo', 'idDetalleProtocolo']),
  })

  it("refuses a token of hospital A for hospital B's status row and staging, whatever the body says", async () => {
    const { scenario, harness, call } = await setUp()
    await scenario.stageLocally(
      202,
      [header({ idProtocolo: 1, idEfector: 202 })],
      [detail({ idProtocolo: 1, idEfector: 202, idDetalleProtocolo: 1 })],
    )
    expect((await harness.runCycle(scenario, 202)).outcome).toBe('uploaded')
    const before = await southState(scenario)
    const northToken = harness.tokens.get(101)!

    const claim = await call(northToken, 'POST', '/v1/uploads', begin(202, 'a-claims-b'))
    expect(claim.status).toBe(403)
    expect(claim.body.error.code).toBe('LABSYNC_TOKEN_FORBIDDEN')

    // B opens a session; A cannot write into it, commit it, abort it or read it.
    const southToken = harness.tokens.get(202)!
    expect((await call(southToken, 'POST', '/v1/uploads', begin(202, 'b-session'))).status).toBe(200)
    const during = await southState(scenario)
    const foreignRows = {
      idEfector: 101,
      kind: 'header',
      rows: [headerRow(header({ idProtocolo: 9, idEfector: 101 }))],
    }
    for (const [method, path, body] of [
      ['PUT', '/v1/uploads/b-session/chunks/0', foreignRows],
      ['PUT', '/v1/uploads/b-session/chunks/0', { ...foreignRows, idEfector: 202 }],
      ['POST', '/v1/uploads/b-session/commit', { idEfector: 101, chunks: 0, headers: 0, details: 0 }],
      ['POST', '/v1/uploads/b-session/commit', { idEfector: 202, chunks: 0, headers: 0, details: 0 }],
      ['DELETE', '/v1/uploads/b-session', { idEfector: 202, code: 'X', message: 'x' }],
      ['GET', '/v1/uploads/b-session', undefined],
    ] as const) {
      const answer = await call(northToken, method, path, body)
      expect(answer.status, `${method} ${path}`).toBe(403)
      expect(answer.body.error.code).toBe('LABSYNC_TOKEN_FORBIDDEN')
    }
    expect(await southState(scenario)).toEqual(during)
    expect(await scenario.centralRows('labsync_upload_chunk', ['sessionId'])).toEqual([])
    expect(during.headers).toEqual(before.headers)
    expect(during.details).toEqual(before.details)

    // Rows of A smuggled by B's own token are refused too (the same check as the direct mode).
    const smuggled = await call(southToken, 'PUT', '/v1/uploads/b-session/chunks/0', { ...foreignRows, idEfector: 202 })
    expect(smuggled.status).toBe(400)
    expect(smuggled.body.error.code).toBe('LABSYNC_FOREIGN_ROWS')
    expect((await southState(scenario)).headers).toEqual(before.headers)
  })

  it('refuses unknown, malformed and revoked tokens, and a rotation keeps only the new one', async () => {
    const { scenario, harness, call } = await setUp()
    await scenario.stageLocally(101, [header({ idProtocolo: 1, idEfector: 101 })], [])
    const before = (await scenario.centralRows('LAB_EstadoSyncGeneral', ['idEfector']))[0]

    for (const token of [undefined, 'nonsense', `lst_${'0'.repeat(16)}_${'A'.repeat(43)}`]) {
      const answer = await call(token, 'POST', '/v1/uploads', begin(101, 'x'))
      expect(answer.status).toBe(401)
      expect(answer.body.error.code).toBe('LABSYNC_TOKEN_REFUSED')
    }

    const old = harness.tokens.get(101)!
    expect(await scenario.onCentral((session) => revokeTokens(session, 101))).toBe(1)
    const refused = await harness.runCycle(scenario, 101)
    expect(refused.outcome).toBe('failed')
    expect(refused.error?.code).toBe('LABSYNC_TOKEN_REFUSED')
    expect(refused.message).toContain('revoked')
    expect(refused.message).not.toContain(old)
    expect((await scenario.centralRows('LAB_EstadoSyncGeneral', ['idEfector']))[0]).toEqual(before)

    const rotated = await scenario.onCentral((session) => rotateToken(session, 101))
    expect(rotated.revoked).toBe(0)
    expect((await harness.runCycle(scenario, 101, { token: rotated.token })).outcome).toBe('uploaded')
    const again = await scenario.onCentral((session) => rotateToken(session, 101))
    expect(again.revoked).toBe(1)
    expect((await harness.runCycle(scenario, 101, { token: rotated.token })).error?.code).toBe('LABSYNC_TOKEN_REFUSED')
    const stored = await scenario.centralRows('labsync_efector_token', ['createdAt'])
    expect(JSON.stringify(stored)).not.toContain(again.token)
    expect(
      (await scenario.onCentral((session) => listTokens(session, 101)))
        .filter((t) => t.revokedAt === null)
        .map((t) => t.tokenId),
    ).toEqual([again.tokenId])
  })
})
