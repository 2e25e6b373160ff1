import { writeFileSync } from 'node:fs'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { main } from '../../src/cli/main.js'
import { Scenario } from '../support/scenario.js'
import { detail, header } from '../support/staging-fixtures.js'
import { snapshotTables } from '../support/table-snapshot.js'
import { DIALECTS } from '../support/test-databases.js'
import { makeTempFolder } from '../support/temp-folder.js'

describe.each(DIALECTS)('dry runs on %s', (dialect) => {
  let scenario: Scenario
  afterEach(async () => scenario?.drop())

  async function labsync(config: string, args: string[]) {
    const out: string[] = []
    const code = await main(['node', 'labsync', '--config', config, ...args], (line) => out.push(line))
    return { code, out: out.join('\n') }
  }

  async function snapshotAll() {
    const all: Record<string, unknown> = { central: await snapshotTables(scenario.central.database) }
    for (const [id, hospital] of scenario.hospitals) all[`h${id}`] = await snapshotTables(hospital.database)
    return all
  }

  it('say what would be exported, uploaded and imported, which hospitals are eligible and why not, and write nothing', async () => {
    scenario = await Scenario.create(dialect, [
      { id: 101, name: 'Norte' },
      { id: 202, name: 'Sur' },
      { id: 303, name: 'Oeste' },
    ])
    await scenario.stageLocally(
      101,
      [
        header({ idProtocolo: 1, idEfector: 101 }),
        header({ idProtocolo: 2, idEfector: 101 }),
        header({ idProtocolo: 3, idEfector: 101, baja: true }),
      ],
      [1, 2, 3, 4].map((item) => detail({ idProtocolo: 1, idEfector: 101, idDetalleProtocolo: item })),
    )
    // Protocol 8 reaches the central tables first; its annulment then deletes it. Protocol 10 was never central.
    await scenario.stageLocally(202, [header({ idProtocolo: 8, idEfector: 202 })], [])
    expect((await scenario.runCycle(202)).outcome).toBe('uploaded')
    expect((await scenario.runPass()).outcomes.map((outcome) => outcome.idEfector)).toEqual([202])
    await scenario.stageLocally(
      202,
      [
        header({ idProtocolo: 7, idEfector: 202 }),
        header({ idProtocolo: 8, idEfector: 202, baja: true }),
        header({ idProtocolo: 10, idEfector: 202, baja: true }),
      ],
      [
        detail({ idProtocolo: 7, idEfector: 202, idDetalleProtocolo: 1 }),
        detail({ idProtocolo: 9, idEfector: 202, idDetalleProtocolo: 1 }),
      ],
    )
    await scenario.stageLocally(303, [header({ idProtocolo: 1, idEfector: 303 })], [])
    expect((await scenario.runCycle(202)).outcome).toBe('uploaded')
    expect((await scenario.runCycle(303)).outcome).toBe('uploaded')
    await scenario.onCentral((session) =>
      session.db
        .updateTable('LAB_EstadoSyncGeneral')
        .set({
          ultimoSyncFechaInicio: session.dialect.now(),
          ultimoSyncFechaFin: null,
          labsyncImportOwner: 'other:1:x',
        })
        .where('idEfector', '=', 303)
        .execute(),
    )

    const dir = makeTempFolder('dry')
    const efectorFile = path.join(dir, 'efector.yaml')
    writeFileSync(
      efectorFile,
      `efector:\n  id: 101\n  url: ${scenario.hospitals.get(101)!.url}\ncentral:\n  url: ${scenario.central.url}\nlog:\n  level: silent\n`,
    )
    const centralFile = path.join(dir, 'central.yaml')
    writeFileSync(centralFile, `central:\n  url: ${scenario.central.url}\nlog:\n  level: silent\n`)

    const before = await snapshotAll()
    const efectorRun = await labsync(efectorFile, ['efector', 'run', '--dry-run'])
    const centralRun = await labsync(centralFile, ['central', 'run', '--dry-run'])
    expect(await snapshotAll()).toEqual(before)

    expect(efectorRun.code).toBe(0)
    expect(efectorRun.out).toContain('efector 101: dry run, nothing written')
    expect(efectorRun.out).toContain('it holds 3 headers and 4 details')
    expect(efectorRun.out).toContain(
      'upload: would claim and replace LAB_Temp_NorteResultadoEncabezado and LAB_Temp_NorteResultadoDetalle with 3 headers and 4 details',
    )
    expect(centralRun.code).toBe(0)
    expect(centralRun.out.split('\n')).toEqual([
      'central pass: dry run, nothing written: 1 of 3 hospitals would be imported now',
      '  efector 101 Norte: not eligible: nothing new to import',
      '  efector 202 Sur: would import 3 headers and 1 details; 1 protocols deleted; 1 details without a staged header skipped (warning)',
      expect.stringMatching(/^ {2}efector 303 Oeste: not eligible: another importer holds it since \d{4}-/),
    ])

    // What the dry runs announced is what the real runs do.
    const upload = await labsync(efectorFile, ['efector', 'run'])
    expect(upload.out).toContain('efector 101: uploaded 3 headers and 4 details')
    expect(await snapshotAll()).not.toEqual(before) // the snapshot does see writes
    // Now the upload of 101 is pending and 202's staging is unchanged; 303 is still held.
    const again = await labsync(centralFile, ['central', 'run', '--dry-run'])
    expect(again.out).toContain('2 of 3 hospitals would be imported now')
    const pass = await scenario.runPass()
    expect(
      pass.outcomes.map((outcome) => [
        outcome.idEfector,
        outcome.outcome,
        outcome.merge?.stagedHeaders,
        outcome.merge?.importedDetails,
        outcome.merge?.deletedProtocols,
      ]),
    ).toEqual([
      [101, 'ok', 3, 4, 0],
      [202, 'warning', 3, 1, 1],
    ])
  })

  it('reports a skip and a bad staged row without writing anything', async () => {
    scenario = await Scenario.create(dialect, [{ id: 101, name: 'Norte' }])
    await scenario.stageLocally(101, [header({ idProtocolo: 1, idEfector: 101 })], [])
    expect((await scenario.runCycle(101)).outcome).toBe('uploaded')
    await scenario.onCentral((session) =>
      session.db
        .updateTable('LAB_EstadoSyncGeneral')
        .set({ minutosMinimoSyncEfector: 30 })
        .where('idEfector', '=', 101)
        .execute(),
    )
    const dir = makeTempFolder('dry')
    const efectorFile = path.join(dir, 'efector.yaml')
    writeFileSync(
      efectorFile,
      `efector:\n  id: 101\n  url: ${scenario.hospitals.get(101)!.url}\ncentral:\n  url: ${scenario.central.url}\nlog:\n  level: silent\n`,
    )

    const before = await snapshotAll()
    const skip = await labsync(efectorFile, ['efector', 'run', '--dry-run'])
    expect(skip.out).toMatch(
      /upload: would skip \(1 headers and 0 details staged\): the last upload started at .*; the next is allowed from /,
    )

    await scenario.stageLocally(101, [header({ idProtocolo: 1, idEfector: 202 })], [])
    const before2 = await snapshotAll()
    const bad = await labsync(efectorFile, ['efector', 'run', '--dry-run'])
    expect(bad.code).toBe(1)
    expect(bad.out).toMatch(/the run would fail: LABSYNC_FOREIGN_ROWS: .*idProtocolo=1/)
    expect(await snapshotAll()).toEqual(before2)
    expect(before2.central).toEqual(before.central)
  })
})
