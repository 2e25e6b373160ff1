import { afterEach, describe, expect, it } from 'vitest'
import { formatStatusTable } from '../../src/cli/commands/status.js'
import { readStatusReport } from '../../src/status/status-report.js'
import { Scenario } from '../support/scenario.js'
import { detail, header } from '../support/staging-fixtures.js'
import { DIALECTS } from '../support/test-databases.js'

/** `labsync status` after an upload that failed: the last upload is the one that committed, not "never". */
describe.each(DIALECTS)('the status report on %s', (dialect) => {
  let scenario: Scenario
  afterEach(async () => scenario?.drop())

  it('takes the last upload from the run history while the status row has no end mark', async () => {
    scenario = await Scenario.create(dialect, [{ id: 101, name: 'Norte' }])
    await scenario.loosenLocalStaging(101)
    const good = header({ idProtocolo: 7, idEfector: 101 })
    await scenario.stageLocally(101, [good], [detail({ idProtocolo: 7, idEfector: 101, idDetalleProtocolo: 70 })])
    expect((await scenario.runCycle(101)).outcome).toBe('uploaded')
    const report = () => scenario.onCentral((session) => readStatusReport(session, scenario.centralConfig))
    const committed = (await report()).efectores[0].lastUploadAt
    expect(committed).not.toBeNull()

    await scenario.stageLocally(101, [{ ...good, apellido: null }], [])
    expect((await scenario.runCycle(101)).outcome).toBe('failed')
    const [row] = await scenario.centralRows('LAB_EstadoSyncGeneral', ['idEfector'])
    expect(row.ultimoUpdateEfectorFin).toBeNull()

    const after = (await report()).efectores[0]
    expect(after).toMatchObject({ failed: true })
    expect(after.lastUploadAt).not.toBeNull()
    expect(after.lastUploadAt! >= committed!.slice(0, 19)).toBe(true)
    const line = formatStatusTable([after]).split('\n')[2]
    expect(line).toContain(`failed  ${after.lastUploadAt!}  never`)
  })
})
