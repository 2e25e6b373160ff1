import { afterEach, describe, expect, it } from 'vitest'
import { sql } from 'kysely'
import { normaliseDatetime } from '../../src/db/row-validator.js'
import { usingSession } from '../../src/db/session.js'
import { centralStagingNames } from '../../src/db/tables/staging-tables.js'
import { createSilTables } from '../../src/demo/create-sil-tables.js'
import { Scenario } from '../support/scenario.js'
import { DIALECTS } from '../support/test-databases.js'
import { detail, item, patient, protocol, SilFixture } from './sil-fixture.js'

/**
 * Bad laboratory data stops the export with an error naming the protocol
 * and the column; the previous local staging stays and nothing is uploaded.
 */
describe.each(DIALECTS)('builtin export on bad laboratory data on %s', (dialect) => {
  let sil: SilFixture | undefined
  let scenario: Scenario | undefined
  afterEach(async () => {
    await sil?.drop()
    await scenario?.drop()
    sil = undefined
    scenario = undefined
  })

  async function goodExport(fixture: SilFixture) {
    await fixture.insert('LAB_Protocolo', [protocol({ idProtocolo: 1 })])
    await fixture.insert('LAB_DetalleProtocolo', [
      detail({ idDetalleProtocolo: 1, idProtocolo: 1, fechaValida: fixture.daysAgo(1) }),
    ])
    expect(await fixture.export(7)).toEqual({ headers: 1, details: 1 })
    return { headers: await fixture.stagedHeaders(), details: await fixture.stagedDetails() }
  }

  const cases: Array<{ name: string; breakData: (fixture: SilFixture) => Promise<void>; message: RegExp }> = [
    {
      name: 'a detail whose item does not exist',
      breakData: async (fixture) => {
        await fixture.insert('LAB_Protocolo', [protocol({ idProtocolo: 2 })])
        await fixture.insert('LAB_DetalleProtocolo', [
          detail({
            idDetalleProtocolo: 20,
            idProtocolo: 2,
            idItem: 999,
            idSubItem: 999,
            fechaValida: fixture.daysAgo(1),
          }),
        ])
      },
      message: /LAB_DetalleProtocolo, key idProtocolo=2 idDetalleProtocolo=20, column idItem/,
    },
    {
      name: 'a sub-item that does not exist',
      breakData: async (fixture) => {
        await fixture.insert('LAB_Protocolo', [protocol({ idProtocolo: 2 })])
        await fixture.insert('LAB_DetalleProtocolo', [
          detail({ idDetalleProtocolo: 20, idProtocolo: 2, idSubItem: 998, fechaValida: fixture.daysAgo(1) }),
        ])
      },
      message: /key idProtocolo=2 idDetalleProtocolo=20, column idSubItem/,
    },
    {
      name: 'a NULL where the staging column does not allow it',
      breakData: async (fixture) => {
        await fixture.insert('LAB_Protocolo', [protocol({ idProtocolo: 2, sala: null })])
        await fixture.insert('LAB_DetalleProtocolo', [
          detail({ idDetalleProtocolo: 20, idProtocolo: 2, fechaValida: fixture.daysAgo(1) }),
        ])
      },
      message:
        /NULL in a NOT NULL varchar\(50\) column .*LAB_Temp_ResultadoEncabezado, key idProtocolo=2 idEfector=101, column sala/,
    },
    {
      name: 'a detail NULL where the staging column does not allow it',
      breakData: async (fixture) => {
        await fixture.insert('LAB_Protocolo', [protocol({ idProtocolo: 2 })])
        await fixture.insert('LAB_DetalleProtocolo', [
          detail({ idDetalleProtocolo: 20, idProtocolo: 2, metodo: null, fechaValida: fixture.daysAgo(1) }),
        ])
      },
      message: /LAB_Temp_ResultadoDetalle, key idProtocolo=2 idEfector=101 idDetalleProtocolo=20, column metodo/,
    },
    {
      name: 'a text longer than its staging column',
      breakData: async (fixture) => {
        await fixture.insert('Sys_Paciente', [patient({ idPaciente: 2, apellido: 'Ñ'.repeat(101) })])
        await fixture.insert('LAB_Protocolo', [protocol({ idProtocolo: 2, idPaciente: 2 })])
        await fixture.insert('LAB_DetalleProtocolo', [
          detail({ idDetalleProtocolo: 20, idProtocolo: 2, fechaValida: fixture.daysAgo(1) }),
        ])
      },
      message: /longer than nvarchar\(100\) .*key idProtocolo=2 idEfector=101, column apellido/,
    },
    {
      name: 'a formatoDecimal out of 0 to 4',
      breakData: async (fixture) => {
        await fixture.insert('LAB_Item', [item({ idItem: 11, formatoDecimal: 5 })])
        await fixture.insert('LAB_Protocolo', [protocol({ idProtocolo: 2 })])
        await fixture.insert('LAB_DetalleProtocolo', [
          detail({
            idDetalleProtocolo: 20,
            idProtocolo: 2,
            idItem: 11,
            idSubItem: 11,
            fechaValida: fixture.daysAgo(1),
          }),
        ])
      },
      message: /key idProtocolo=2 idDetalleProtocolo=20, column formatoDecimal/,
    },
  ]

  it.each(cases)('stops on $name and keeps the previous staging', async ({ breakData, message }) => {
    sil = await SilFixture.create(dialect)
    const before = await goodExport(sil)
    await breakData(sil)

    const failure = sil.export(7)
    await expect(failure).rejects.toThrow(message)
    await expect(failure).rejects.toMatchObject({ code: 'LABSYNC_ROW_INVALID' })
    // The dry run finds the same problem.
    await expect(sil.export(7, true)).rejects.toThrow(message)
    expect(await sil.stagedHeaders()).toEqual(before.headers)
    expect(await sil.stagedDetails()).toEqual(before.details)
  })

  it('fails the efector cycle with the error, keeping the local and central staging, and uploads nothing', async () => {
    scenario = await Scenario.create(dialect, [{ id: 101, name: 'HospitalEscuela' }])
    const hospital = scenario.hospitals.get(101)!
    await usingSession(hospital.database, (session) => createSilTables(session))
    const today = await usingSession(hospital.database, async (session) => {
      const { rows } = await session.run<{ now: string }>(sql`SELECT ${session.dialect.now()} AS now`)
      return normaliseDatetime(rows[0].now).slice(0, 10)
    })
    const daysAgo = (days: number) => {
      const date = new Date(`${today}T00:00:00Z`)
      date.setUTCDate(date.getUTCDate() - days)
      return `${date.toISOString().slice(0, 10)} 10:00:00.000`
    }
    const insert = (table: string, rows: Record<string, unknown>[]) =>
      usingSession(hospital.database, (session) => session.db.insertInto(table).values(rows).execute())
    await insert('Sys_Efector', [{ idEfector: 101, nombre: 'Hospital Escuela San Martín' }])
    await insert('Sys_Usuario', [{ idUsuario: 1, firmaValidacion: 'Bioq. Ana Núñez' }])
    await insert('LAB_Origen', [{ idOrigen: 1, nombre: 'Ambulatorio' }])
    await insert('LAB_Prioridad', [{ idPrioridad: 1, nombre: 'Rutina' }])
    await insert('LAB_SectorServicio', [{ idSectorServicio: 1, nombre: 'Guardia' }])
    await insert('LAB_Muestra', [{ idMuestra: 1, nombre: 'Sangre entera' }])
    await insert('LAB_Area', [{ idArea: 2, nombre: 'Química', ordenImpresion: 20 }])
    await insert('LAB_Item', [item({ idItem: 10 })])
    await insert('Sys_Paciente', [patient({ idPaciente: 1 })])
    await insert('LAB_Protocolo', [protocol({ idProtocolo: 1 })])
    await insert('LAB_DetalleProtocolo', [detail({ idDetalleProtocolo: 1, idProtocolo: 1, fechaValida: daysAgo(1) })])

    const builtin = (id: number) => ({
      export: { ...scenario!.efectorConfig(id).export, mode: 'builtin' as const, days: 7 },
    })
    const first = await scenario.runCycle(101, builtin(101))
    expect(first.outcome).toBe('uploaded')
    expect(first.uploaded).toMatchObject({ headers: 1, details: 1 })
    const names = centralStagingNames('HospitalEscuela')
    const centralBefore = {
      headers: await scenario.centralRows(names.header, ['idProtocolo']),
      details: await scenario.centralRows(names.detail, ['idProtocolo', 'idDetalleProtocolo']),
      status: await scenario.centralRows('LAB_EstadoSyncGeneral', ['idEfector']),
    }

    // A new protocol whose result points at an item the SIL does not hold.
    await insert('LAB_Protocolo', [protocol({ idProtocolo: 2 })])
    await insert('LAB_DetalleProtocolo', [
      detail({ idDetalleProtocolo: 2, idProtocolo: 2, idItem: 404, idSubItem: 404, fechaValida: daysAgo(0) }),
    ])
    const second = await scenario.runCycle(101, builtin(101))
    expect(second.outcome).toBe('failed')
    expect(second.error?.code).toBe('LABSYNC_ROW_INVALID')
    expect(second.message).toMatch(/key idProtocolo=2 idDetalleProtocolo=2, column idItem/)
    expect(second.uploaded).toBeUndefined()

    expect(await scenario.centralRows(names.header, ['idProtocolo'])).toEqual(centralBefore.headers)
    expect(await scenario.centralRows(names.detail, ['idProtocolo', 'idDetalleProtocolo'])).toEqual(
      centralBefore.details,
    )
    // The claim columns are untouched; only the error is recorded centrally, so the monitor shows it.
    const [statusAfter] = await scenario.centralRows('LAB_EstadoSyncGeneral', ['idEfector'])
    const { labsyncUploadError, labsyncUploadErrorAt, ...claimColumns } = statusAfter
    const {
      labsyncUploadError: _before,
      labsyncUploadErrorAt: _beforeAt,
      ...claimColumnsBefore
    } = centralBefore.status[0]
    expect(claimColumns).toEqual(claimColumnsBefore)
    expect(String(labsyncUploadError)).toMatch(/^LABSYNC_ROW_INVALID: .*column idItem/)
    expect(labsyncUploadErrorAt).not.toBeNull()
    const local = await usingSession(hospital.database, async (session) => ({
      headers: await session.db.selectFrom('LAB_Temp_ResultadoEncabezado').select('idProtocolo').execute(),
      runs: await session.db
        .selectFrom('LAB_SyncStatus')
        .select(['labsyncOutcome', 'labsyncMessage'])
        .orderBy('id')
        .execute(),
    }))
    expect(local.headers).toEqual([{ idProtocolo: 1 }])
    expect(local.runs.map((run) => run.labsyncOutcome)).toEqual(['uploaded', 'failed'])
    expect(String(local.runs[1].labsyncMessage)).toMatch(/^LABSYNC_ROW_INVALID: .*column idItem/)
  })
})
