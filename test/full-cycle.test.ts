import { afterEach, describe, expect, it } from 'vitest'
import { normaliseDatetime } from '../src/db/row-validator.js'
import { DETAIL_COLUMNS, HEADER_COLUMNS } from '../src/db/tables/staging-tables.js'
import { Scenario } from './support/scenario.js'
import { detail, header } from './support/staging-fixtures.js'
import { DIALECTS } from './support/test-databases.js'

/** Central rows in canonical values, so that both dialects compare the same way. */
function canonical(
  row: Record<string, unknown>,
  columns = [...HEADER_COLUMNS, ...DETAIL_COLUMNS],
): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [name, value] of Object.entries(row)) {
    const spec = columns.find((column) => column.name === name)
    if (value === null || !spec) out[name] = value
    else if (spec.type.kind === 'bit') out[name] = value === true || value === 1
    else if (spec.type.kind === 'datetime') out[name] = normaliseDatetime(value)
    else out[name] = value
  }
  return out
}

describe.each(DIALECTS)('full cycle on %s', (dialect) => {
  let scenario: Scenario
  afterEach(async () => scenario?.drop())

  it('moves every column of several hospitals into the central tables unchanged', async () => {
    scenario = await Scenario.create(dialect, [
      { id: 101, name: 'HospitalNorte' },
      { id: 202, name: 'HospitalSur' },
    ])
    const tricky = 'Línea 1\tcol\nLínea 2 \\ "comillas" \'simples\' ñÑáéíóú €'
    const longest = 'ñ'.repeat(4000)
    const north = [
      header({ idProtocolo: 1, idEfector: 101, observacionesResultados: tricky, hiv: true }),
      header({
        idProtocolo: 2,
        idEfector: 101,
        apellido: 'Ñ'.repeat(100),
        domicilio: 'x'.repeat(261),
        observacionesResultados: longest,
        fecha1: '2026-11-30 23:59:59.999',
        fechaRecibeScreening: '2026-12-01 00:00:00.001',
        idSolicitudScreening: 2147483647,
        hiv: null,
        unidadEdad: null,
        telefonoCelular: null,
      }),
    ]
    const northDetails = [
      detail({ idProtocolo: 1, idEfector: 101, idDetalleProtocolo: 10, resultado: tricky }),
      detail({ idProtocolo: 1, idEfector: 101, idDetalleProtocolo: -7, resultado: longest, hiv: null }),
      detail({ idProtocolo: 2, idEfector: 101, idDetalleProtocolo: 11, resultado: null, codigoNomenclador: null }),
    ]
    // Every column at its limit: texts as long as their type allows, integers at both ends of int.
    const atLimits = (columns: typeof HEADER_COLUMNS, keep: string[]) =>
      Object.fromEntries(
        columns
          .filter((column) => !keep.includes(column.name))
          .flatMap((column, index): [string, unknown][] => {
            const type = column.type
            if (type.kind === 'varchar' || type.kind === 'nvarchar') return [[column.name, 'ñ'.repeat(type.length)]]
            if (type.kind === 'int') return [[column.name, index % 2 ? 2147483647 : -2147483648]]
            return []
          }),
      )
    north.push(header({ ...atLimits(HEADER_COLUMNS, ['idProtocolo', 'idEfector']), idProtocolo: 3, idEfector: 101 }))
    northDetails.push(
      detail({
        ...atLimits(DETAIL_COLUMNS, ['idProtocolo', 'idEfector', 'idDetalleProtocolo']),
        idProtocolo: 3,
        idEfector: 101,
        idDetalleProtocolo: 2147483647,
      }),
    )
    const south = [header({ idProtocolo: 1, idEfector: 202, apellido: 'Peña', baja: false })]
    const southDetails = [detail({ idProtocolo: 1, idEfector: 202, idDetalleProtocolo: 10 })]
    await scenario.stageLocally(101, north, northDetails)
    await scenario.stageLocally(202, south, southDetails)

    expect((await scenario.runCycle(101)).outcome).toBe('uploaded')
    expect((await scenario.runCycle(202)).outcome).toBe('uploaded')
    const pass = await scenario.runPass()
    expect(pass.outcomes.map((outcome) => [outcome.idEfector, outcome.outcome]).sort()).toEqual([
      [101, 'ok'],
      [202, 'ok'],
    ])

    const headers = (await scenario.centralRows('LAB_ResultadoEncabezado', ['idEfector', 'idProtocolo'])).map((row) =>
      canonical(row),
    )
    const expectedHeaders = [...north, ...south].map((row) => {
      const { baja: _baja, ...rest } = row
      return canonical({ ...rest, cda: null })
    })
    expect(headers).toEqual(expectedHeaders)
    const details = (
      await scenario.centralRows('LAB_ResultadoDetalle', ['idEfector', 'idProtocolo', 'idDetalleProtocolo'])
    ).map((row) => canonical(row))
    const expectedDetails = [...northDetails, ...southDetails]
      .sort(
        (a, b) =>
          (a.idEfector as number) - (b.idEfector as number) ||
          (a.idProtocolo as number) - (b.idProtocolo as number) ||
          (a.idDetalleProtocolo as number) - (b.idDetalleProtocolo as number),
      )
      .map((row) => canonical(row))
    expect(details).toEqual(expectedDetails)
  })
})
