import { afterEach, describe, expect, it } from 'vitest'
import { Scenario } from '../support/scenario.js'
import { detail, header } from '../support/staging-fixtures.js'
import { DIALECTS } from '../support/test-databases.js'
import { IngestHarness } from './support/ingest-harness.js'
import { TcpProxy } from './support/tcp-proxy.js'

describe.each(DIALECTS)('HTTPS upload over a dropped connection on %s', (dialect) => {
  const cleanups: Array<() => Promise<void>> = []
  afterEach(async () => {
    while (cleanups.length) await cleanups.pop()!()
  })

  it('resumes from the last acknowledged chunk and ends with exactly one complete upload', async () => {
    const scenario = await Scenario.create(dialect, [{ id: 101, name: 'HospitalNorte' }])
    cleanups.push(() => scenario.drop())
    const harness = await IngestHarness.start(scenario)
    cleanups.push(() => harness.close())
    const proxy = await TcpProxy.start(harness.server.port)
    cleanups.push(() => proxy.close())

    const headers = []
    const details = []
    for (let p = 1; p <= 300; p++) {
      headers.push(
        header({ idProtocolo: p, idEfector: 101, observacionesResultados: `protocolo ${p} ${'x'.repeat(p % 50)}` }),
      )
      for (let d = 1; d <= 3; d++)
        details.push(detail({ idProtocolo: p, idEfector: 101, idDetalleProtocolo: p * 10 + d, resultado: `${p * d}` }))
    }
    await scenario.stageLocally(101, headers, details)
    // 6 header and 18 detail chunks of 50 rows; the link drops once, some chunks in.
    proxy.cutAfter(12_000)
    const result = await harness.runCycle(scenario, 101, { url: `https://127.0.0.1:${proxy.port}`, chunkRows: 50 })

    expect(proxy.cuts).toBe(1)
    expect(result).toMatchObject({ outcome: 'uploaded', uploaded: { headers: 300, details: 900 } })
    const requests = harness.requests()
    expect(requests.filter((entry) => entry.route === 'begin' && entry.status === 200)).toHaveLength(1)
    const acked = requests.filter((entry) => entry.route === 'chunk' && entry.status === 200)
    const seqs = new Set(acked.map((entry) => entry.chunk))
    expect(seqs.size).toBe(24)
    // Only the chunk in flight at the cut may have been sent twice: nothing started over.
    expect(acked.length).toBeLessThanOrEqual(25)
    const firstAfterCut = acked.findIndex((entry, index) => index > 0 && entry.chunk <= acked[index - 1].chunk)
    expect(acked[0].chunk).toBe(0)
    if (firstAfterCut >= 0) expect(acked[firstAfterCut].chunk).toBe(acked[firstAfterCut - 1].chunk)
    // The cut fell half-way: chunks were acknowledged before it and after it.
    expect(acked.filter((entry) => entry.time <= proxy.cutAtMs!).length).toBeGreaterThan(0)
    expect(acked.filter((entry) => entry.time >= proxy.cutAtMs!).length).toBeGreaterThan(0)

    const history = await scenario.centralRows('labsync_run', ['id'])
    expect(history.map((row) => [row.kind, row.outcome, row.headerRows, row.detailRows])).toEqual([
      ['upload', 'ok', 300, 900],
    ])
    const status = (await scenario.centralRows('LAB_EstadoSyncGeneral', ['idEfector']))[0]
    expect(Number(status.labsyncUploadSeq)).toBe(1)
    expect(status.ultimoUpdateEfectorFin).not.toBeNull()
    expect(status.labsyncUploadError).toBeNull()
    const sessions = await scenario.centralRows('labsync_upload_session', ['sessionId'])
    expect(
      sessions.map((row) => [row.state, Number(row.nextChunk), Number(row.headerRows), Number(row.detailRows)]),
    ).toEqual([['committed', 24, 300, 900]])
    expect(await scenario.centralRows('LAB_Temp_HospitalNorteResultadoEncabezado', ['idProtocolo'])).toHaveLength(300)
    expect(
      await scenario.centralRows('LAB_Temp_HospitalNorteResultadoDetalle', ['idProtocolo', 'idDetalleProtocolo']),
    ).toHaveLength(900)
    expect(await scenario.centralRows('labsync_upload_chunk', ['sessionId'])).toEqual([])
  })
})
