import { sql } from 'kysely'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { normaliseDatetime } from '../src/db/row-validator.js'
import { centralNow } from '../src/status/status-store.js'
import { Scenario } from './support/scenario.js'
import { detail, header } from './support/staging-fixtures.js'
import { DIALECTS } from './support/test-databases.js'

describe.each(DIALECTS)('clocks on %s', (dialect) => {
  let scenario: Scenario
  afterEach(async () => {
    vi.useRealTimers()
    await scenario?.drop()
  })

  it("writes every status timestamp from the database clock, not the process's", async () => {
    scenario = await Scenario.create(dialect, [{ id: 5, name: 'Cinco' }])
    await scenario.stageLocally(
      5,
      [header({ idProtocolo: 1, idEfector: 5 })],
      [detail({ idProtocolo: 1, idEfector: 5, idDetalleProtocolo: 1 })],
    )
    const before = await scenario.onCentral(centralNow)
    // The process believes it is 1999; only the database's clock may reach the status row.
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(new Date('1999-06-15T12:00:00Z'))
    expect(new Date().getUTCFullYear()).toBe(1999)
    expect((await scenario.runCycle(5)).outcome).toBe('uploaded')
    expect((await scenario.runPass()).outcomes.map((outcome) => outcome.outcome)).toEqual(['ok'])
    vi.useRealTimers()
    const after = await scenario.onCentral(centralNow)

    const [status] = await scenario.centralRows('LAB_EstadoSyncGeneral', ['idEfector'])
    for (const column of [
      'ultimoUpdateEfectorInicio',
      'ultimoUpdateEfectorFin',
      'ultimoSyncFechaInicio',
      'ultimoSyncFechaFin',
    ]) {
      const value = normaliseDatetime(status[column])
      expect(value >= before && value <= after, `${column} ${value} within [${before}, ${after}]`).toBe(true)
    }
    const runs = await scenario.centralRows('labsync_run', ['id'])
    for (const run of runs) expect(normaliseDatetime(run.startedAt) >= before).toBe(true)
  })

  it('keeps fecha1 and fechaRecibeScreening to the millisecond, with no time zone shift', async () => {
    scenario = await Scenario.create(dialect, [{ id: 5, name: 'Cinco' }])
    const values = ['2026-03-08 00:00:00.001', '2026-10-04 23:59:59.999', '1900-01-01 12:30:00.500']
    await scenario.stageLocally(
      5,
      values.map((value, index) =>
        header({ idProtocolo: index + 1, idEfector: 5, fecha1: value, fechaRecibeScreening: value }),
      ),
      [],
    )
    await scenario.runCycle(5)
    await scenario.runPass()
    const rows = await scenario.centralRows('LAB_ResultadoEncabezado', ['idProtocolo'])
    expect(rows.map((row) => [normaliseDatetime(row.fecha1), normaliseDatetime(row.fechaRecibeScreening)])).toEqual(
      values.map((value) => [value, value]),
    )
  })

  it('treats NULL and the legacy 2001-01-01 seed as "never" in every status date', async () => {
    scenario = await Scenario.create(dialect, [{ id: 5, name: 'Cinco' }])
    const seed = '2001-01-01 00:00:00.000'
    await scenario.onCentral((session) =>
      session.db
        .updateTable('LAB_EstadoSyncGeneral')
        .set({
          ultimoUpdateEfectorInicio: seed,
          ultimoUpdateEfectorFin: seed,
          ultimoSyncFechaInicio: seed,
          ultimoSyncFechaFin: seed,
        })
        .execute(),
    )
    expect((await scenario.runPass()).outcomes).toEqual([])
    await scenario.stageLocally(5, [header({ idProtocolo: 1, idEfector: 5 })], [])
    expect((await scenario.runCycle(5)).outcome).toBe('uploaded')
    expect((await scenario.runPass()).outcomes.map((outcome) => outcome.outcome)).toEqual(['ok'])
  })

  it('decides "pending import" by the upload sequence when the central clock steps back', async () => {
    scenario = await Scenario.create(dialect, [{ id: 5, name: 'Cinco' }])
    await scenario.stageLocally(5, [header({ idProtocolo: 1, idEfector: 5 })], [])
    await scenario.runCycle(5)
    await scenario.runPass()
    // The last import appears to have started in the future (the clock was set back since).
    await scenario.onCentral((session) =>
      session.db
        .updateTable('LAB_EstadoSyncGeneral')
        .set({ ultimoSyncFechaInicio: '2099-01-01 00:00:00.000' })
        .execute(),
    )
    await scenario.stageLocally(5, [header({ idProtocolo: 2, idEfector: 5 })], [])
    expect((await scenario.runCycle(5)).outcome).toBe('uploaded')
    const pass = await scenario.runPass()
    expect(pass.outcomes.map((outcome) => outcome.outcome)).toEqual(['ok'])
  })

  it('falls back to the timestamps for an upload made by the legacy job', async () => {
    scenario = await Scenario.create(dialect, [{ id: 5, name: 'Cinco' }])
    await scenario.stageLocally(5, [header({ idProtocolo: 1, idEfector: 5 })], [])
    await scenario.runCycle(5)
    await scenario.runPass()
    expect((await scenario.runPass()).outcomes).toEqual([])
    // The legacy job uploads: it writes its own dates and knows nothing of labsync's columns.
    await scenario.onCentral((session) =>
      session.db
        .updateTable('LAB_EstadoSyncGeneral')
        .set({
          ultimoUpdateEfectorInicio: session.dialect.now(),
          ultimoUpdateEfectorFin: session.dialect.minutesFromNow(0.01),
        })
        .execute(),
    )
    expect((await scenario.runPass()).outcomes.map((outcome) => outcome.outcome)).toEqual(['ok'])
  })
})

describe.each(DIALECTS)('identifiers read from the status row on %s', (dialect) => {
  let scenario: Scenario
  afterEach(async () => scenario?.drop())

  it.each([
    'LAB_Temp_X"; DROP TABLE "LAB_ResultadoDetalle"; --',
    'LAB Temp Con Espacio',
    'LAB_Temp;Semi',
    "LAB_Temp'Quote",
  ])('refuses the staging table name %j before any SQL uses it', async (bad) => {
    scenario = await Scenario.create(dialect, [{ id: 6, name: 'Seis' }])
    await scenario.onCentral((session) =>
      session.db
        .updateTable('LAB_EstadoSyncGeneral')
        .set({ tablaEncabezado: bad })
        .where('idEfector', '=', 6)
        .execute(),
    )
    await scenario.stageLocally(6, [header({ idProtocolo: 1, idEfector: 6 })], [])
    const cycle = await scenario.runCycle(6)
    expect(cycle.outcome).toBe('failed')
    expect(cycle.error?.code).toBe('LABSYNC_IDENTIFIER')
    expect(cycle.message).toContain('efector 6')
    const [status] = await scenario.centralRows('LAB_EstadoSyncGeneral', ['idEfector'])
    expect(status.ultimoUpdateEfectorInicio).toBeNull()
    // The importer refuses it the same way, and the central tables are all still there.
    await scenario.onCentral((session) =>
      session.db
        .updateTable('LAB_EstadoSyncGeneral')
        .set({ ultimoUpdateEfectorInicio: session.dialect.now(), ultimoUpdateEfectorFin: session.dialect.now() })
        .execute(),
    )
    const pass = await scenario.runPass()
    expect(pass.outcomes.map((outcome) => outcome.error?.code)).toEqual(['LABSYNC_IDENTIFIER'])
    expect(await scenario.centralRows('LAB_ResultadoDetalle', ['idProtocolo'])).toEqual([])
  })

  it('finds a staging table whose name differs in case from the status row, as SQL Server would', async () => {
    scenario = await Scenario.create(dialect, [{ id: 6, name: 'Seis' }])
    await scenario.onCentral(async (session) => {
      // A table a DBA created unquoted: PostgreSQL folded its name to lower case (SQLite names ignore case already).
      if (dialect === 'postgres') {
        await session.run(
          sql`ALTER TABLE "LAB_Temp_SeisResultadoEncabezado" RENAME TO lab_temp_seisresultadoencabezado`,
        )
      }
      await session.db
        .updateTable('LAB_EstadoSyncGeneral')
        .set({ tablaDetalle: 'LAB_TEMP_SEISRESULTADODETALLE' })
        .execute()
    })
    await scenario.stageLocally(
      6,
      [header({ idProtocolo: 1, idEfector: 6 })],
      [detail({ idProtocolo: 1, idEfector: 6, idDetalleProtocolo: 1 })],
    )
    expect((await scenario.runCycle(6)).outcome).toBe('uploaded')
    expect((await scenario.runPass()).outcomes.map((outcome) => outcome.outcome)).toEqual(['ok'])
    expect(await scenario.centralRows('LAB_ResultadoDetalle', ['idProtocolo'])).toHaveLength(1)
  })
})
