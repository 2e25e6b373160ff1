import { sql } from 'kysely'
import { afterEach, describe, expect, it } from 'vitest'
import { runEfectorCycle } from '../src/agent/efector-cycle.js'
import { runCentralPass } from '../src/central/import-pass.js'
import { addEfector } from '../src/central/install-central.js'
import { newOwnerId } from '../src/core/owner.js'
import { openDatabase } from '../src/db/open-database.js'
import { Scenario } from './support/scenario.js'
import { detail, header } from './support/staging-fixtures.js'
import { DIALECTS } from './support/test-databases.js'

describe.each(DIALECTS)('turn-taking on the status row on %s', (dialect) => {
  let scenario: Scenario
  afterEach(async () => scenario?.drop())

  const setStatus = (
    id: number,
    values: (minutesAgo: (m: number) => unknown, now: unknown) => Record<string, unknown>,
  ) =>
    scenario.onCentral((session) =>
      session.db
        .updateTable('LAB_EstadoSyncGeneral')
        .set(values((m) => session.dialect.minutesAgo(m), session.dialect.now()))
        .where('idEfector', '=', id)
        .execute(),
    )
  const statusRow = async (id: number) =>
    (await scenario.centralRows('LAB_EstadoSyncGeneral', ['idEfector'])).find((row) => row.idEfector === id)!
  const staged = (name: string) => scenario.centralRows(`LAB_Temp_${name}ResultadoEncabezado`, ['idProtocolo'])

  it('skips the upload, successfully and with its reason, while the central server imports the hospital', async () => {
    scenario = await Scenario.create(dialect, [{ id: 1, name: 'Uno' }])
    await scenario.stageLocally(1, [header({ idProtocolo: 1, idEfector: 1 })], [])
    await setStatus(1, (_ago, now) => ({ ultimoSyncFechaInicio: now, ultimoSyncFechaFin: null }))
    const cycle = await scenario.runCycle(1)
    expect(cycle.outcome).toBe('skipped')
    expect(cycle.message).toMatch(/central server is importing/)
    expect(await staged('Uno')).toEqual([])
    const local = await scenario.hospitals.get(1)!.database
    const { usingSession } = await import('../src/db/session.js')
    const [run] = await usingSession(local, (session) => session.db.selectFrom('LAB_SyncStatus').selectAll().execute())
    expect(run).toMatchObject({ labsyncOutcome: 'skipped', fechaFinUpload: null, cantidadRegistrosEncabezado: 1 })
  })

  it('does not import a hospital that is uploading, nor one whose upload went stale', async () => {
    scenario = await Scenario.create(dialect, [
      { id: 1, name: 'Uno' },
      { id: 2, name: 'Dos' },
    ])
    await setStatus(1, (_ago, now) => ({ ultimoUpdateEfectorInicio: now, ultimoUpdateEfectorFin: null }))
    await setStatus(2, (ago) => ({ ultimoUpdateEfectorInicio: ago(120), ultimoUpdateEfectorFin: null }))
    const pass = await scenario.runPass()
    expect(pass.outcomes).toEqual([])
  })

  it('takes over an upload claim and an import claim older than the lease', async () => {
    scenario = await Scenario.create(dialect, [{ id: 1, name: 'Uno' }])
    await scenario.stageLocally(
      1,
      [header({ idProtocolo: 1, idEfector: 1 })],
      [detail({ idProtocolo: 1, idEfector: 1, idDetalleProtocolo: 1 })],
    )
    // A dead importer left its claim two hours ago; the efector may upload all the same.
    await setStatus(1, (ago) => ({ ultimoSyncFechaInicio: ago(120), ultimoSyncFechaFin: null }))
    expect((await scenario.runCycle(1)).outcome).toBe('uploaded')
    // The upload finished after the dead import started: pending, and the stale import claim is taken over.
    const pass = await scenario.runPass()
    expect(pass.outcomes.map((outcome) => outcome.outcome)).toEqual(['ok'])
    // A dead agent left an upload claim two hours ago; the next upload takes it over.
    await setStatus(1, (ago) => ({ ultimoUpdateEfectorInicio: ago(120), ultimoUpdateEfectorFin: null }))
    expect((await scenario.runCycle(1)).outcome).toBe('uploaded')
  })

  it('does not take an upload claim that is younger than the lease', async () => {
    scenario = await Scenario.create(dialect, [{ id: 1, name: 'Uno' }])
    await setStatus(1, (ago) => ({
      ultimoUpdateEfectorInicio: ago(5),
      ultimoUpdateEfectorFin: null,
      labsyncUploadOwner: 'other-host:4242:abcd',
    }))
    const cycle = await scenario.runCycle(1)
    expect(cycle.outcome).toBe('skipped')
    expect(cycle.message).toContain('other-host:4242:abcd')
  })

  it('waits minutosMinimoSyncEfector between two uploads and minutosMinimoSyncPrincipal between two imports', async () => {
    scenario = await Scenario.create(dialect, [{ id: 1, name: 'Uno' }])
    await setStatus(1, () => ({ minutosMinimoSyncEfector: 30, minutosMinimoSyncPrincipal: 30 }))
    await scenario.stageLocally(1, [header({ idProtocolo: 1, idEfector: 1 })], [])
    expect((await scenario.runCycle(1)).outcome).toBe('uploaded')
    expect((await scenario.runCycle(1)).message).toMatch(/next is allowed from/)
    expect((await scenario.runPass()).outcomes).toHaveLength(1)
    await setStatus(1, (ago) => ({ ultimoUpdateEfectorInicio: ago(40) }))
    expect((await scenario.runCycle(1)).outcome).toBe('uploaded')
    expect((await scenario.runPass()).outcomes).toEqual([])
  })

  it('rolls back an upload whose claim another agent took over meanwhile', async () => {
    scenario = await Scenario.create(dialect, [{ id: 1, name: 'Uno' }])
    await scenario.stageLocally(1, [header({ idProtocolo: 1, idEfector: 1 })], [])
    const cycle = await runEfectorCycle(
      scenario.hospitals.get(1)!.database,
      scenario.central.database,
      scenario.efectorConfig(1),
      scenario.centralConfig,
      {
        owner: newOwnerId(),
        onStep: async (step) => {
          if (step === 'upload')
            await setStatus(1, (_ago, now) => ({ ultimoUpdateEfectorInicio: now, labsyncUploadOwner: 'other:1:taken' }))
        },
      },
    )
    expect(cycle.error?.code).toBe('LABSYNC_CLAIM_LOST')
    expect(await staged('Uno')).toEqual([])
    expect(await statusRow(1)).toMatchObject({ labsyncUploadOwner: 'other:1:taken', ultimoUpdateEfectorFin: null })
  })

  it('rolls back an import whose claim another importer took over meanwhile', async () => {
    scenario = await Scenario.create(dialect, [{ id: 1, name: 'Uno' }])
    await scenario.stageLocally(1, [header({ idProtocolo: 1, idEfector: 1 })], [])
    await scenario.runCycle(1)
    const pass = await runCentralPass(scenario.central.database, scenario.centralConfig, scenario.retry, {
      owner: newOwnerId(),
      onHospital: async () => {
        await setStatus(1, () => ({ labsyncImportOwner: 'other:2:taken' }))
      },
    })
    expect(pass.outcomes.map((outcome) => outcome.error?.code)).toEqual(['LABSYNC_CLAIM_LOST'])
    expect(await scenario.centralRows('LAB_ResultadoEncabezado', ['idProtocolo'])).toEqual([])
    // The other importer's claim is left alone.
    expect(await statusRow(1)).toMatchObject({ labsyncImportOwner: 'other:2:taken', ultimoSyncFechaFin: null })
  })

  it('lets two importers started at the same moment import each hospital exactly once', async () => {
    const ids = [1, 2, 3, 4, 5, 6]
    scenario = await Scenario.create(
      dialect,
      ids.map((id) => ({ id, name: `H${id}` })),
    )
    for (const id of ids) {
      await scenario.stageLocally(
        id,
        [header({ idProtocolo: 1, idEfector: id })],
        [detail({ idProtocolo: 1, idEfector: id, idDetalleProtocolo: 1 })],
      )
      expect((await scenario.runCycle(id)).outcome).toBe('uploaded')
    }
    const first = openDatabase(scenario.central.url)
    const second = openDatabase(scenario.central.url)
    try {
      const passes = await Promise.all(
        [first, second].map((database) =>
          runCentralPass(database, scenario.centralConfig, scenario.retry, { owner: newOwnerId() }),
        ),
      )
      const imported = passes.flatMap((pass) =>
        pass.outcomes.filter((outcome) => outcome.outcome === 'ok').map((outcome) => outcome.idEfector),
      )
      expect(imported.sort()).toEqual(ids)
      const runs = (await scenario.centralRows('labsync_run', ['id'])).filter((run) => run.kind === 'import')
      expect(runs.map((run) => run.idEfector).sort()).toEqual(ids)
    } finally {
      await first.close()
      await second.close()
    }
  })
})

describe.each(DIALECTS)('failures leave the previous good state on %s', (dialect) => {
  let scenario: Scenario
  afterEach(async () => scenario?.drop())

  it('rolls back an upload that fails half-way: previous staging kept, not importable, next upload goes ahead', async () => {
    scenario = await Scenario.create(dialect, [{ id: 3, name: 'Tres' }])
    await scenario.stageLocally(3, [header({ idProtocolo: 1, idEfector: 3 })], [])
    expect((await scenario.runCycle(3)).outcome).toBe('uploaded')
    expect((await scenario.runPass()).outcomes).toHaveLength(1)

    // The bad row comes after the first batches (500 rows each), which reach the central staging before it fails.
    const rows = Array.from({ length: 1000 }, (_unused, index) =>
      header({ idProtocolo: 11 + index, idEfector: 3, apellido: index === 749 ? null : 'Sosa' }),
    )
    await scenario.loosenLocalStaging(3)
    await scenario.stageLocally(3, rows, [])
    const failed = await scenario.runCycle(3)
    expect(failed.outcome).toBe('failed')
    expect(failed.error?.code).toBe('LABSYNC_ROW_INVALID')
    expect(failed.message).toContain('idProtocolo=760 idEfector=3')
    expect(failed.message).toContain('column apellido')
    expect(
      (await scenario.centralRows('LAB_Temp_TresResultadoEncabezado', ['idProtocolo'])).map((row) => row.idProtocolo),
    ).toEqual([1])
    const [status] = await scenario.centralRows('LAB_EstadoSyncGeneral', ['idEfector'])
    expect(status.ultimoUpdateEfectorFin).toBeNull()
    expect(String(status.labsyncUploadError)).toContain('LABSYNC_ROW_INVALID')
    expect((await scenario.runPass()).outcomes).toEqual([])
    const uploadRuns = (await scenario.centralRows('labsync_run', ['id'])).filter((run) => run.kind === 'upload')
    expect(uploadRuns.map((run) => run.outcome)).toEqual(['ok', 'failed'])

    await scenario.stageLocally(3, [header({ idProtocolo: 20, idEfector: 3 })], [])
    expect((await scenario.runCycle(3)).outcome).toBe('uploaded')
    expect((await scenario.runPass()).outcomes.map((outcome) => outcome.outcome)).toEqual(['ok'])
    expect(
      (await scenario.centralRows('LAB_ResultadoEncabezado', ['idProtocolo'])).map((row) => row.idProtocolo),
    ).toEqual([1, 20])
  })

  it('rolls back an import that fails half-way, records the error, and retries it in a later pass', async () => {
    scenario = await Scenario.create(dialect, [{ id: 3, name: 'Tres' }])
    await scenario.stageLocally(
      3,
      [header({ idProtocolo: 1, idEfector: 3, apellido: 'Antes' })],
      [detail({ idProtocolo: 1, idEfector: 3, idDetalleProtocolo: 1 })],
    )
    await scenario.runCycle(3)
    await scenario.runPass()
    await scenario.onCentral((session) =>
      session.run(
        dialect === 'sqlite'
          ? sql`CREATE TRIGGER boom BEFORE INSERT ON "LAB_ResultadoDetalle" WHEN NEW.resultado = 'BOOM' BEGIN SELECT RAISE(ABORT, 'detail refused by test trigger'); END`
          : sql`ALTER TABLE "LAB_ResultadoDetalle" ADD CONSTRAINT boom CHECK (resultado IS DISTINCT FROM 'BOOM')`,
      ),
    )
    await scenario.stageLocally(
      3,
      [header({ idProtocolo: 1, idEfector: 3, apellido: 'Después' }), header({ idProtocolo: 2, idEfector: 3 })],
      [
        detail({ idProtocolo: 1, idEfector: 3, idDetalleProtocolo: 1 }),
        detail({ idProtocolo: 2, idEfector: 3, idDetalleProtocolo: 2, resultado: 'BOOM' }),
      ],
    )
    expect((await scenario.runCycle(3)).outcome).toBe('uploaded')
    const failed = await scenario.runPass()
    expect(failed.outcomes.map((outcome) => outcome.outcome)).toEqual(['failed'])
    const headers = await scenario.centralRows('LAB_ResultadoEncabezado', ['idProtocolo'])
    expect(headers.map((row) => [row.idProtocolo, row.apellido])).toEqual([[1, 'Antes']])
    const [status] = await scenario.centralRows('LAB_EstadoSyncGeneral', ['idEfector'])
    expect(status.labsyncImportError).toMatch(/LABSYNC_/)
    expect(status.labsyncImportFailures).toBe(1)
    expect(status.ultimoSyncFechaFin).not.toBeNull()
    const importRuns = (await scenario.centralRows('labsync_run', ['id'])).filter((run) => run.kind === 'import')
    expect(importRuns.map((run) => run.outcome)).toEqual(['ok', 'failed'])

    await scenario.onCentral((session) =>
      session.run(
        dialect === 'sqlite' ? sql`DROP TRIGGER boom` : sql`ALTER TABLE "LAB_ResultadoDetalle" DROP CONSTRAINT boom`,
      ),
    )
    const retried = await scenario.runPass()
    expect(retried.outcomes.map((outcome) => outcome.outcome)).toEqual(['ok'])
    const after = await scenario.centralRows('LAB_ResultadoEncabezado', ['idProtocolo'])
    expect(after.map((row) => [row.idProtocolo, row.apellido])).toEqual([
      [1, 'Después'],
      [2, 'Núñez'],
    ])
    const [cleared] = await scenario.centralRows('LAB_EstadoSyncGeneral', ['idEfector'])
    expect(cleared).toMatchObject({ labsyncImportError: null, labsyncImportFailures: 0 })
  })

  it('backs off a failed import until its retry time', async () => {
    scenario = await Scenario.create(dialect, [{ id: 3, name: 'Tres' }])
    Object.assign(scenario.retry, { firstMinutes: 30, maxMinutes: 60 })
    await scenario.stageLocally(3, [header({ idProtocolo: 1, idEfector: 3 })], [])
    await scenario.runCycle(3)
    await scenario.onCentral((session) => session.run(sql`DROP TABLE "LAB_Temp_TresResultadoDetalle"`))
    expect((await scenario.runPass()).outcomes.map((outcome) => outcome.error?.code)).toEqual(['LABSYNC_TABLE_MISSING'])
    const waiting = await scenario.runPass()
    expect(waiting.outcomes).toEqual([])
    expect(waiting.waiting).toEqual([
      { idEfector: 3, reason: expect.stringMatching(/^its last import failed; next attempt from /) },
    ])

    // A new upload brings new data: the import is tried at once, not after the backoff.
    await scenario.onCentral((session) => addEfector(session, { id: 3, name: 'Tres' }))
    expect((await scenario.runCycle(3)).outcome).toBe('uploaded')
    expect((await scenario.runPass()).outcomes.map((outcome) => outcome.outcome)).toEqual(['ok'])
  })
})
