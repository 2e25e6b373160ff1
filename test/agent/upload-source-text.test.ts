import { sql } from 'kysely'
import { afterEach, describe, expect, it } from 'vitest'
import { runEfectorCycle } from '../../src/agent/efector-cycle.js'
import type { UploadSources } from '../../src/agent/upload.js'
import { newOwnerId } from '../../src/core/owner.js'
import type { Row } from '../../src/db/row-validator.js'
import { usingSession } from '../../src/db/session.js'
import { LOCAL_DETAIL_TABLE } from '../../src/db/tables/staging-tables.js'
import { Scenario } from '../support/scenario.js'
import { detail, header } from '../support/staging-fixtures.js'

/**
 * A PostgreSQL hospital's staging rows reach a PostgreSQL central server as
 * the bytes the local server sent them in, once checked, when the column
 * types are the same on both sides; otherwise they are encoded from the
 * checked values. Either way the central rows are the same.
 */

/** New arrays without the source's bytes: the upload must encode these rows itself. */
async function* copied(batches: AsyncIterable<Row[]>): AsyncIterable<Row[]> {
  for await (const batch of batches) yield batch.map((row) => [...row])
}
const withoutSourceText = (sources: UploadSources): UploadSources => ({
  headers: copied(sources.headers),
  details: copied(sources.details),
})

const escapes = 'a\\b\tc\nd\re\\N ñandú µg/dL €'
const headers = (idEfector: number) => [
  header({ idProtocolo: 1, idEfector, observacionesResultados: escapes, hiv: true }),
  header({ idProtocolo: -2, idEfector, fecha1: '2026-11-20 08:15:30.5', hiv: null, sala: '' }),
  header({ idProtocolo: 3, idEfector, fechaRecibeScreening: '1753-01-01 00:00:00', baja: true }),
]
const details = (idEfector: number) => [
  detail({ idProtocolo: 1, idEfector, idDetalleProtocolo: 10, resultado: escapes }),
  detail({ idProtocolo: 1, idEfector, idDetalleProtocolo: -7, resultado: '', hiv: false }),
  detail({ idProtocolo: -2, idEfector, idDetalleProtocolo: 11, resultado: null, codigoNomenclador: null }),
]

describe('upload from a PostgreSQL hospital to a PostgreSQL central server', () => {
  let scenario: Scenario
  afterEach(async () => scenario?.drop())

  const upload = (id: number, wrapSources?: (sources: UploadSources) => UploadSources) =>
    runEfectorCycle(
      scenario.hospitals.get(id)!.database,
      scenario.central.database,
      scenario.efectorConfig(id),
      scenario.centralConfig,
      { owner: newOwnerId(), wrapSources },
    )

  it('stores the same central rows whether the bytes are passed on or the rows encoded again', async () => {
    scenario = await Scenario.create('postgres', [
      { id: 101, name: 'Norte' },
      { id: 102, name: 'Sur' },
    ])
    await scenario.stageLocally(101, headers(101), details(101))
    await scenario.stageLocally(102, headers(102), details(102))
    expect((await upload(101)).outcome).toBe('uploaded')
    expect((await upload(102, withoutSourceText)).outcome).toBe('uploaded')

    const passedOn = await scenario.stagedCentrally('Norte')
    expect(passedOn).toEqual(await scenario.stagedCentrally('Sur'))
    expect(passedOn.headers).toHaveLength(3)
    expect(passedOn.headers[1]).toMatchObject({ idProtocolo: 1, observacionesResultados: escapes, hiv: true })
    expect(passedOn.details.map((row) => row.resultado)).toEqual([null, '', escapes])
  })

  it('encodes the checked values when a local column has another type than the staging column', async () => {
    scenario = await Scenario.create('postgres', [{ id: 101, name: 'Norte' }])
    await scenario.stageLocally(101, headers(101), details(101))
    // A hand-made local table keeps conresultado (int) as boolean: its text 't' would not load into an int column.
    await usingSession(scenario.hospitals.get(101)!.database, (session) =>
      session.run(
        sql`ALTER TABLE ${sql.table(LOCAL_DETAIL_TABLE)} ALTER COLUMN ${sql.ref('conresultado')} TYPE boolean USING ${sql.ref('conresultado')} <> 0`,
      ),
    )
    expect((await upload(101)).outcome).toBe('uploaded')
    const staged = await scenario.stagedCentrally('Norte')
    expect(staged.details.map((row) => row.conresultado)).toEqual([1, 1, 1])
  })
})
