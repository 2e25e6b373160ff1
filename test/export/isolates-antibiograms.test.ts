import { afterEach, describe, expect, it } from 'vitest'
import { DIALECTS } from '../support/test-databases.js'
import { detail, ID_EFECTOR, item, protocol, SilFixture, VALIDATOR } from './sil-fixture.js'

/** docs/EXPORT.md, "Detail rows": isolates and antibiograms. */
describe.each(DIALECTS)('builtin export isolates and antibiograms on %s', (dialect) => {
  let sil: SilFixture
  afterEach(async () => sil?.drop())

  it('adds one row per isolate and one per validated antibiogram, with negative ids', async () => {
    sil = await SilFixture.create(dialect)
    await sil.insert('LAB_Area', [{ idArea: 4, nombre: 'Microbiología', ordenImpresion: 40 }])
    await sil.insert('LAB_Item', [
      item({
        idItem: 70,
        codigo: 'UROC',
        codigoNomenclador: '1120',
        descripcion: 'Urocultivo',
        idArea: 4,
        ordenImpresion: 1,
        idTipoResultado: 2,
      }),
    ])
    await sil.insert('LAB_Germen', [
      { idGermen: 1, nombre: 'Escherichia coli' },
      { idGermen: 2, nombre: 'Klebsiella pneumoniae' },
    ])
    await sil.insert('LAB_Protocolo', [protocol({ idProtocolo: 1, hiv: false })])
    await sil.insert('LAB_DetalleProtocolo', [
      detail({
        idDetalleProtocolo: 500,
        idProtocolo: 1,
        idItem: 70,
        idSubItem: 70,
        resultadoNum: null,
        resultadoCar: 'Desarrollo > 100.000 UFC/mL',
        unidadMedida: '',
        metodo: 'Siembra en agar CLDE',
        valorReferencia: '',
        conResultado: 1,
        fechaValida: sil.daysAgo(1),
      }),
    ])
    await sil.insert('LAB_ProtocoloGermen', [
      { idProtocoloGermen: 7, idProtocolo: 1, idItem: 70, idGermen: 1 },
      { idProtocoloGermen: 8, idProtocolo: 1, idItem: 70, idGermen: 2 },
    ])
    const antibiogram = {
      idProtocolo: 1,
      idGermen: 1,
      numeroAislamiento: 1,
      metodologia: 'Difusión (Kirby-Bauer)',
      idUsuarioValida: 1,
    }
    await sil.insert('LAB_Antibiograma', [
      { ...antibiogram, idAntibiograma: 31, antibiotico: 'Ampicilina', resultado: 'Resistente' },
      { ...antibiogram, idAntibiograma: 32, antibiotico: 'Nitrofurantoína', resultado: 'Sensible' },
      { ...antibiogram, idAntibiograma: 33, antibiotico: 'Ciprofloxacina', resultado: 'Sensible', idUsuarioValida: 0 },
    ])

    expect(await sil.export(7)).toEqual({ headers: 1, details: 5 })
    const closing = {
      idProtocolo: 1,
      idEfector: ID_EFECTOR,
      codigoNomenclador: '',
      codigo: '',
      ordenArea: 9999,
      orden: 9999,
      area: '',
      observaciones: '',
      esTitulo: '',
      derivado: '',
      unidad: '',
      hiv: false,
      metodo: '',
      valorReferencia: '',
      orden1: 9999,
      muestra: '',
      conresultado: 1,
      codigo2: '',
      profesional_val: '',
    }
    expect(await sil.stagedDetails()).toEqual([
      {
        ...closing,
        idDetalleProtocolo: -32,
        grupo: '',
        item: 'ATB Escherichia coli',
        metodo: 'Difusión (Kirby-Bauer)',
        resultado: 'Nitrofurantoína: Sensible',
        profesional_val: VALIDATOR,
      },
      {
        ...closing,
        idDetalleProtocolo: -31,
        grupo: '',
        item: 'ATB Escherichia coli',
        metodo: 'Difusión (Kirby-Bauer)',
        resultado: 'Ampicilina: Resistente',
        profesional_val: VALIDATOR,
      },
      {
        ...closing,
        idDetalleProtocolo: -8,
        grupo: 'Urocultivo',
        item: 'Aislamiento',
        resultado: 'Klebsiella pneumoniae',
      },
      { ...closing, idDetalleProtocolo: -7, grupo: 'Urocultivo', item: 'Aislamiento', resultado: 'Escherichia coli' },
      {
        idProtocolo: 1,
        idEfector: ID_EFECTOR,
        idDetalleProtocolo: 500,
        codigoNomenclador: '1120',
        codigo: 'UROC',
        ordenArea: 40,
        orden: 1,
        area: 'Microbiología',
        grupo: 'Urocultivo',
        item: 'Urocultivo',
        observaciones: '',
        esTitulo: 'No',
        derivado: '',
        unidad: '',
        hiv: false,
        metodo: 'Siembra en agar CLDE',
        valorReferencia: '',
        orden1: 500,
        muestra: 'Si',
        conresultado: 1,
        resultado: 'Desarrollo > 100.000 UFC/mL',
        codigo2: 'UROC',
        profesional_val: VALIDATOR,
      },
    ])
  })

  it('stops on an isolate and an antibiogram whose ids would share a staging key', async () => {
    sil = await SilFixture.create(dialect)
    await sil.insert('LAB_Germen', [{ idGermen: 1, nombre: 'Escherichia coli' }])
    await sil.insert('LAB_Protocolo', [protocol({ idProtocolo: 1 })])
    await sil.insert('LAB_DetalleProtocolo', [
      detail({ idDetalleProtocolo: 1, idProtocolo: 1, fechaValida: sil.daysAgo(1) }),
    ])
    await sil.insert('LAB_ProtocoloGermen', [{ idProtocoloGermen: 9, idProtocolo: 1, idItem: 10, idGermen: 1 }])
    await sil.insert('LAB_Antibiograma', [
      {
        idAntibiograma: 9,
        idProtocolo: 1,
        idGermen: 1,
        numeroAislamiento: 1,
        antibiotico: 'Ampicilina',
        resultado: 'Sensible',
        metodologia: 'Difusión',
        idUsuarioValida: 1,
      },
    ])
    await expect(sil.export(7)).rejects.toThrow(/idProtocolo=1 idDetalleProtocolo=-9.*column idAntibiograma/)
  })
})
