import { afterEach, describe, expect, it } from 'vitest'
import { normaliseDatetime } from '../../src/db/row-validator.js'
import { DETAIL_COLUMNS, HEADER_COLUMNS } from '../../src/db/tables/staging-tables.js'
import { Scenario } from '../support/scenario.js'
import { detail, header } from '../support/staging-fixtures.js'
import { DIALECTS } from '../support/test-databases.js'
import { IngestHarness } from './support/ingest-harness.js'

const COLUMNS = [...HEADER_COLUMNS, ...DETAIL_COLUMNS]

/** Rows in canonical values, so that both dialects compare the same way. */
function canonical(row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [name, value] of Object.entries(row)) {
    const spec = COLUMNS.find((column) => column.name === name)
    if (value === null || !spec) out[name] = value
    else if (spec.type.kind === 'bit') out[name] = value === true || value === 1
    else if (spec.type.kind === 'datetime') out[name] = normaliseDatetime(value)
    else out[name] = value
  }
  return out
}

function stagedRows(id: number, protocols: number) {
  const headers = []
  const details = []
  for (let p = 1; p <= protocols; p++) {
    headers.push(header({ idProtocolo: p, idEfector: id, observacionesResultados: `obs ${p} ñ €`, baja: p % 17 === 0 }))
    for (let d = 1; d <= 3; d++)
      details.push(detail({ idProtocolo: p, idEfector: id, idDetalleProtocolo: p * 10 + d, resultado: `${p}.${d}` }))
  }
  return { headers, details }
}

/** What a monitor or importer reads of a status row: everything but the times and the owner id. */
async function statusOf(scenario: Scenario, id: number) {
  const row = (await scenario.centralRows('LAB_EstadoSyncGeneral', ['idEfector'])).find(
    (r) => Number(r.idEfector) === id,
  )!
  return row
}

async function tableRows(scenario: Scenario, table: string, keys: string[]) {
  return (await scenario.centralRows(table, keys)).map(canonical)
}

describe.each(DIALECTS)('HTTPS transport on %s', (dialect) => {
  const cleanups: Array<() => Promise<void>> = []
  afterEach(async () => {
    while (cleanups.length) await cleanups.pop()!()
  })
  async function setUp(hospitals = [{ id: 101, name: 'HospitalNorte' }], serve = {}) {
    const scenario = await Scenario.create(dialect, hospitals)
    cleanups.push(() => scenario.drop())
    const harness = await IngestHarness.start(scenario, serve)
    cleanups.push(() => harness.close())
    return { scenario, harness }
  }

  it('gives the same central rows, status columns and history as the direct mode', async () => {
    const direct = await Scenario.create(dialect, [{ id: 101, name: 'HospitalNorte' }])
    cleanups.push(() => direct.drop())
    const { scenario, harness } = await setUp()
    const { headers, details } = stagedRows(101, 120)
    await direct.stageLocally(101, headers, details)
    await scenario.stageLocally(101, headers, details)

    const viaDirect = await direct.runCycle(101)
    const viaHttps = await harness.runCycle(scenario, 101, { chunkRows: 50 })
    expect(viaDirect.outcome).toBe('uploaded')
    expect(viaHttps).toMatchObject({ outcome: 'uploaded', uploaded: { headers: 120, details: 360 } })

    for (const [table, keys] of [
      ['LAB_Temp_HospitalNorteResultadoEncabezado', ['idProtocolo']],
      ['LAB_Temp_HospitalNorteResultadoDetalle', ['idProtocolo', 'idDetalleProtocolo']],
    ] as const) {
      expect(await tableRows(scenario, table, [...keys])).toEqual(await tableRows(direct, table, [...keys]))
    }
    const times = ['ultimoUpdateEfectorInicio', 'ultimoUpdateEfectorFin', 'labsyncUploadFin']
    const comparable = (row: Record<string, unknown>) => {
      const copy = { ...row }
      for (const name of times) {
        expect(copy[name], name).not.toBeNull()
        delete copy[name]
      }
      return copy
    }
    expect(comparable(await statusOf(scenario, 101))).toEqual(comparable(await statusOf(direct, 101)))
    const history = async (s: Scenario) =>
      (await s.centralRows('labsync_run', ['id'])).map((r) => [
        r.kind,
        r.outcome,
        r.headerRows,
        r.detailRows,
        r.message,
      ])
    expect(await history(scenario)).toEqual(await history(direct))

    expect((await direct.runPass()).outcomes.map((o) => o.outcome)).toEqual(['ok'])
    expect((await scenario.runPass()).outcomes.map((o) => o.outcome)).toEqual(['ok'])
    expect(await tableRows(scenario, 'LAB_ResultadoEncabezado', ['idProtocolo'])).toEqual(
      await tableRows(direct, 'LAB_ResultadoEncabezado', ['idProtocolo']),
    )
    expect(await tableRows(scenario, 'LAB_ResultadoDetalle', ['idProtocolo', 'idDetalleProtocolo'])).toEqual(
      await tableRows(direct, 'LAB_ResultadoDetalle', ['idProtocolo', 'idDetalleProtocolo']),
    )
    expect(await scenario.centralRows('labsync_upload_chunk', ['sessionId'])).toEqual([])

    const logged = harness.logLines.join('\n')
    expect(logged).not.toContain(harness.tokens.get(101)!)
    expect(logged).not.toContain('Núñez')
    const chunkLines = harness.requests().filter((entry) => entry.route === 'chunk')
    expect(chunkLines).toHaveLength(3 + 8)
    expect(
      chunkLines.every(
        (entry) =>
          entry.hospital === 101 &&
          entry.status === 200 &&
          entry.bytesIn > 0 &&
          entry.durationMs >= 0 &&
          entry.encoding === 'gzip',
      ),
    ).toBe(true)
  })
})
