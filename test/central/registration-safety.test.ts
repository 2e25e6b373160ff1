import { afterEach, describe, expect, it } from 'vitest'
import { addEfector } from '../../src/central/install-central.js'
import { installCentral } from '../../src/central/install-central.js'
import { LabsyncError } from '../../src/core/errors.js'
import { readStatusReport } from '../../src/status/status-report.js'
import { Scenario } from '../support/scenario.js'
import { header } from '../support/staging-fixtures.js'
import { DIALECTS } from '../support/test-databases.js'

const codeOf = async (work: Promise<unknown>) => {
  try {
    await work
  } catch (error) {
    return [(error as LabsyncError).code, (error as Error).message]
  }
  return ['no error', '']
}

describe.each(DIALECTS)('registering hospitals safely on %s', (dialect) => {
  let scenario: Scenario
  afterEach(async () => scenario?.drop())

  it("refuses a second hospital whose name would share the first one's staging tables", async () => {
    scenario = await Scenario.create(dialect, [{ id: 101, name: 'HospitalNorte' }])
    const [code, message] = await codeOf(
      scenario.onCentral((session) => addEfector(session, { id: 102, name: 'HospitalNorte' })),
    )
    expect(code).toBe('LABSYNC_EFECTOR_CONFLICT')
    expect(message).toContain('belong to hospital 101')
    expect((await scenario.centralRows('LAB_EstadoSyncGeneral', ['idEfector'])).map((row) => row.idEfector)).toEqual([
      101,
    ])
  })

  it('says which options of a repeated registration it left as they were', async () => {
    scenario = await Scenario.create(dialect, [{ id: 101, name: 'HospitalNorte' }])
    const again = await scenario.onCentral((session) =>
      addEfector(session, { id: 101, name: 'HospitalNorte', displayName: 'Otro nombre', minutesBetweenUploads: 30 }),
    )
    expect(again.statusRowCreated).toBe(false)
    expect(again.ignored).toEqual([
      '--display-name (status row keeps HospitalNorte)',
      '--min-minutes (status row keeps 0)',
    ])
  })

  it('refuses a name whose staging tables the database would not keep whole', async () => {
    scenario = await Scenario.create(dialect, [])
    const limit =
      dialect === 'postgres' ? 63 - 'LAB_Temp_ResultadoEncabezado'.length : 100 - 'LAB_Temp_ResultadoEncabezado'.length
    const [code, message] = await codeOf(
      scenario.onCentral((session) => addEfector(session, { id: 5, name: 'H'.repeat(limit + 1) })),
    )
    expect(code).toBe('LABSYNC_USAGE')
    expect(message).toContain(`at most ${limit} characters`)
    await scenario.onCentral((session) => addEfector(session, { id: 5, name: 'H'.repeat(limit) }))
    await scenario.onCentral((session) => installCentral(session))
  })

  it.each([
    ['tablaDetalle', 'lab_resultadodetalle'],
    ['tablaEncabezado', 'LAB_EstadoSyncGeneral'],
    ['tablaDetalle', 'labsync_run'],
    ['tablaDetalle', 'LAB_Temp_NorteResultadoEncabezado'],
    ['tablaDetalle', 'LAB_Temp_SurResultadoDetalle'],
  ])('refuses to upload into %s = %s, and leaves every table as it was', async (column, name) => {
    scenario = await Scenario.create(dialect, [
      { id: 101, name: 'Norte' },
      { id: 102, name: 'Sur' },
    ])
    await scenario.stageLocally(102, [header({ idProtocolo: 1, idEfector: 102 })], [])
    await scenario.runCycle(102)
    await scenario.runPass()
    await scenario.onCentral((session) =>
      session.db
        .updateTable('LAB_EstadoSyncGeneral')
        .set({ [column]: name })
        .where('idEfector', '=', 101)
        .execute(),
    )
    const before = await scenario.centralRows('LAB_ResultadoEncabezado', ['idEfector', 'idProtocolo'])
    await scenario.stageLocally(101, [header({ idProtocolo: 1, idEfector: 101 })], [])
    const cycle = await scenario.runCycle(101)
    expect(cycle.outcome).toBe('failed')
    expect(['LABSYNC_IDENTIFIER', 'LABSYNC_EFECTOR_CONFLICT']).toContain(cycle.error?.code)
    expect(await scenario.centralRows('LAB_ResultadoEncabezado', ['idEfector', 'idProtocolo'])).toEqual(before)
    expect(await scenario.centralRows('LAB_Temp_SurResultadoEncabezado', ['idProtocolo'])).toHaveLength(1)
    // The failure shows centrally, although no claim was taken.
    const report = await scenario.onCentral((session) => readStatusReport(session, scenario.centralConfig))
    const north = report.efectores.find((entry) => entry.idEfector === 101)!
    expect(north.failed).toBe(true)
    expect(north.lastError).toContain(cycle.error!.code)
    const runs = (await scenario.centralRows('labsync_run', ['id'])).filter((run) => run.idEfector === 101)
    expect(runs.map((run) => [run.kind, run.outcome])).toEqual([['upload', 'failed']])
  })

  it('shows a failed export on the central status row, and clears it with the next upload', async () => {
    scenario = await Scenario.create(dialect, [{ id: 101, name: 'Norte' }])
    const failed = await scenario.runCycle(101, {
      export: {
        mode: 'sql',
        procedure: 'LAB_ExportaResultadosValidados',
        headersSql: '/nonexistent/h.sql',
        detailsSql: '/nonexistent/d.sql',
      },
    })
    expect(failed.outcome).toBe('failed')
    const report = () => scenario.onCentral((session) => readStatusReport(session, scenario.centralConfig))
    expect((await report()).efectores[0]).toMatchObject({ failed: true, state: 'idle' })
    expect((await report()).efectores[0].lastError).toContain('/nonexistent/h.sql')
    await scenario.stageLocally(101, [header({ idProtocolo: 1, idEfector: 101 })], [])
    expect((await scenario.runCycle(101)).outcome).toBe('uploaded')
    expect((await report()).efectores[0]).toMatchObject({ failed: false, lastError: null })
  })
})
