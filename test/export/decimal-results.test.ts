import { afterEach, describe, expect, it } from 'vitest'
import { formatDecimal } from '../../src/agent/export/decimal-format.js'
import { DIALECTS } from '../support/test-databases.js'
import { detail, item, protocol, SilFixture } from './sil-fixture.js'

/** [formatoDecimal, resultadoNum as the SIL holds it, resultado expected] */
const CASES: Array<[number, string, string]> = [
  [0, '2.5', '3'],
  [0, '-1.5', '-2'],
  [0, '-2.4', '-2'],
  [0, '7', '7'],
  [1, '7', '7.0'],
  [1, '0.05', '0.1'],
  [1, '-0.05', '-0.1'],
  [2, '2.345', '2.35'],
  [2, '0.125', '0.13'],
  [2, '1.005', '1.01'],
  [2, '-0.004', '0.00'],
  [2, '99.995', '100.00'],
  [3, '1.0005', '1.001'],
  [3, '-2.0015', '-2.002'],
  [3, '1.0004', '1.000'],
  [4, '3.14159', '3.1416'],
  [4, '0.00005', '0.0001'],
  [4, '12', '12.0000'],
  [4, '-0.123449', '-0.1234'],
]

describe('formatDecimal', () => {
  it.each(CASES)('rounds half away from zero to %i places: %s -> %s', (places, value, expected) => {
    expect(formatDecimal(value, places)).toBe(expected)
  })

  it('reads the numbers and exponents a driver may return, exactly', () => {
    expect(formatDecimal(1.005, 2)).toBe('1.01')
    expect(formatDecimal(2.675, 2)).toBe('2.68')
    expect(formatDecimal('2.3450', 2)).toBe('2.35')
    expect(formatDecimal('1E-7', 2)).toBe('0.00')
    expect(formatDecimal('5e-1', 0)).toBe('1')
    expect(formatDecimal('.5', 0)).toBe('1')
    expect(formatDecimal(12n, 1)).toBe('12.0')
    expect(formatDecimal('1.2.3', 1)).toBeUndefined()
    expect(formatDecimal('', 1)).toBeUndefined()
    expect(formatDecimal(Number.NaN, 1)).toBeUndefined()
  })
})

describe.each(DIALECTS)('builtin export numeric results on %s', (dialect) => {
  let sil: SilFixture
  afterEach(async () => sil?.drop())

  it('formats resultadoNum with the sub-item formatoDecimal (0 to 4), halves away from zero', async () => {
    sil = await SilFixture.create(dialect)
    await sil.insert(
      'LAB_Item',
      [0, 1, 2, 3, 4].map((places) =>
        item({ idItem: 50 + places, codigo: `D${places}`, descripcion: `Decimales ${places}`, formatoDecimal: places }),
      ),
    )
    await sil.insert('LAB_Item', [item({ idItem: 60, codigo: 'VDRL', descripcion: 'VDRL', idTipoResultado: 2 })])
    await sil.insert('LAB_Protocolo', [protocol({ idProtocolo: 1 })])
    const fechaValida = sil.daysAgo(1)
    await sil.insert('LAB_DetalleProtocolo', [
      ...CASES.map(([places, value], index) =>
        detail({
          idDetalleProtocolo: index + 1,
          idProtocolo: 1,
          idItem: 50 + places,
          idSubItem: 50 + places,
          resultadoNum: value,
          fechaValida,
        }),
      ),
      detail({ idDetalleProtocolo: 100, idProtocolo: 1, idItem: 52, idSubItem: 52, resultadoNum: null, fechaValida }),
      detail({
        idDetalleProtocolo: 101,
        idProtocolo: 1,
        idItem: 60,
        idSubItem: 60,
        resultadoNum: '1',
        resultadoCar: 'No reactiva',
        fechaValida,
      }),
    ])

    await sil.export(7)
    const results = (await sil.stagedDetails()).map((row) => [row.idDetalleProtocolo, row.resultado])
    expect(results).toEqual([
      ...CASES.map(([, , expected], index) => [index + 1, expected]),
      [100, null],
      [101, 'No reactiva'],
    ])
  })
})
