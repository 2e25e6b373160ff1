import Sqlite from 'better-sqlite3'
import { sql } from 'kysely'
import { execFile } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import path from 'node:path'
import { promisify } from 'node:util'
import { afterEach, describe, expect, it } from 'vitest'
import { installEfectorMakingStrict } from '../../src/agent/install-efector.js'
import { configSchema } from '../../src/core/config.js'
import { LabsyncError } from '../../src/core/errors.js'
import { sqliteDialect } from '../../src/db/dialects/sqlite/sqlite-dialect.js'
import { createTableSql } from '../../src/db/schema-plan.js'
import { usingSession } from '../../src/db/session.js'
import { detailTable, headerTable, LOCAL_DETAIL_TABLE, LOCAL_HEADER_TABLE } from '../../src/db/tables/staging-tables.js'
import { runDoctor } from '../../src/doctor/run-doctor.js'
import { Scenario } from '../support/scenario.js'
import { detail, header } from '../support/staging-fixtures.js'
import { makeTempFolder } from '../support/temp-folder.js'

/**
 * `labsync efector install --make-strict` on a SQLite hospital whose
 * staging tables are not STRICT: the rows, the hospital's own indexes,
 * triggers and views stay; a row that does not fit, or a table that is not
 * shaped as labsync creates it, stops it with nothing changed.
 */
const BIN = path.resolve('bin/labsync.js')
const withoutResultado = detailTable(LOCAL_DETAIL_TABLE)
  .columns.filter((column) => column.name !== 'resultado')
  .map((column) => `"${column.name}"`)
  .join(', ')
const run = promisify(execFile)

describe('making a SQLite hospital staging STRICT', () => {
  let scenario: Scenario
  afterEach(async () => scenario?.drop())

  async function looseHospital() {
    scenario = await Scenario.create('sqlite', [{ id: 101, name: 'Norte' }])
    // The staging as labsync created it before it made it STRICT.
    await usingSession(scenario.hospitals.get(101)!.database, async (session) => {
      for (const spec of [headerTable(LOCAL_HEADER_TABLE), detailTable(LOCAL_DETAIL_TABLE)]) {
        await session.run(sql`DROP TABLE ${sql.table(spec.name)}`)
        const loose = createTableSql(session.dialect, { name: spec.name }, { ...spec, typed: false })
        await session.connection.execute({ sql: loose, parameters: [] })
      }
    })
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
    // The hospital's own index, trigger (naming the table in another letter case) and view, which must outlive the rebuild.
    file.exec('CREATE INDEX "IX_detalle_item" ON "LAB_Temp_ResultadoDetalle" ("item")')
    file.exec('CREATE TABLE "auditoria" ("idDetalleProtocolo" INTEGER)')
    file.exec(
      'CREATE TRIGGER "TR_detalle_auditoria" AFTER INSERT ON lab_temp_resultadodetalle BEGIN INSERT INTO "auditoria" VALUES (NEW."idDetalleProtocolo"); END',
    )
    file.exec('CREATE VIEW "V_detalle" AS SELECT "idDetalleProtocolo", "item" FROM "LAB_Temp_ResultadoDetalle"')
    return { hospital, file }
  }
  const tables = (file: Sqlite.Database) =>
    file.prepare("SELECT name, strict FROM pragma_table_list WHERE name LIKE 'LAB_Temp_%' ORDER BY name").all()
  const snapshot = (file: Sqlite.Database) => ({
    schema: file.prepare('SELECT type, name, sql FROM sqlite_master ORDER BY name').all(),
    headers: file.prepare('SELECT * FROM "LAB_Temp_ResultadoEncabezado" ORDER BY rowid').all(),
    details: file.prepare('SELECT * FROM "LAB_Temp_ResultadoDetalle" ORDER BY rowid').all(),
  })
  const doctorConfig = () => ({
    file: 'test.yaml',
    config: configSchema.parse({
      efector: { id: 101, url: scenario.hospitals.get(101)!.url },
      central: { url: scenario.central.url },
    }),
  })
  const makeStrict = (hospital: { database: Parameters<typeof usingSession>[0] }) =>
    usingSession(hospital.database, (session) => installEfectorMakingStrict(session, 101))
  const failureOf = (promise: Promise<unknown>) =>
    promise.then(
      () => undefined,
      (error: unknown) => error,
    )

  it('recreates both tables STRICT with their rows, indexes, triggers and views, and then they upload', async () => {
    const { hospital, file } = await looseHospital()
    try {
      const warned = (await runDoctor(doctorConfig())).filter((finding) => /is not STRICT/.test(finding.message))
      expect(warned).toHaveLength(2)
      expect(warned[0].fix).toMatch(/^labsync efector install --make-strict/)

      // Rowids that are not 1, 2: an outside table (a full-text index) may point at them.
      file.exec('UPDATE "LAB_Temp_ResultadoDetalle" SET rowid = rowid + 40')
      expect((await makeStrict(hospital)).rebuilt).toEqual([
        { table: 'LAB_Temp_ResultadoEncabezado', rows: 2 },
        { table: 'LAB_Temp_ResultadoDetalle', rows: 2 },
      ])
      expect(tables(file)).toEqual([
        { name: 'LAB_Temp_ResultadoDetalle', strict: 1 },
        { name: 'LAB_Temp_ResultadoEncabezado', strict: 1 },
      ])
      expect(
        file.prepare('SELECT rowid, "idDetalleProtocolo" FROM "LAB_Temp_ResultadoDetalle" ORDER BY 1').all(),
      ).toEqual([
        { rowid: 41, idDetalleProtocolo: 70 },
        { rowid: 42, idDetalleProtocolo: 80 },
      ])
      expect(
        file
          .prepare(
            "SELECT type, name FROM sqlite_master WHERE type IN ('index', 'trigger', 'view') AND name NOT LIKE 'sqlite_autoindex_labsync%' ORDER BY name",
          )
          .all(),
      ).toEqual([
        { type: 'index', name: 'IX_detalle_item' },
        { type: 'trigger', name: 'TR_detalle_auditoria' },
        { type: 'view', name: 'V_detalle' },
        { type: 'index', name: 'sqlite_autoindex_LAB_Temp_ResultadoDetalle_1' },
        { type: 'index', name: 'sqlite_autoindex_LAB_Temp_ResultadoEncabezado_1' },
      ])
      expect(file.prepare('SELECT COUNT(*) AS n FROM "V_detalle"').get()).toEqual({ n: 2 })
      expect(file.prepare('SELECT COUNT(*) AS n FROM "auditoria"').get()).toEqual({ n: 0 })
      // The primary key is back: a second row with the same key is refused.
      expect(() =>
        file.exec('INSERT INTO "LAB_Temp_ResultadoEncabezado" SELECT * FROM "LAB_Temp_ResultadoEncabezado"'),
      ).toThrow(/UNIQUE constraint failed/)
      expect((await runDoctor(doctorConfig())).filter((finding) => /STRICT/.test(finding.message))).toEqual([])
      // Running it again finds nothing to do.
      expect((await makeStrict(hospital)).rebuilt).toEqual([])

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

  it('stops at a row that does not fit, names it by its key, and changes nothing, the install included', async () => {
    const { hospital, file } = await looseHospital()
    try {
      file.exec(`UPDATE "LAB_Temp_ResultadoDetalle" SET "orden" = 'segundo' WHERE "idDetalleProtocolo" = 80`)
      file.exec('DROP TABLE "labsync_lock"')
      const before = snapshot(file)

      const failure = await failureOf(makeStrict(hospital))
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
      expect(snapshot(file)).toEqual(before)

      // A key that is not a number is named by its type alone: it may hold anything.
      file.exec(
        `UPDATE "LAB_Temp_ResultadoDetalle" SET "idProtocolo" = '30111222 PEREZ' WHERE "idDetalleProtocolo" = 80`,
      )
      const text = await failureOf(makeStrict(hospital))
      expect(text).toMatchObject({
        location: { key: { idProtocolo: '(a text value)', idEfector: 101, idDetalleProtocolo: 80 } },
      })
      expect((text as Error).message).not.toContain('PEREZ')
    } finally {
      file.close()
    }
  })

  it.each([
    [
      'a column of its own',
      'ALTER TABLE "LAB_Temp_ResultadoDetalle" ADD COLUMN "cargadoPor" TEXT DEFAULT \'sil\'',
      'it has columns labsync does not know (cargadoPor)',
    ],
    [
      'a foreign key of another table that the DROP would cascade along',
      'CREATE UNIQUE INDEX "UX_encabezado" ON "LAB_Temp_ResultadoEncabezado" ("idProtocolo", "idEfector"); CREATE TABLE "hijo" ("idProtocolo" INTEGER, "idEfector" INTEGER, FOREIGN KEY ("idProtocolo", "idEfector") REFERENCES "LAB_Temp_ResultadoEncabezado" ("idProtocolo", "idEfector") ON DELETE CASCADE); INSERT INTO "hijo" VALUES (7, 101)',
      'a foreign key of table hijo refers to it',
    ],
    [
      'a type and a constraint of its own',
      `ALTER TABLE "LAB_Temp_ResultadoDetalle" RENAME TO "viejo"; ${createTableSql(sqliteDialect, { name: 'LAB_Temp_ResultadoDetalle' }, { ...detailTable(LOCAL_DETAIL_TABLE), typed: false }).replace('"orden" INTEGER NOT NULL', '"orden" TEXT NOT NULL CHECK (length("orden") < 9)')}; INSERT INTO "LAB_Temp_ResultadoDetalle" SELECT * FROM "viejo"; DROP TABLE "viejo"`,
      'its definition differs from the one labsync creates',
    ],
    [
      "a generated column under one of labsync's names (which the install used to add again)",
      `ALTER TABLE "LAB_Temp_ResultadoDetalle" RENAME TO "viejo"; ${createTableSql(
        sqliteDialect,
        { name: 'LAB_Temp_ResultadoDetalle' },
        { ...detailTable(LOCAL_DETAIL_TABLE), typed: false },
      ).replace(
        '"resultado" TEXT NULL',
        '"resultado" TEXT GENERATED ALWAYS AS ("item") STORED',
      )}; INSERT INTO "LAB_Temp_ResultadoDetalle" (${withoutResultado}) SELECT ${withoutResultado} FROM "viejo"; DROP TABLE "viejo"`,
      'it has generated columns (resultado)',
    ],
  ])('refuses a table with %s, saying so, and changes nothing', async (_what, statements, reason) => {
    const { hospital, file } = await looseHospital()
    try {
      file.exec(statements)
      const before = snapshot(file)
      const failure = await failureOf(makeStrict(hospital))
      expect(failure).toMatchObject({ code: 'LABSYNC_DATABASE' })
      expect((failure as Error).message).toContain(`cannot be made STRICT by labsync, nothing was changed: ${reason}`)
      expect(snapshot(file)).toEqual(before)
      // doctor says why instead of pointing to --make-strict.
      const warnings = (await runDoctor(doctorConfig())).filter((finding) => /is not STRICT/.test(finding.message))
      expect(warnings.some((finding) => finding.fix?.includes(reason))).toBe(true)
      // The other table is held back by this one: --make-strict rebuilds both or neither.
      expect(warnings.map((finding) => finding.fix)).toContainEqual(
        expect.stringMatching(/^labsync efector install --make-strict, once table LAB_Temp_\w+ can be rebuilt too/),
      )
    } finally {
      file.close()
    }
  })

  it('is run by the command, which also prints the statements for the sqlite3 shell', async () => {
    const { hospital, file } = await looseHospital()
    try {
      const config = path.join(makeTempFolder('strict'), 'efector.yaml')
      writeFileSync(config, `efector:\n  id: 101\n  url: ${hospital.url}\nlog:\n  level: warn\n`)
      // An index of the hospital's whose SQL ends in a comment: the printed ; must not land inside it.
      file.exec('CREATE INDEX "IX_detalle_codigo" ON "LAB_Temp_ResultadoDetalle" ("codigo") -- de la guardia')
      file.exec('CREATE INDEX "IX_encabezado_nombre" ON "LAB_Temp_ResultadoEncabezado" ("nombre") /* sin cerrar')
      const printed = await run('node', [BIN, '--config', config, 'efector', 'install', '--make-strict', '--print'])
      expect(printed.stdout).toContain('("codigo") -- de la guardia\n;\n')
      expect(printed.stdout).toContain('("nombre") /* sin cerrar */\n;\n')
      expect(printed.stdout).toContain('\n.bail on\nBEGIN;\n')
      expect(printed.stdout).toMatch(
        /BEGIN;\nCREATE TABLE "LAB_Temp_ResultadoEncabezado_labsync_new" \([\s\S]*\) STRICT;\nINSERT INTO "LAB_Temp_ResultadoEncabezado_labsync_new" /,
      )
      expect(printed.stdout).toMatch(
        /DROP TABLE "LAB_Temp_ResultadoDetalle";\nPRAGMA legacy_alter_table = ON;\nALTER TABLE "LAB_Temp_ResultadoDetalle_labsync_new" RENAME TO "LAB_Temp_ResultadoDetalle";\nPRAGMA legacy_alter_table = OFF;\nCREATE INDEX "IX_detalle_codigo" [^\n]*\n;\nCREATE INDEX "IX_detalle_item" [^\n]*;\nCREATE TRIGGER "TR_detalle_auditoria" [^\n]*;\nCOMMIT;\n$/,
      )
      expect(tables(file)).toEqual([
        { name: 'LAB_Temp_ResultadoDetalle', strict: 0 },
        { name: 'LAB_Temp_ResultadoEncabezado', strict: 0 },
      ])

      // The printed script is valid SQL as it stands; here it runs but for the shell's .bail line.
      const script = printed.stdout.split('\n.bail on\n')[1]
      file.exec(script.replace(/COMMIT;\n$/, 'ROLLBACK;'))
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
