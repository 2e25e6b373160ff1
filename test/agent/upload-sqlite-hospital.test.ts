import { sql } from 'kysely'
import { afterEach, describe, expect, it } from 'vitest'
import { usingSession } from '../../src/db/session.js'
import { LOCAL_DETAIL_TABLE } from '../../src/db/tables/staging-tables.js'
import { Scenario } from '../support/scenario.js'
import { detail, header } from '../support/staging-fixtures.js'

/**
 * A SQLite hospital's staging reaches a PostgreSQL central server read a
 * page of JSON at a time and encoded to COPY bytes by labsync; a PostgreSQL
 * hospital's goes as the bytes its server sent. The central rows must be
 * the same, and a value the checks refuse must still be named by its key.
 */
const escapes = 'a\\b\tc\nd\re\\N ñandú µg/dL € 😀'
const headers = (idEfector: number) =>
  Array.from({ length: 120 }, (_, index) =>
    header({
      idProtocolo: index - 10,
      idEfector,
      observacionesResultados: index % 3 === 0 ? escapes : index % 3 === 1 ? '' : null,
      hiv: index % 4 === 0 ? null : index % 2 === 0,
      fecha1: `2026-11-${String(1 + (index % 28)).padStart(2, '0')} 08:15:30.${String(index).padStart(3, '0')}`,
      fechaRecibeScreening: index % 5 === 0 ? '1753-01-01 00:00:00.000' : null,
      baja: index % 50 === 7,
      numeroDocumento: 2147483647 - index,
    }),
  )
// 1200 details: more than two batches of 500.
const details = (idEfector: number) =>
  Array.from({ length: 1200 }, (_, index) =>
    detail({
      idProtocolo: (index % 120) - 10,
      idEfector,
      idDetalleProtocolo: index % 7 === 0 ? -index - 1 : index + 1,
      resultado: index % 9 === 0 ? null : index % 9 === 1 ? escapes : `${60 + (index % 180)},${index % 100}`,
      codigoNomenclador: index % 10 === 0 ? null : '475',
      ordenArea: -2147483648 + index,
    }),
  )

describe('upload from a SQLite hospital to a PostgreSQL central server', () => {
  let scenario: Scenario
  afterEach(async () => scenario?.drop())

  it('stores the same central rows as a PostgreSQL hospital with the same staging', async () => {
    scenario = await Scenario.create('postgres', [{ id: 101, name: 'Norte' }])
    await scenario.addHospital(102, 'Sur', 'sqlite')
    await scenario.stageLocally(101, headers(101), details(101))
    await scenario.stageLocally(102, headers(102), details(102))
    expect((await scenario.runCycle(101)).uploaded).toMatchObject({ headers: 120, details: 1200 })
    expect((await scenario.runCycle(102)).uploaded).toMatchObject({ headers: 120, details: 1200 })

    const fromSqlite = await scenario.stagedCentrally('Sur')
    expect(fromSqlite).toEqual(await scenario.stagedCentrally('Norte'))
    expect(fromSqlite.details.filter((row) => row.resultado === escapes)).toHaveLength(134)
    expect(fromSqlite.headers[0]).toMatchObject({ idProtocolo: -10, observacionesResultados: escapes, hiv: null })
  })

  it('names the key and column of a BLOB in a local column, and leaves the central staging as it was', async () => {
    scenario = await Scenario.create('postgres', [])
    await scenario.addHospital(102, 'Sur', 'sqlite')
    await scenario.stageLocally(102, headers(102), details(102).slice(0, 10))
    expect((await scenario.runCycle(102)).outcome).toBe('uploaded')

    await scenario.loosenLocalStaging(102)
    await scenario.stageLocally(102, headers(102), details(102))
    await usingSession(scenario.hospitals.get(102)!.database, (session) =>
      session.run(
        sql`UPDATE ${sql.table(LOCAL_DETAIL_TABLE)} SET ${sql.ref('metodo')} = x'00ff' WHERE ${sql.ref('idDetalleProtocolo')} = 900`,
      ),
    )
    const failed = await scenario.runCycle(102)
    expect(failed.error?.code).toBe('LABSYNC_ROW_INVALID')
    expect(failed.message).toBe(
      'invalid value: expected text, got binary data (a BLOB) (efector 102, table LAB_Temp_ResultadoDetalle, key idProtocolo=49 idEfector=102 idDetalleProtocolo=900, column metodo)',
    )
    expect((await scenario.stagedCentrally('Sur')).details).toHaveLength(10)
  })

  it('creates the local staging STRICT, so that no BLOB can be stored there to be read', async () => {
    scenario = await Scenario.create('postgres', [])
    await scenario.addHospital(102, 'Sur', 'sqlite')
    await usingSession(scenario.hospitals.get(102)!.database, async (session) => {
      const listed = await session.connection.execute({
        sql: `SELECT name, strict FROM pragma_table_list WHERE name LIKE 'LAB_Temp_%' ORDER BY name`,
        parameters: [],
      })
      expect(listed.rows).toEqual([
        { name: 'LAB_Temp_ResultadoDetalle', strict: 1 },
        { name: 'LAB_Temp_ResultadoEncabezado', strict: 1 },
      ])
    })
    await scenario.stageLocally(102, headers(102), details(102).slice(0, 1))
    await expect(
      usingSession(scenario.hospitals.get(102)!.database, (session) =>
        session.run(sql`UPDATE ${sql.table(LOCAL_DETAIL_TABLE)} SET ${sql.ref('resultado')} = CAST('7.50' AS BLOB)`),
      ),
    ).rejects.toThrow(/cannot store BLOB value in TEXT column/)
  })

  it('refuses a result stored as bytes that SQLite could read as JSONB, as any other BLOB', async () => {
    scenario = await Scenario.create('postgres', [])
    await scenario.addHospital(102, 'Sur', 'sqlite')
    await scenario.loosenLocalStaging(102)
    await scenario.stageLocally(102, headers(102), details(102))
    // The text '7.50' as a BLOB is valid JSONB (the string ".50"): json_array would have read it so.
    await usingSession(scenario.hospitals.get(102)!.database, (session) =>
      session.run(
        sql`UPDATE ${sql.table(LOCAL_DETAIL_TABLE)} SET ${sql.ref('resultado')} = CAST('7.50' AS BLOB) WHERE ${sql.ref('idDetalleProtocolo')} = 900`,
      ),
    )
    const failed = await scenario.runCycle(102)
    expect(failed.error?.code).toBe('LABSYNC_ROW_INVALID')
    expect(failed.message).toContain('key idProtocolo=49 idEfector=102 idDetalleProtocolo=900, column resultado')
  })

  it('reads a hand-made local table without rowids through a plain SELECT', async () => {
    scenario = await Scenario.create('postgres', [])
    await scenario.addHospital(102, 'Sur', 'sqlite')
    await usingSession(scenario.hospitals.get(102)!.database, async (session) => {
      const columns = await session.connection.execute({
        sql: `SELECT sql FROM sqlite_master WHERE name = '${LOCAL_DETAIL_TABLE}'`,
        parameters: [],
      })
      const definition = String(columns.rows[0].sql)
      await session.run(sql`DROP TABLE ${sql.table(LOCAL_DETAIL_TABLE)}`)
      // As a DBA would write it: not STRICT, without rowids.
      await session.connection.execute({ sql: `${definition.replace(/ STRICT$/, '')} WITHOUT ROWID`, parameters: [] })
    })
    await scenario.stageLocally(102, headers(102), details(102))
    expect((await scenario.runCycle(102)).uploaded).toMatchObject({ headers: 120, details: 1200 })
    expect((await scenario.stagedCentrally('Sur')).details).toHaveLength(1200)
  })
})
