import { afterEach, describe, expect, it } from 'vitest'
import { DIALECTS } from '../support/test-databases.js'
import { detail, ID_EFECTOR, patient, protocol, SilFixture } from './sil-fixture.js'

describe.each(DIALECTS)('builtin export header rows on %s', (dialect) => {
  let sil: SilFixture
  afterEach(async () => sil?.drop())

  it('maps a protocol, its patient and its lookups to one header row', async () => {
    sil = await SilFixture.create(dialect)
    await sil.insert('Sys_Paciente', [
      patient({
        idPaciente: 2,
        apellido: 'Peña Acuña',
        nombre: 'Begoña',
        numeroDocumento: 28456789,
        fechaNacimiento: '1981-07-09 00:00:00.000',
        referencia: 'Junín 845, 2º B',
        historiaClinica: 40213,
        idLocalidad: 21,
        idProvincia: 6,
        telefonoFijo: '0379 4431234',
        telefonoCelular: null,
      }),
    ])
    await sil.insert('LAB_Protocolo', [
      protocol({
        idProtocolo: 5001,
        idPaciente: 2,
        numero: '261120-00017',
        fecha: '2026-11-20 08:15:30.123',
        edad: 45,
        unidadEdad: 0,
        sexo: 'F',
        sala: '3',
        cama: '12',
        solicitante: 'Dra. Inés Muñoz',
        embarazada: true,
        hiv: true,
        observacionesResultados: 'Muestra hemolizada',
      }),
    ])
    await sil.insert('LAB_DetalleProtocolo', [
      detail({ idDetalleProtocolo: 1, idProtocolo: 5001, fechaValida: sil.daysAgo(0) }),
    ])

    expect(await sil.export(7)).toEqual({ headers: 1, details: 1 })
    expect(await sil.stagedHeaders()).toEqual([
      {
        idProtocolo: 5001,
        idEfector: ID_EFECTOR,
        apellido: 'Peña Acuña',
        nombre: 'Begoña',
        edad: 45,
        unidadEdad: 'Años',
        fechaNacimiento: '09/07/1981',
        sexo: 'F',
        numeroDocumento: 28456789,
        fecha: '20/11/2026',
        fecha1: '2026-11-20 08:15:30.123',
        domicilio: 'Junín 845, 2º B',
        HC: 40213,
        prioridad: 'Rutina',
        origen: 'Ambulatorio',
        numero: '261120-00017',
        hiv: true,
        solicitante: 'DRA. INÉS MUÑOZ',
        sector: 'Consultorio externo',
        sala: '3',
        cama: '12',
        embarazo: 'E',
        EfectorSolicitante: 'Hospital Escuela San Martín',
        idSolicitudScreening: null,
        fechaRecibeScreening: null,
        observacionesResultados: 'Muestra hemolizada',
        tipoMuestra: 'Sangre entera',
        baja: false,
        idLocalidad: 21,
        idProvincia: 6,
        telefonoFijo: '0379 4431234',
        telefonoCelular: null,
      },
    ])
  })

  const pick = (rows: Record<string, unknown>[], ...columns: string[]) =>
    rows.map((row) => Object.fromEntries(columns.map((column) => [column, row[column]])))

  async function exportProtocols(rows: Record<string, unknown>[]) {
    await sil.insert('LAB_Protocolo', rows)
    await sil.insert(
      'LAB_DetalleProtocolo',
      rows.map((row) =>
        detail({
          idDetalleProtocolo: row.idProtocolo as number,
          idProtocolo: row.idProtocolo as number,
          fechaValida: sil.daysAgo(1),
        }),
      ),
    )
    await sil.export(7)
    return sil.stagedHeaders()
  }

  it("writes unidadEdad 0, 1 and 2 as 'Años', 'Meses' and 'Dias', and an unknown unit as NULL", async () => {
    sil = await SilFixture.create(dialect)
    const headers = await exportProtocols([
      protocol({ idProtocolo: 1, edad: 71, unidadEdad: 0 }),
      protocol({ idProtocolo: 2, edad: 8, unidadEdad: 1 }),
      protocol({ idProtocolo: 3, edad: 12, unidadEdad: 2 }),
      protocol({ idProtocolo: 4, edad: 3, unidadEdad: 7 }),
      protocol({ idProtocolo: 5, edad: 40, unidadEdad: null }),
    ])
    expect(pick(headers, 'idProtocolo', 'edad', 'unidadEdad')).toEqual([
      { idProtocolo: 1, edad: 71, unidadEdad: 'Años' },
      { idProtocolo: 2, edad: 8, unidadEdad: 'Meses' },
      { idProtocolo: 3, edad: 12, unidadEdad: 'Dias' },
      { idProtocolo: 4, edad: 3, unidadEdad: null },
      { idProtocolo: 5, edad: 40, unidadEdad: null },
    ])
  })

  it('writes fecha and fechaNacimiento as dd/mm/yyyy and fecha1 as the datetime unchanged', async () => {
    sil = await SilFixture.create(dialect)
    await sil.insert('Sys_Paciente', [
      patient({ idPaciente: 2, fechaNacimiento: '2025-12-31 23:59:59.999' }),
      patient({ idPaciente: 3, fechaNacimiento: null }),
    ])
    const headers = await exportProtocols([
      protocol({ idProtocolo: 1, fecha: '2026-01-05 23:59:59.999' }),
      protocol({ idProtocolo: 2, idPaciente: 2, fecha: '2026-02-01 00:00:00.000' }),
      protocol({ idProtocolo: 3, idPaciente: 3, fecha: '2026-11-09 07:05:03.040' }),
    ])
    expect(pick(headers, 'idProtocolo', 'fechaNacimiento', 'fecha', 'fecha1')).toEqual([
      { idProtocolo: 1, fechaNacimiento: '02/03/1992', fecha: '05/01/2026', fecha1: '2026-01-05 23:59:59.999' },
      { idProtocolo: 2, fechaNacimiento: '31/12/2025', fecha: '01/02/2026', fecha1: '2026-02-01 00:00:00.000' },
      { idProtocolo: 3, fechaNacimiento: null, fecha: '09/11/2026', fecha1: '2026-11-09 07:05:03.040' },
    ])
  })

  it('cleans observacionesResultados: LF and tab to a space, CR dropped, runs of spaces to one, trimmed', async () => {
    sil = await SilFixture.create(dialect)
    const headers = await exportProtocols([
      protocol({ idProtocolo: 1, observacionesResultados: '  Línea 1\r\nLínea 2\tcon\t\ttabs\n\n  y   espacios   ' }),
      protocol({ idProtocolo: 2, observacionesResultados: 'Sin\rretorno' }),
      protocol({ idProtocolo: 3, observacionesResultados: ' \r\n\t ' }),
      protocol({ idProtocolo: 4, observacionesResultados: null }),
    ])
    expect(pick(headers, 'idProtocolo', 'observacionesResultados')).toEqual([
      { idProtocolo: 1, observacionesResultados: 'Línea 1 Línea 2 con tabs y espacios' },
      { idProtocolo: 2, observacionesResultados: 'Sinretorno' },
      { idProtocolo: 3, observacionesResultados: '' },
      { idProtocolo: 4, observacionesResultados: null },
    ])
  })

  it("upper-cases solicitante, writes embarazo 'E' or '', and tipoMuestra NULL without a sample", async () => {
    sil = await SilFixture.create(dialect)
    const headers = await exportProtocols([
      protocol({ idProtocolo: 1, solicitante: 'dr. josé ñandú', embarazada: false, idMuestra: null }),
      protocol({ idProtocolo: 2, solicitante: null, embarazada: null, idMuestra: 1 }),
      protocol({ idProtocolo: 3, solicitante: 'Dra. Peña', embarazada: true, idMuestra: 1 }),
    ])
    expect(pick(headers, 'idProtocolo', 'solicitante', 'embarazo', 'tipoMuestra')).toEqual([
      { idProtocolo: 1, solicitante: 'DR. JOSÉ ÑANDÚ', embarazo: '', tipoMuestra: null },
      { idProtocolo: 2, solicitante: null, embarazo: '', tipoMuestra: 'Sangre entera' },
      { idProtocolo: 3, solicitante: 'DRA. PEÑA', embarazo: 'E', tipoMuestra: 'Sangre entera' },
    ])
  })
})
