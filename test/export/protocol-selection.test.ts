import { afterEach, describe, expect, it } from 'vitest'
import { DIALECTS } from '../support/test-databases.js'
import { detail, patient, protocol, SilFixture } from './sil-fixture.js'

/** docs/EXPORT.md, "Which protocols": the window, excluded patients, idTipoServicio, annulled protocols. */
describe.each(DIALECTS)('builtin export protocol selection on %s', (dialect) => {
  let sil: SilFixture
  afterEach(async () => sil?.drop())

  const keys = (rows: Record<string, unknown>[], ...columns: string[]) =>
    rows.map((row) => columns.map((column) => row[column]))

  it('takes a validation on the first day of the window at any time of day, and none of the day before', async () => {
    sil = await SilFixture.create(dialect)
    await sil.insert(
      'LAB_Protocolo',
      [1, 2, 3, 4, 5, 6].map((idProtocolo) => protocol({ idProtocolo })),
    )
    await sil.insert('LAB_DetalleProtocolo', [
      // First day of a 3-day window, at its first millisecond and at its last.
      detail({ idDetalleProtocolo: 11, idProtocolo: 1, fechaValida: sil.daysAgo(3, '00:00:00.000') }),
      detail({ idDetalleProtocolo: 31, idProtocolo: 3, fechaValida: sil.daysAgo(3, '23:59:59.997') }),
      // The last millisecond of the day before.
      detail({ idDetalleProtocolo: 21, idProtocolo: 2, fechaValida: sil.daysAgo(4, '23:59:59.997') }),
      // An old validation whose observation was validated on the first day counts by that date.
      detail({
        idDetalleProtocolo: 41,
        idProtocolo: 4,
        fechaValida: sil.daysAgo(10),
        idUsuarioValidaObservacion: 2,
        fechaValidaObservacion: sil.daysAgo(3, '00:00:00.000'),
      }),
      detail({ idDetalleProtocolo: 51, idProtocolo: 5, fechaValida: sil.daysAgo(10) }),
      // One recent validation brings every validated item of the protocol, old ones too.
      detail({ idDetalleProtocolo: 61, idProtocolo: 6, fechaValida: sil.daysAgo(0, '23:59:59.997') }),
      detail({ idDetalleProtocolo: 62, idProtocolo: 6, fechaValida: sil.daysAgo(30) }),
    ])

    expect(await sil.export(3)).toEqual({ headers: 4, details: 5 })
    expect(keys(await sil.stagedHeaders(), 'idProtocolo', 'baja')).toEqual([
      [1, false],
      [3, false],
      [4, false],
      [6, false],
    ])
    expect(keys(await sil.stagedDetails(), 'idProtocolo', 'idDetalleProtocolo')).toEqual([
      [1, 11],
      [3, 31],
      [4, 41],
      [6, 61],
      [6, 62],
    ])

    // With 0 days the window is today only.
    expect(await sil.export(0)).toEqual({ headers: 1, details: 2 })
  })

  it("leaves out patients in state 2, service types from 4 on, and other hospitals' protocols", async () => {
    sil = await SilFixture.create(dialect)
    await sil.insert('Sys_Paciente', [
      patient({ idPaciente: 2, idEstado: 2 }),
      patient({ idPaciente: 3, idEstado: 3 }),
      patient({ idPaciente: 4, idEstado: null }),
    ])
    await sil.insert('LAB_Protocolo', [
      protocol({ idProtocolo: 1, idPaciente: 1 }),
      protocol({ idProtocolo: 2, idPaciente: 2 }),
      protocol({ idProtocolo: 3, idPaciente: 3 }),
      protocol({ idProtocolo: 4, idPaciente: 4 }),
      protocol({ idProtocolo: 5, idTipoServicio: 3 }),
      protocol({ idProtocolo: 6, idTipoServicio: 4 }),
      protocol({ idProtocolo: 7, idTipoServicio: 5 }),
      protocol({ idProtocolo: 8, idEfector: 202 }),
    ])
    await sil.insert(
      'LAB_DetalleProtocolo',
      [1, 2, 3, 4, 5, 6, 7, 8].map((id) =>
        detail({ idDetalleProtocolo: id * 10, idProtocolo: id, fechaValida: sil.daysAgo(1) }),
      ),
    )

    expect(await sil.export(7)).toEqual({ headers: 4, details: 4 })
    expect(keys(await sil.stagedHeaders(), 'idProtocolo')).toEqual([[1], [3], [4], [5]])
    expect(keys(await sil.stagedDetails(), 'idProtocolo', 'idDetalleProtocolo')).toEqual([
      [1, 10],
      [3, 30],
      [4, 40],
      [5, 50],
    ])
  })

  it('exports an annulled protocol of the window as a baja = 1 header with no details, isolates or antibiograms', async () => {
    sil = await SilFixture.create(dialect)
    await sil.insert('LAB_Germen', [{ idGermen: 1, nombre: 'Escherichia coli' }])
    await sil.insert('LAB_Protocolo', [
      protocol({ idProtocolo: 1, baja: true }),
      protocol({ idProtocolo: 2, baja: null }),
      // Annulled long ago, with no validation in the window: nothing to send.
      protocol({ idProtocolo: 3, baja: true }),
    ])
    await sil.insert('LAB_DetalleProtocolo', [
      detail({ idDetalleProtocolo: 10, idProtocolo: 1, fechaValida: sil.daysAgo(2) }),
      detail({ idDetalleProtocolo: 20, idProtocolo: 2, fechaValida: sil.daysAgo(2) }),
      detail({ idDetalleProtocolo: 30, idProtocolo: 3, fechaValida: sil.daysAgo(40) }),
    ])
    await sil.insert('LAB_ProtocoloGermen', [{ idProtocoloGermen: 5, idProtocolo: 1, idItem: 10, idGermen: 1 }])
    await sil.insert('LAB_Antibiograma', [
      {
        idAntibiograma: 6,
        idProtocolo: 1,
        idGermen: 1,
        numeroAislamiento: 1,
        antibiotico: 'Ampicilina',
        resultado: 'Resistente',
        metodologia: 'Difusión',
        idUsuarioValida: 1,
      },
    ])

    expect(await sil.export(7)).toEqual({ headers: 2, details: 1 })
    const headers = await sil.stagedHeaders()
    expect(keys(headers, 'idProtocolo', 'baja')).toEqual([
      [1, true],
      [2, false],
    ])
    // Apart from baja, an annulled header is a full header.
    const { baja: annulledBaja, ...annulled } = headers[0]
    const { baja: activeBaja, ...active } = headers[1]
    expect([annulledBaja, activeBaja]).toEqual([true, false])
    expect({ ...annulled, idProtocolo: 0, numero: '' }).toEqual({ ...active, idProtocolo: 0, numero: '' })
    expect(keys(await sil.stagedDetails(), 'idProtocolo', 'idDetalleProtocolo')).toEqual([[2, 20]])
  })
})
