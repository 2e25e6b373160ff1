import { afterEach, describe, expect, it } from 'vitest'
import { Scenario } from './support/scenario.js'
import { detail, header } from './support/staging-fixtures.js'
import { DIALECTS } from './support/test-databases.js'

const keysOf = (rows: Record<string, unknown>[], columns: string[]) =>
  rows.map((row) => columns.map((column) => row[column]))

describe.each(DIALECTS)('merge rules on %s', (dialect) => {
  let scenario: Scenario
  afterEach(async () => scenario?.drop())

  async function syncRound(headers: Record<string, unknown>[], details: Record<string, unknown>[]) {
    await scenario.stageLocally(7, headers, details)
    expect((await scenario.runCycle(7)).outcome).toBe('uploaded')
    const pass = await scenario.runPass()
    expect(pass.outcomes).toHaveLength(1)
    return pass.outcomes[0]
  }

  const centralHeaders = () => scenario.centralRows('LAB_ResultadoEncabezado', ['idProtocolo'])
  const centralDetails = () => scenario.centralRows('LAB_ResultadoDetalle', ['idProtocolo', 'idDetalleProtocolo'])

  it('deletes an annulled protocol and all its details, and keeps the others', async () => {
    scenario = await Scenario.create(dialect, [{ id: 7, name: 'Siete' }])
    await syncRound(
      [header({ idProtocolo: 1, idEfector: 7 }), header({ idProtocolo: 2, idEfector: 7 })],
      [
        detail({ idProtocolo: 1, idEfector: 7, idDetalleProtocolo: 1 }),
        detail({ idProtocolo: 1, idEfector: 7, idDetalleProtocolo: 2 }),
        detail({ idProtocolo: 2, idEfector: 7, idDetalleProtocolo: 3 }),
      ],
    )
    const outcome = await syncRound([header({ idProtocolo: 1, idEfector: 7, baja: true })], [])
    expect(outcome.merge).toMatchObject({ deletedProtocols: 1, deletedDetails: 2 })
    expect(keysOf(await centralHeaders(), ['idProtocolo'])).toEqual([[2]])
    expect(keysOf(await centralDetails(), ['idProtocolo', 'idDetalleProtocolo'])).toEqual([[2, 3]])
  })

  it('replaces a re-uploaded header and its details with the same key, resets cda, and keeps details not staged', async () => {
    scenario = await Scenario.create(dialect, [{ id: 7, name: 'Siete' }])
    await syncRound(
      [header({ idProtocolo: 1, idEfector: 7, apellido: 'Gómez' })],
      [
        detail({ idProtocolo: 1, idEfector: 7, idDetalleProtocolo: 1, resultado: '95' }),
        detail({ idProtocolo: 1, idEfector: 7, idDetalleProtocolo: 2, resultado: '4.5' }),
      ],
    )
    await scenario.onCentral((session) =>
      session.db.updateTable('LAB_ResultadoEncabezado').set({ cda: '<ClinicalDocument/>' }).execute(),
    )
    const outcome = await syncRound(
      [header({ idProtocolo: 1, idEfector: 7, apellido: 'Gómez Núñez' })],
      [detail({ idProtocolo: 1, idEfector: 7, idDetalleProtocolo: 1, resultado: '101' })],
    )
    expect(outcome.merge).toMatchObject({ headersWritten: 1, detailsWritten: 1, deletedProtocols: 0 })
    const [row] = await centralHeaders()
    expect(row).toMatchObject({ apellido: 'Gómez Núñez', cda: null })
    expect(keysOf(await centralDetails(), ['idDetalleProtocolo', 'resultado'])).toEqual([
      [1, '101'],
      [2, '4.5'],
    ])
  })

  it('changes nothing when the same staging is imported twice', async () => {
    scenario = await Scenario.create(dialect, [{ id: 7, name: 'Siete' }])
    const headers = [header({ idProtocolo: 1, idEfector: 7 }), header({ idProtocolo: 2, idEfector: 7, baja: true })]
    const details = [detail({ idProtocolo: 1, idEfector: 7, idDetalleProtocolo: 1 })]
    await syncRound(headers, details)
    await scenario.onCentral((session) =>
      session.db.updateTable('LAB_ResultadoEncabezado').set({ cda: '<ClinicalDocument/>' }).execute(),
    )
    const before = [await centralHeaders(), await centralDetails()]
    const again = await syncRound(headers, details)
    expect(again.merge).toMatchObject({ headersWritten: 0, detailsWritten: 0, deletedProtocols: 0, deletedDetails: 0 })
    expect([await centralHeaders(), await centralDetails()]).toEqual(before)
  })

  it('does not import a detail whose protocol has no staged header, and reports it as a warning', async () => {
    scenario = await Scenario.create(dialect, [{ id: 7, name: 'Siete' }])
    const outcome = await syncRound(
      [header({ idProtocolo: 1, idEfector: 7 })],
      [
        detail({ idProtocolo: 1, idEfector: 7, idDetalleProtocolo: 1 }),
        detail({ idProtocolo: 9, idEfector: 7, idDetalleProtocolo: 5 }),
      ],
    )
    expect(outcome.outcome).toBe('warning')
    expect(outcome.merge?.orphanDetails).toBe(1)
    expect(keysOf(await centralDetails(), ['idProtocolo'])).toEqual([[1]])
    const [run] = await scenario
      .centralRows('labsync_run', ['id'])
      .then((rows) => rows.filter((row) => row.kind === 'import'))
    expect(run).toMatchObject({ outcome: 'warning', orphanDetails: 1 })
    expect(String(run.message)).toContain('no staged header')
  })

  it("refuses staged rows of another hospital, naming their keys, and imports the hospital's own", async () => {
    scenario = await Scenario.create(dialect, [
      { id: 7, name: 'Siete' },
      { id: 8, name: 'Ocho' },
    ])
    // The legacy job, not labsync, wrote these rows straight into hospital 7's central staging.
    await scenario.onCentral(async (session) => {
      const values = (extra: Record<string, unknown>) => ({
        ...header({ idProtocolo: 1, idEfector: 7 }),
        ...extra,
        baja: dialect === 'sqlite' ? 0 : false,
        hiv: null,
      })
      await session.db
        .insertInto('LAB_Temp_SieteResultadoEncabezado')
        .values([values({}), values({ idEfector: 8, idProtocolo: 44 })])
        .execute()
      await session.db
        .updateTable('LAB_EstadoSyncGeneral')
        .set({
          ultimoUpdateEfectorInicio: '2026-12-01 10:00:00.000',
          ultimoUpdateEfectorFin: '2026-12-01 10:05:00.000',
        })
        .where('idEfector', '=', 7)
        .execute()
    })
    const pass = await scenario.runPass()
    const outcome = pass.outcomes.find((entry) => entry.idEfector === 7)!
    expect(outcome.outcome).toBe('partial')
    expect(outcome.message).toContain('idProtocolo=44 idEfector=8')
    expect(outcome.message).not.toContain('Núñez')
    expect(keysOf(await centralHeaders(), ['idEfector', 'idProtocolo'])).toEqual([[7, 1]])
    const [status] = await scenario.onCentral((session) =>
      session.db.selectFrom('LAB_EstadoSyncGeneral').selectAll().where('idEfector', '=', 7).execute(),
    )
    expect(String(status.labsyncImportError)).toContain('LAB_Temp_SieteResultadoEncabezado idProtocolo=44 idEfector=8')
  })

  it('refuses at upload a local staging row of another hospital, and uploads nothing', async () => {
    scenario = await Scenario.create(dialect, [{ id: 7, name: 'Siete' }])
    await syncRound([header({ idProtocolo: 1, idEfector: 7 })], [])
    await scenario.stageLocally(
      7,
      [header({ idProtocolo: 2, idEfector: 7 }), header({ idProtocolo: 3, idEfector: 99 })],
      [],
    )
    const cycle = await scenario.runCycle(7)
    expect(cycle.outcome).toBe('failed')
    expect(cycle.error?.code).toBe('LABSYNC_FOREIGN_ROWS')
    expect(cycle.message).toContain('idProtocolo=3 idEfector=99')
    const staged = await scenario.centralRows('LAB_Temp_SieteResultadoEncabezado', ['idProtocolo'])
    expect(keysOf(staged, ['idProtocolo'])).toEqual([[1]])
  })
})
