import { afterEach, describe, expect, it } from 'vitest'
import { Scenario } from '../support/scenario.js'
import { detail, header } from '../support/staging-fixtures.js'
import { DIALECTS } from '../support/test-databases.js'

describe.each(DIALECTS)('a key staged twice in a local table without its primary key, on %s', (dialect) => {
  let scenario: Scenario
  afterEach(async () => scenario?.drop())

  it('fails the upload naming the table and the key, and keeps the previous central staging', async () => {
    scenario = await Scenario.create(dialect, [{ id: 5, name: 'Cinco' }])
    await scenario.stageLocally(5, [header({ idProtocolo: 1, idEfector: 5 })], [])
    expect((await scenario.runCycle(5)).outcome).toBe('uploaded')
    expect((await scenario.runPass()).outcomes).toHaveLength(1)

    await scenario.loosenLocalStaging(5)
    await scenario.stageLocally(
      5,
      [header({ idProtocolo: 2, idEfector: 5 }), header({ idProtocolo: 3, idEfector: 5 })],
      [
        detail({ idProtocolo: 3, idEfector: 5, idDetalleProtocolo: 30, resultado: 'Positivo' }),
        detail({ idProtocolo: 3, idEfector: 5, idDetalleProtocolo: 30, resultado: 'Negativo' }),
      ],
    )
    const failed = await scenario.runCycle(5)
    expect(failed.outcome).toBe('failed')
    expect(failed.error?.code).toBe('LABSYNC_ROW_INVALID')
    expect(failed.message).toContain('table LAB_Temp_ResultadoDetalle')
    expect(failed.message).toContain('key idProtocolo=3 idEfector=5 idDetalleProtocolo=30')
    expect(failed.message).not.toMatch(/Positivo|Negativo/)
    expect(
      (await scenario.centralRows('LAB_Temp_CincoResultadoEncabezado', ['idProtocolo'])).map((row) => row.idProtocolo),
    ).toEqual([1])
    const [status] = await scenario.centralRows('LAB_EstadoSyncGeneral', ['idEfector'])
    expect(String(status.labsyncUploadError)).toContain('idDetalleProtocolo=30')
  })
})
