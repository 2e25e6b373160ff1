import { writeFileSync } from 'node:fs'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { usingSession } from '../../src/db/session.js'
import { DETAIL_COLUMNS, HEADER_COLUMNS } from '../../src/db/tables/staging-tables.js'
import { literalSelect } from '../support/literal-select.js'
import { Scenario } from '../support/scenario.js'
import { detail, header } from '../support/staging-fixtures.js'
import { DIALECTS } from '../support/test-databases.js'
import { makeTempFolder } from '../support/temp-folder.js'

describe.each(DIALECTS)('export mode sql on %s', (dialect) => {
  let scenario: Scenario
  afterEach(async () => scenario?.drop())

  function sqlFiles(headers: Record<string, unknown>[], details: Record<string, unknown>[], reversed = false) {
    const dir = makeTempFolder('sql')
    const headerColumns = reversed ? [...HEADER_COLUMNS].reverse() : HEADER_COLUMNS
    writeFileSync(
      path.join(dir, 'headers.sql'),
      `-- window: @dias days\n${literalSelect(headerColumns, headers, dialect)};\n`,
    )
    writeFileSync(path.join(dir, 'details.sql'), literalSelect(DETAIL_COLUMNS, details, dialect))
    return {
      mode: 'sql' as const,
      procedure: 'LAB_ExportaResultadosValidados',
      headersSql: path.join(dir, 'headers.sql'),
      detailsSql: path.join(dir, 'details.sql'),
    }
  }

  it('runs the two SELECT files, matches their columns by name in any order, and uploads the rows', async () => {
    scenario = await Scenario.create(dialect, [{ id: 9, name: 'Nueve' }])
    const headers = [
      header({ idProtocolo: 1, idEfector: 9, apellido: "O'Higgins" }),
      header({ idProtocolo: 2, idEfector: 9, baja: true }),
    ]
    const details = [detail({ idProtocolo: 1, idEfector: 9, idDetalleProtocolo: 1, resultado: 'Línea\tcon tab' })]
    const cycle = await scenario.runCycle(9, { export: sqlFiles(headers, details, true) })
    expect(cycle.outcome).toBe('uploaded')
    expect(cycle.exported).toMatchObject({ mode: 'sql', headers: 2, details: 1 })
    const staged = await scenario.centralRows('LAB_Temp_NueveResultadoEncabezado', ['idProtocolo'])
    expect(staged.map((row) => [row.idProtocolo, row.apellido])).toEqual([
      [1, "O'Higgins"],
      [2, 'Núñez'],
    ])
  })

  it('stops on a bad row, naming the protocol and the column, keeps the previous local staging and uploads nothing', async () => {
    scenario = await Scenario.create(dialect, [{ id: 9, name: 'Nueve' }])
    await scenario.stageLocally(9, [header({ idProtocolo: 5, idEfector: 9 })], [])
    const bad = [header({ idProtocolo: 1, idEfector: 9 }), header({ idProtocolo: 2, idEfector: 9, sexo: 'FM' })]
    const cycle = await scenario.runCycle(9, { export: sqlFiles(bad, []) })
    expect(cycle.outcome).toBe('failed')
    expect(cycle.error?.code).toBe('LABSYNC_ROW_INVALID')
    expect(cycle.message).toContain('key idProtocolo=2 idEfector=9, column sexo')
    const local = await usingSession(scenario.hospitals.get(9)!.database, (session) =>
      session.db.selectFrom('LAB_Temp_ResultadoEncabezado').select('idProtocolo').execute(),
    )
    expect(local.map((row) => row.idProtocolo)).toEqual([5])
    expect(await scenario.centralRows('LAB_Temp_NueveResultadoEncabezado', ['idProtocolo'])).toEqual([])
    const [status] = await scenario.centralRows('LAB_EstadoSyncGeneral', ['idEfector'])
    expect(status.ultimoUpdateEfectorInicio).toBeNull()
  })

  it('says which staging columns a SELECT file does not return', async () => {
    scenario = await Scenario.create(dialect, [{ id: 9, name: 'Nueve' }])
    const files = sqlFiles([header({ idProtocolo: 1, idEfector: 9 })], [])
    writeFileSync(files.headersSql, 'SELECT 1 AS idProtocolo, 9 AS idEfector')
    const cycle = await scenario.runCycle(9, { export: files })
    expect(cycle.error?.code).toBe('LABSYNC_EXPORT')
    expect(cycle.message).toMatch(/does not return the staging columns apellido, nombre/)
  })
})

describe.each(DIALECTS)('export mode sql files on %s', (dialect) => {
  let scenario: Scenario
  afterEach(async () => scenario?.drop())

  function files(headersSql: string, detailsSql: string) {
    const dir = makeTempFolder('sql')
    writeFileSync(path.join(dir, 'headers.sql'), headersSql)
    writeFileSync(path.join(dir, 'details.sql'), detailsSql)
    return {
      mode: 'sql' as const,
      procedure: 'LAB_ExportaResultadosValidados',
      headersSql: path.join(dir, 'headers.sql'),
      detailsSql: path.join(dir, 'details.sql'),
    }
  }

  it('runs files whose last line ends with a -- comment', async () => {
    scenario = await Scenario.create(dialect, [{ id: 9, name: 'Nueve' }])
    const headers = literalSelect(HEADER_COLUMNS, [header({ idProtocolo: 1, idEfector: 9 })], dialect)
    const details = literalSelect(
      DETAIL_COLUMNS,
      [detail({ idProtocolo: 1, idEfector: 9, idDetalleProtocolo: 1 })],
      dialect,
    )
    const cycle = await scenario.runCycle(9, {
      export: files(`${headers} -- the last @dias days`, `${details}\n-- end of file`),
    })
    expect(cycle.message).toBeUndefined()
    expect(cycle.outcome).toBe('uploaded')
    expect(cycle.exported).toMatchObject({ mode: 'sql', headers: 1, details: 1 })
  })

  it('names the file in a syntax error, keeps the previous local staging and uploads nothing', async () => {
    scenario = await Scenario.create(dialect, [{ id: 9, name: 'Nueve' }])
    await scenario.stageLocally(9, [header({ idProtocolo: 5, idEfector: 9 })], [])
    const details = literalSelect(DETAIL_COLUMNS, [], dialect)
    const export_ = files('SELECT idProtocolo FROM FROM LAB_Protocolo', details)
    const cycle = await scenario.runCycle(9, { export: export_ })
    expect(cycle.outcome).toBe('failed')
    expect(cycle.error?.code).toBe('LABSYNC_EXPORT')
    expect(cycle.message).toContain(`export SQL file ${export_.headersSql}: `)
    expect(cycle.message).toMatch(/syntax error/)
    const local = await usingSession(scenario.hospitals.get(9)!.database, (session) =>
      session.db.selectFrom('LAB_Temp_ResultadoEncabezado').select('idProtocolo').execute(),
    )
    expect(local.map((row) => row.idProtocolo)).toEqual([5])
    expect(await scenario.centralRows('LAB_Temp_NueveResultadoEncabezado', ['idProtocolo'])).toEqual([])
  })

  it('names the file in an error raised while the rows are read, without the row values', async () => {
    scenario = await Scenario.create(dialect, [{ id: 9, name: 'Nueve' }])
    const rows = literalSelect(
      HEADER_COLUMNS,
      [header({ idProtocolo: 1, idEfector: 9, apellido: 'Zabaleta' })],
      dialect,
    )
    // Passes the column probe and fails on the first row, with the patient's surname in the driver's own message.
    const failing =
      dialect === 'postgres'
        ? `SELECT t.* FROM (${rows}) t CROSS JOIN generate_series(1, 2) g WHERE CAST(g || t.apellido AS integer) > 0`
        : `SELECT t.* FROM (${rows}) t WHERE json(t.apellido) IS NOT NULL`
    const export_ = files(failing, literalSelect(DETAIL_COLUMNS, [], dialect))
    const cycle = await scenario.runCycle(9, { export: export_ })
    expect(cycle.outcome).toBe('failed')
    expect(cycle.error?.code).toBe('LABSYNC_EXPORT')
    expect(cycle.message).toContain(`export SQL file ${export_.headersSql}: `)
    expect(cycle.message).not.toContain('Zabaleta')
  })
})
