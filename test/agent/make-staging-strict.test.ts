import Sqlite from 'better-sqlite3'
import { execFile } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import path from 'node:path'
import { promisify } from 'node:util'
import { afterEach, describe, expect, it } from 'vitest'
import { makeStagingStrict } from '../../src/agent/install-efector.js'
import { configSchema } from '../../src/core/config.js'
import { LabsyncError } from '../../src/core/errors.js'
import { usingSession } from '../../src/db/session.js'
import { runDoctor } from '../../src/doctor/run-doctor.js'
import { Scenario } from '../support/scenario.js'
import { detail, header } from '../support/staging-fixtures.js'
import { makeTempFolder } from '../support/temp-folder.js'

/**
 * `labsync efector install --make-strict` on a SQLite hospital whose
 * staging tables were made by hand, not STRICT: the rows stay, a column
 * labsync does not know stays, and a row that does not fit stops it with
 * nothing changed.
 */
const BIN = path.resolve('bin/labsync.js')
const run = promisify(execFile)

describe('making a SQLite hospital staging STRICT', () => {
  let scenario: Scenario
  afterEach(async () => scenario?.drop())

  async function looseHospital() {
    scenario = await Scenario.create('sqlite', [{ id: 101, name: 'Norte' }])
    await scenario.loosenLocalStaging(101)
    await scenario.stageLocally(
      101,
      [header({ idProtocolo: 7, idEfector: 101 }), header({ idProtocolo: 8, idEfector: 101 })],
      [
        detail({ idProtocolo: 7, idEfector: 101, idDetalleProtocolo: 70 }),
        detail({ idProtocolo: 8, idEfector: 101, idDetalleProtocolo: 80 }),
      ],
    )
    const hospital = scenario.hospitals.get(101)!
    const file = new Sqlite(hospital.url.replace(/^sqlite:/, ''))
    // A column of the hospital's own, which the rebuild must keep.
    file.exec('ALTER TABLE "LAB_Temp_ResultadoDetalle" ADD COLUMN "cargadoPor" varchar(20)')
    file.exec(`UPDATE "LAB_Temp_ResultadoDetalle" SET "cargadoPor" = 'sil-' || "idDetalleProtocolo"`)
    // And its own index, trigger and view, which must outlive the rebuild.
    file.exec('CREATE INDEX "IX_detalle_cargado" ON "LAB_Temp_ResultadoDetalle" ("cargadoPor")')
    file.exec('CREATE TABLE "auditoria" ("idDetalleProtocolo" INTEGER)')
    file.exec(
      'CREATE TRIGGER "TR_detalle_auditoria" AFTER INSERT ON "LAB_Temp_ResultadoDetalle" BEGIN INSERT INTO "auditoria" VALUES (NEW."idDetalleProtocolo"); END',
    )
    file.exec('CREATE VIEW "V_detalle" AS SELECT "idDetalleProtocolo", "cargadoPor" FROM "LAB_Temp_ResultadoDetalle"')
    return { hospital, file }
  }
  const tables = (file: Sqlite.Database) =>
    file.prepare("SELECT name, strict FROM pragma_table_list WHERE name LIKE 'LAB_Temp_%' ORDER BY name").all()
  const doctorConfig = () => ({
    file: 'test.yaml',
    config: configSchema.parse({
      efector: { id: 101, url: scenario.hospitals.get(101)!.url },
      central: { url: scenario.central.url },
    }),
  })

  it('recreates both tables STRICT with their rows and unknown columns, and then they upload', async () => {
    const { hospital, file } = await looseHospital()
    try {
      const warned = (await runDoctor(doctorConfig())).filter((finding) => /is not STRICT/.test(finding.message))
      expect(warned).toHaveLength(2)
      expect(warned[0].fix).toMatch(/^labsync efector install --make-strict/)

      const done = await usingSession(hospital.database, (session) => makeStagingStrict(session, 101))
      expect(done).toEqual([
        { table: 'LAB_Temp_ResultadoEncabezado', rows: 2 },
        { table: 'LAB_Temp_ResultadoDetalle', rows: 2 },
      ])
      expect(tables(file)).toEqual([
        { name: 'LAB_Temp_ResultadoDetalle', strict: 1 },
        { name: 'LAB_Temp_ResultadoEncabezado', strict: 1 },
      ])
      expect(
        file.prepare('SELECT "idDetalleProtocolo", "cargadoPor" FROM "LAB_Temp_ResultadoDetalle" ORDER BY 1').all(),
      ).toEqual([
        { idDetalleProtocolo: 70, cargadoPor: 'sil-70' },
        { idDetalleProtocolo: 80, cargadoPor: 'sil-80' },
      ])
      expect(
        file
          .prepare(
            "SELECT type, name, tbl_name FROM sqlite_master WHERE type = 'view' OR tbl_name LIKE 'LAB_Temp_%' AND type <> 'table' ORDER BY name",
          )
          .all(),
      ).toEqual(
        [
          { type: 'index', name: 'IX_detalle_cargado', tbl_name: 'LAB_Temp_ResultadoDetalle' },
          { type: 'trigger', name: 'TR_detalle_auditoria', tbl_name: 'LAB_Temp_ResultadoDetalle' },
          { type: 'view', name: 'V_detalle', tbl_name: 'V_detalle' },
          // The primary keys' own indexes.
          {
            type: 'index',
            name: 'sqlite_autoindex_LAB_Temp_ResultadoDetalle_1',
            tbl_name: 'LAB_Temp_ResultadoDetalle',
          },
          {
            type: 'index',
            name: 'sqlite_autoindex_LAB_Temp_ResultadoEncabezado_1',
            tbl_name: 'LAB_Temp_ResultadoEncabezado',
          },
        ].sort((a, b) => (a.name < b.name ? -1 : 1)),
      )
      expect(file.prepare('SELECT COUNT(*) AS n FROM "V_detalle"').get()).toEqual({ n: 2 })
      expect(file.prepare('SELECT COUNT(*) AS n FROM "auditoria"').get()).toEqual({ n: 0 })
      // The primary key is back: a second row with the same key is refused.
      expect(() =>
        file.exec('INSERT INTO "LAB_Temp_ResultadoEncabezado" SELECT * FROM "LAB_Temp_ResultadoEncabezado"'),
      ).toThrow(/UNIQUE constraint failed/)
      expect((await runDoctor(doctorConfig())).filter((finding) => /STRICT/.test(finding.message))).toEqual([])
      // Running it again finds nothing to do.
      expect(await usingSession(hospital.database, (session) => makeStagingStrict(session, 101))).toEqual([])

      const cycle = await scenario.runCycle(101)
      expect(cycle.outcome).toBe('uploaded')
      expect(cycle.uploaded).toMatchObject({ headers: 2, details: 2 })
      // The hospital's trigger was created again on the new table.
      file.exec(`CREATE TEMP TABLE "otro" AS SELECT * FROM "LAB_Temp_ResultadoDetalle" WHERE "idDetalleProtocolo" = 70`)
      file.exec(`UPDATE "otro" SET "idDetalleProtocolo" = 75`)
      file.exec(`INSERT INTO "LAB_Temp_ResultadoDetalle" SELECT * FROM "otro"`)
      expect(file.prepare('SELECT "idDetalleProtocolo" FROM "auditoria"').all()).toEqual([{ idDetalleProtocolo: 75 }])
    } finally {
      file.close()
    }
  })

  it('stops at a row that does not fit, names it by its key, and changes nothing', async () => {
    const { hospital, file } = await looseHospital()
    try {
      file.exec(`UPDATE "LAB_Temp_ResultadoDetalle" SET "orden" = 'segundo' WHERE "idDetalleProtocolo" = 80`)
      const schemaBefore = file.prepare('SELECT name, sql FROM sqlite_master ORDER BY name').all()
      const rowsBefore = file.prepare('SELECT * FROM "LAB_Temp_ResultadoDetalle" ORDER BY rowid').all()

      const failure = await usingSession(hospital.database, (session) => makeStagingStrict(session, 101)).catch(
        (error: unknown) => error,
      )
      expect(failure).toBeInstanceOf(LabsyncError)
      expect(failure).toMatchObject({
        code: 'LABSYNC_ROW_INVALID',
        location: {
          efector: 101,
          table: 'LAB_Temp_ResultadoDetalle',
          key: { idProtocolo: 8, idEfector: 101, idDetalleProtocolo: 80 },
        },
      })
      expect((failure as Error).message).toMatch(/cannot be made STRICT, nothing was changed: .*orden/)
      expect((failure as Error).message).not.toContain('segundo')

      expect(file.prepare('SELECT name, sql FROM sqlite_master ORDER BY name').all()).toEqual(schemaBefore)
      expect(file.prepare('SELECT * FROM "LAB_Temp_ResultadoDetalle" ORDER BY rowid').all()).toEqual(rowsBefore)
    } finally {
      file.close()
    }
  })

  it('is run by the command, which also prints the statements for the sqlite3 shell', async () => {
    const { hospital, file } = await looseHospital()
    try {
      const config = path.join(makeTempFolder('strict'), 'efector.yaml')
      writeFileSync(config, `efector:\n  id: 101\n  url: ${hospital.url}\nlog:\n  level: warn\n`)
      const printed = await run('node', [BIN, '--config', config, 'efector', 'install', '--make-strict', '--print'])
      expect(printed.stdout).toContain('run them with -bail')
      expect(printed.stdout).toMatch(
        /BEGIN;\nCREATE TABLE "LAB_Temp_ResultadoEncabezado_labsync_new" \([\s\S]*\) STRICT;\nINSERT INTO "LAB_Temp_ResultadoEncabezado_labsync_new" /,
      )
      expect(printed.stdout).toContain(
        'ALTER TABLE "LAB_Temp_ResultadoDetalle_labsync_new" ADD COLUMN "cargadoPor" ANY;',
      )
      expect(printed.stdout).toMatch(
        /DROP TABLE "LAB_Temp_ResultadoDetalle";\nPRAGMA legacy_alter_table = ON;\nALTER TABLE "LAB_Temp_ResultadoDetalle_labsync_new" RENAME TO "LAB_Temp_ResultadoDetalle";\nPRAGMA legacy_alter_table = OFF;\nCREATE INDEX "IX_detalle_cargado" [^\n]*;\nCREATE TRIGGER "TR_detalle_auditoria" [^\n]*;\nCOMMIT;\n$/,
      )
      expect(tables(file)).toEqual([
        { name: 'LAB_Temp_ResultadoDetalle', strict: 0 },
        { name: 'LAB_Temp_ResultadoEncabezado', strict: 0 },
      ])

      const made = await run('node', [BIN, '--config', config, 'efector', 'install', '--make-strict'])
      expect(made.stdout).toContain('LAB_Temp_ResultadoEncabezado: recreated STRICT, 2 row(s) kept')
      expect(made.stdout).toContain('LAB_Temp_ResultadoDetalle: recreated STRICT, 2 row(s) kept')
      expect(tables(file)).toEqual([
        { name: 'LAB_Temp_ResultadoDetalle', strict: 1 },
        { name: 'LAB_Temp_ResultadoEncabezado', strict: 1 },
      ])
    } finally {
      file.close()
    }
  })
})
