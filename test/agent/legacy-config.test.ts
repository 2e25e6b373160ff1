import { afterEach, describe, expect, it } from 'vitest'
import { LabsyncError } from '../../src/core/errors.js'
import { createTableSql } from '../../src/db/schema-plan.js'
import { usingSession } from '../../src/db/session.js'
import { LEGACY_CONFIG_TABLE } from '../../src/db/tables/local-tables.js'
import { Scenario } from '../support/scenario.js'
import { header } from '../support/staging-fixtures.js'
import { DIALECTS } from '../support/test-databases.js'

describe.each(DIALECTS)('the legacy LAB_SyncConfig table on %s', (dialect) => {
  let scenario: Scenario
  afterEach(async () => scenario?.drop())

  async function legacyRows(rows: Record<string, unknown>[]) {
    await usingSession(scenario.hospitals.get(33)!.database, async (session) => {
      const sql = createTableSql(session.dialect, { name: LEGACY_CONFIG_TABLE.name }, LEGACY_CONFIG_TABLE)
      await session.connection.execute({ sql, parameters: [] })
      for (const row of rows) await session.db.insertInto(LEGACY_CONFIG_TABLE.name).values(row).execute()
    })
  }

  it('gives the hospital id when the configuration leaves it out', async () => {
    scenario = await Scenario.create(dialect, [{ id: 33, name: 'Treinta' }])
    await legacyRows([{ servidorUpstream: 'SRVCENTRAL', idEfector: 33, dbUpstream: 'SIPS.dbo', diasASincronizar: 5 }])
    await scenario.stageLocally(33, [header({ idProtocolo: 1, idEfector: 33 })], [])
    const cycle = await scenario.runCycle(33, { id: undefined })
    expect(cycle).toMatchObject({ idEfector: 33, outcome: 'uploaded' })
  })

  it('is refused when it holds more than one row, rather than guessing the hospital', async () => {
    scenario = await Scenario.create(dialect, [{ id: 33, name: 'Treinta' }])
    await legacyRows([
      { idEfector: 33, diasASincronizar: 5 },
      { idEfector: 34, diasASincronizar: 5 },
    ])
    const failure = await scenario.runCycle(33, { id: undefined }).catch((error: LabsyncError) => error)
    expect(failure).toBeInstanceOf(LabsyncError)
    expect((failure as LabsyncError).code).toBe('LABSYNC_CONFIG')
    expect((failure as LabsyncError).message).toContain('LAB_SyncConfig holds 2 rows')
    const runs = await usingSession(scenario.hospitals.get(33)!.database, (session) =>
      session.db.selectFrom('LAB_SyncStatus').select(['labsyncOutcome']).execute(),
    )
    expect(runs).toEqual([{ labsyncOutcome: 'failed' }])
    expect(await scenario.centralRows('labsync_run', ['id'])).toEqual([])
  })
})
