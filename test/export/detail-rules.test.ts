import { afterEach, describe, expect, it } from 'vitest'
import { DIALECTS } from '../support/test-databases.js'
import { detail, ID_EFECTOR, item, OBSERVER, protocol, SilFixture, VALIDATOR } from './sil-fixture.js'

/** A staging detail with the values every row of these tests shares. */
function staged(values: Record<string, unknown>): Record<string, unknown> {
  return {
    idProtocolo: 1,
    idEfector: ID_EFECTOR,
    codigoNomenclador: '412',
    observaciones: '',
    esTitulo: 'No',
    derivado: '',
    unidad: 'mg/dL',
    hiv: false,
    metodo: 'Enzimático (GOD-PAP)',
    valorReferencia: '70 - 110',
    muestra: 'Si',
    conresultado: 0,
    profesional_val: VALIDATOR,
    ...values,
  }
}

/** docs/EXPORT.md, "Detail rows". */
describe.each(DIALECTS)('builtin export detail rows on %s', (dialect) => {
  let sil: SilFixture
  afterEach(async () => sil?.drop())

  it('maps titles and sub-items: item, grupo, esTitulo, codigo and codigo2', async () => {
    sil = await SilFixture.create(dialect)
    await sil.insert('LAB_Area', [{ idArea: 1, nombre: 'Hematología', ordenImpresion: 10 }])
    await sil.insert('LAB_Item', [
      item({
        idItem: 20,
        codigo: 'HEMO',
        codigoNomenclador: '475',
        descripcion: 'Hemograma',
        idArea: 1,
        ordenImpresion: 1,
        idCategoria: 1,
        idTipoResultado: 2,
      }),
      item({
        idItem: 21,
        codigo: 'HB',
        codigoNomenclador: '475',
        descripcion: 'Hemoglobina',
        idArea: 1,
        ordenImpresion: 3,
        formatoDecimal: 1,
      }),
      item({
        idItem: 23,
        codigo: 'SR',
        codigoNomenclador: null,
        descripcion: 'Serie roja',
        idArea: 1,
        ordenImpresion: 2,
        idCategoria: 1,
        idTipoResultado: 2,
      }),
      item({
        idItem: 30,
        codigo: 'ORI',
        codigoNomenclador: '711',
        descripcion: 'Orina completa',
        ordenImpresion: 8,
        idTipoResultado: 2,
      }),
      item({ idItem: 31, codigo: 'OASP', descripcion: 'Aspecto', idTipoResultado: 2 }),
    ])
    await sil.insert('LAB_Protocolo', [protocol({ idProtocolo: 1, hiv: true })])
    const common = { idProtocolo: 1, fechaValida: sil.daysAgo(1), unidadMedida: '', metodo: '', valorReferencia: '' }
    await sil.insert('LAB_DetalleProtocolo', [
      detail({ ...common, idDetalleProtocolo: 101, idItem: 20, idSubItem: 23, resultadoNum: null, resultadoCar: '' }),
      detail({
        ...common,
        idDetalleProtocolo: 102,
        idItem: 20,
        idSubItem: 21,
        resultadoNum: '13.45',
        unidadMedida: 'g/dL',
        metodo: 'Colorimétrico',
        valorReferencia: '12,0 - 16,0',
      }),
      detail({
        ...common,
        idDetalleProtocolo: 103,
        idItem: 30,
        idSubItem: 31,
        resultadoCar: 'Límpido',
        observaciones: 'Muestra de chorro medio',
      }),
      // A simple item is its own sub-item, written as the same id or as NULL.
      detail({ ...common, idDetalleProtocolo: 104, idItem: 10, idSubItem: 10, resultadoNum: '101' }),
      detail({ ...common, idDetalleProtocolo: 105, idItem: 10, idSubItem: null, resultadoNum: '88' }),
    ])

    await sil.export(7)
    const base = { hiv: true, unidad: '', metodo: '', valorReferencia: '' }
    expect(await sil.stagedDetails()).toEqual([
      staged({
        ...base,
        idDetalleProtocolo: 101,
        codigoNomenclador: '475',
        codigo: 'HEMO',
        ordenArea: 10,
        orden: 1,
        area: 'Hematología',
        grupo: 'Hemograma',
        item: 'Serie roja',
        esTitulo: 'Si',
        orden1: 101,
        resultado: '',
        codigo2: 'SR',
      }),
      staged({
        ...base,
        idDetalleProtocolo: 102,
        codigoNomenclador: '475',
        codigo: 'HEMO',
        ordenArea: 10,
        orden: 1,
        area: 'Hematología',
        grupo: 'Hemograma',
        item: 'Hemoglobina',
        unidad: 'g/dL',
        metodo: 'Colorimétrico',
        valorReferencia: '12,0 - 16,0',
        orden1: 102,
        resultado: '13.5',
        codigo2: 'HB',
      }),
      staged({
        ...base,
        idDetalleProtocolo: 103,
        codigoNomenclador: '711',
        codigo: 'ORI',
        ordenArea: 20,
        orden: 8,
        area: 'Química',
        grupo: 'Orina completa',
        item: 'Orina completa',
        observaciones: 'Muestra de chorro medio',
        orden1: 103,
        resultado: 'Límpido',
        codigo2: 'OASP',
      }),
      staged({
        ...base,
        idDetalleProtocolo: 104,
        codigo: 'GLU',
        ordenArea: 20,
        orden: 5,
        area: 'Química',
        grupo: 'Glucemia',
        item: 'Glucemia',
        orden1: 104,
        resultado: '101',
        codigo2: 'GLU',
      }),
      staged({
        ...base,
        idDetalleProtocolo: 105,
        codigo: 'GLU',
        ordenArea: 20,
        orden: 5,
        area: 'Química',
        grupo: 'Glucemia',
        item: 'Glucemia',
        orden1: 105,
        resultado: '88',
        codigo2: 'GLU',
      }),
    ])
  })

  it("writes a derived item's derivation hospital and 'Derivado <name>' as its result, with conresultado 1", async () => {
    sil = await SilFixture.create(dialect)
    await sil.insert('LAB_Item', [
      item({
        idItem: 40,
        codigo: 'VITD',
        codigoNomenclador: '1040',
        descripcion: 'Vitamina D (25-OH)',
        ordenImpresion: 40,
        formatoDecimal: 1,
        idEfectorDerivacion: 900,
      }),
      // A derivation hospital equal to the item's own is no derivation.
      item({
        idItem: 41,
        codigo: 'TSH',
        codigoNomenclador: '1051',
        descripcion: 'TSH',
        ordenImpresion: 41,
        formatoDecimal: 2,
        idEfectorDerivacion: ID_EFECTOR,
      }),
      item({
        idItem: 42,
        codigo: 'FERR',
        codigoNomenclador: '1060',
        descripcion: 'Ferritina',
        ordenImpresion: 42,
        idEfectorDerivacion: null,
      }),
    ])
    await sil.insert('LAB_Protocolo', [protocol({ idProtocolo: 1 })])
    const common = { idProtocolo: 1, fechaValida: sil.daysAgo(1), conResultado: 0 }
    await sil.insert('LAB_DetalleProtocolo', [
      detail({ ...common, idDetalleProtocolo: 1, idItem: 40, idSubItem: 40, resultadoNum: '31.2' }),
      detail({ ...common, idDetalleProtocolo: 2, idItem: 41, idSubItem: 41, resultadoNum: '2.5' }),
      detail({ ...common, idDetalleProtocolo: 3, idItem: 42, idSubItem: 42, resultadoNum: '120' }),
    ])

    await sil.export(7)
    const rows = (await sil.stagedDetails()).map(
      ({ idDetalleProtocolo, item: name, derivado, resultado, conresultado }) => ({
        idDetalleProtocolo,
        item: name,
        derivado,
        resultado,
        conresultado,
      }),
    )
    expect(rows).toEqual([
      {
        idDetalleProtocolo: 1,
        item: 'Vitamina D (25-OH)',
        derivado: 'Laboratorio Central de la Provincia',
        resultado: 'Derivado Laboratorio Central de la Provincia',
        conresultado: 1,
      },
      { idDetalleProtocolo: 2, item: 'TSH', derivado: '', resultado: '2.50', conresultado: 0 },
      { idDetalleProtocolo: 3, item: 'Ferritina', derivado: '', resultado: '120', conresultado: 0 },
    ])
  })

  it("sets conresultado 1 when no sample was brought, and keeps the detail's own value otherwise", async () => {
    sil = await SilFixture.create(dialect)
    await sil.insert('LAB_Protocolo', [protocol({ idProtocolo: 1 })])
    const common = { idProtocolo: 1, fechaValida: sil.daysAgo(1) }
    await sil.insert('LAB_DetalleProtocolo', [
      detail({ ...common, idDetalleProtocolo: 1, trajoMuestra: 'No', conResultado: 0, resultadoNum: null }),
      detail({ ...common, idDetalleProtocolo: 2, trajoMuestra: 'Si', conResultado: 0 }),
      detail({ ...common, idDetalleProtocolo: 3, trajoMuestra: 'Si', conResultado: 1 }),
    ])

    await sil.export(7)
    const rows = (await sil.stagedDetails()).map(({ idDetalleProtocolo, muestra, conresultado, resultado }) => ({
      idDetalleProtocolo,
      muestra,
      conresultado,
      resultado,
    }))
    expect(rows).toEqual([
      { idDetalleProtocolo: 1, muestra: 'No', conresultado: 1, resultado: null },
      { idDetalleProtocolo: 2, muestra: 'Si', conresultado: 0, resultado: '95' },
      { idDetalleProtocolo: 3, muestra: 'Si', conresultado: 1, resultado: '95' },
    ])
  })

  it("exports an item validated only by observation, signed by the observation's validator, and no unvalidated item", async () => {
    sil = await SilFixture.create(dialect)
    await sil.insert('LAB_Protocolo', [protocol({ idProtocolo: 1 })])
    const common = { idProtocolo: 1, fechaValida: null }
    await sil.insert('LAB_DetalleProtocolo', [
      detail({
        ...common,
        idDetalleProtocolo: 1,
        fechaValida: sil.daysAgo(1),
        idUsuarioValida: 1,
        idUsuarioValidaObservacion: 2,
        fechaValidaObservacion: sil.daysAgo(1),
      }),
      detail({
        ...common,
        idDetalleProtocolo: 2,
        idUsuarioValida: 0,
        idUsuarioValidaObservacion: 2,
        fechaValidaObservacion: sil.daysAgo(1),
        resultadoNum: null,
        observaciones: 'Se solicita nueva muestra',
      }),
      detail({
        ...common,
        idDetalleProtocolo: 3,
        idUsuarioValida: null,
        idUsuarioValidaObservacion: 2,
        fechaValidaObservacion: sil.daysAgo(2),
      }),
      detail({ ...common, idDetalleProtocolo: 4, idUsuarioValida: 0, idUsuarioValidaObservacion: 0 }),
      detail({ ...common, idDetalleProtocolo: 5, idUsuarioValida: null, idUsuarioValidaObservacion: null }),
    ])

    expect(await sil.export(7)).toEqual({ headers: 1, details: 3 })
    const common2 = {
      codigo: 'GLU',
      ordenArea: 20,
      orden: 5,
      area: 'Química',
      grupo: 'Glucemia',
      item: 'Glucemia',
      codigo2: 'GLU',
    }
    expect(await sil.stagedDetails()).toEqual([
      staged({ ...common2, idDetalleProtocolo: 1, orden1: 1, resultado: '95', profesional_val: VALIDATOR }),
      staged({
        ...common2,
        idDetalleProtocolo: 2,
        orden1: 2,
        resultado: null,
        observaciones: 'Se solicita nueva muestra',
        profesional_val: OBSERVER,
      }),
      staged({ ...common2, idDetalleProtocolo: 3, orden1: 3, resultado: '95', profesional_val: OBSERVER }),
    ])
  })
})
