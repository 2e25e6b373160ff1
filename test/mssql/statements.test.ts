import { sql } from 'kysely'
import { BulkLoad } from 'tedious'
import { describe, expect, it } from 'vitest'
import { runExportProcedure, parseProcedureName } from '../../src/agent/export/procedure-export.js'
import { LocalRunLog, readLegacyConfig } from '../../src/agent/local-status.js'
import { uploadStaging } from '../../src/agent/upload.js'
import { mergeStaging } from '../../src/central/merge-staging.js'
import { BULK_LOAD_OPTIONS, declareBulkColumns } from '../../src/db/dialects/mssql/mssql-bulk-load.js'
import { mssqlDialect } from '../../src/db/dialects/mssql/mssql-dialect.js'
import { DETAIL_COLUMNS, HEADER_COLUMNS } from '../../src/db/tables/staging-tables.js'
import { listRuns, readLatestPass, readRuns } from '../../src/history/run-history.js'
import * as store from '../../src/status/status-store.js'
import { detail, detailRow, header, headerRow } from '../support/staging-fixtures.js'
import { oneLine, recordingSession } from './support/sql-recorder.js'

/**
 * The T-SQL labsync sends to SQL Server, compiled by the real code paths
 * over a recorder of generated SQL (see support/sql-recorder.ts: it stands
 * for no database; SQL Server cannot run here). Each test asserts on the
 * exact statement text and its parameters.
 */

const STATUS = { schema: 'dbo', name: 'LAB_EstadoSyncGeneral' }
const NOW = '2026-11-20 08:15:30.123'

const NOT_UPLOADING = `("ultimoUpdateEfectorInicio" IS NULL OR "ultimoUpdateEfectorFin" IS NOT NULL)`
const NOT_IMPORTING = `("ultimoSyncFechaInicio" IS NULL OR "ultimoSyncFechaFin" IS NOT NULL)`
const ago = (placeholder: string) => `DATEADD(second, CAST(-60 * (${placeholder}) AS int), GETDATE())`
const STALE_IMPORT = (p: string) =>
  `(("ultimoSyncFechaInicio" IS NOT NULL AND "ultimoSyncFechaFin" IS NULL) AND "ultimoSyncFechaInicio" < ${ago(p)})`
const PENDING =
  `((("labsyncUploadSeq" IS NOT NULL AND "labsyncUploadFin" IS NOT NULL AND "ultimoUpdateEfectorFin" IS NOT NULL AND "labsyncUploadFin" = "ultimoUpdateEfectorFin") AND "labsyncUploadSeq" <> COALESCE("labsyncImportedSeq", -1))` +
  ` OR (("labsyncUploadSeq" IS NULL OR "labsyncUploadFin" IS NULL OR "ultimoUpdateEfectorFin" IS NULL OR "labsyncUploadFin" <> "ultimoUpdateEfectorFin") AND "ultimoUpdateEfectorFin" IS NOT NULL AND ("ultimoSyncFechaInicio" IS NULL OR "ultimoSyncFechaInicio" < "ultimoUpdateEfectorFin")))`
const IMPORT_CLAIMABLE = (p: [string, string, string]) =>
  `${NOT_UPLOADING} AND (${NOT_IMPORTING} OR ${STALE_IMPORT(p[0])}) AND (${STALE_IMPORT(p[1])} OR ${PENDING})` +
  ` AND (${STALE_IMPORT(p[2])} OR COALESCE("minutosMinimoSyncPrincipal", 0) <= 0 OR "ultimoSyncFechaInicio" IS NULL OR "ultimoSyncFechaInicio" <= ${ago('COALESCE("minutosMinimoSyncPrincipal", 0)')})` +
  ` AND ("labsyncImportRetryAfter" IS NULL OR "labsyncImportRetryAfter" <= GETDATE())`

describe('claims on LAB_EstadoSyncGeneral (T-SQL)', () => {
  it('claims an upload with one conditional UPDATE whose row count is the answer', async () => {
    const { session, recorder } = recordingSession()
    await store.claimUpload(session, STATUS, 101, 'host:42:run1', 60)
    const failed = `(("ultimoUpdateEfectorInicio" IS NOT NULL AND "ultimoUpdateEfectorFin" IS NULL) AND "labsyncUploadFailedInicio" IS NOT NULL AND "labsyncUploadFailedInicio" = "ultimoUpdateEfectorInicio")`
    expect(recorder.statements).toHaveLength(1)
    expect(oneLine(recorder.statements[0].sql)).toBe(
      `update "dbo"."LAB_EstadoSyncGeneral" set "ultimoUpdateEfectorInicio" = GETDATE(), "ultimoUpdateEfectorFin" = @1, "labsyncUploadOwner" = @2, "labsyncUploadFailedInicio" = @3` +
        ` where "idEfector" = @4 and (${NOT_IMPORTING} OR ${STALE_IMPORT('@5')})` +
        ` AND (${NOT_UPLOADING} OR (("ultimoUpdateEfectorInicio" IS NOT NULL AND "ultimoUpdateEfectorFin" IS NULL) AND "ultimoUpdateEfectorInicio" < ${ago('@6')}) OR ${failed})` +
        ` AND (${failed} OR COALESCE("minutosMinimoSyncEfector", 0) <= 0 OR "ultimoUpdateEfectorInicio" IS NULL OR "ultimoUpdateEfectorInicio" <= ${ago('COALESCE("minutosMinimoSyncEfector", 0)')})`,
    )
    expect(recorder.statements[0].parameters).toEqual([null, 'host:42:run1', null, 101, 60, 60])
  })

  it('claims an import with one conditional UPDATE', async () => {
    const { session, recorder } = recordingSession()
    await store.claimImport(session, STATUS, 101, 'host:42:run1', 30)
    expect(oneLine(recorder.statements[0].sql)).toBe(
      `update "dbo"."LAB_EstadoSyncGeneral" set "ultimoSyncFechaInicio" = GETDATE(), "ultimoSyncFechaFin" = @1, "labsyncImportOwner" = @2` +
        ` where "idEfector" = @3 and ${IMPORT_CLAIMABLE(['@4', '@5', '@6'])}`,
    )
    expect(recorder.statements[0].parameters).toEqual([null, 'host:42:run1', 101, 30, 30, 30])
  })

  it('reads the central clock with GETDATE() and writes the end mark only for the claim holder', async () => {
    const { session, recorder } = recordingSession()
    recorder.reply(/AS now/, { rows: [{ now: NOW }] })
    await store.markUploadCommitted(session, STATUS, 101, 'owner-1', { headers: 3, details: 5 })
    expect(recorder.statements.map((statement) => oneLine(statement.sql))).toEqual([
      'SELECT GETDATE() AS now',
      `update "dbo"."LAB_EstadoSyncGeneral" set "ultimoUpdateEfectorFin" = @1, "ultimoSyncRegistrosEncabezado" = @2, "ultimoSyncRegistrosDetalle" = @3,` +
        ` "labsyncUploadSeq" = COALESCE("labsyncUploadSeq", 0) + 1, "labsyncUploadFin" = @4, "labsyncUploadOwner" = @5, "labsyncUploadError" = @6, "labsyncUploadErrorAt" = @7,` +
        ` "labsyncImportRetryAfter" = @8` +
        ` where "idEfector" = @9 and "labsyncUploadOwner" = @10 and "ultimoUpdateEfectorFin" is null`,
    ])
    expect(recorder.statements[1].parameters).toEqual([NOW, 3, 5, NOW, null, null, null, null, 101, 'owner-1'])
  })

  it('commits and releases an import with GETDATE() and DATEADD for the retry time', async () => {
    const { session, recorder } = recordingSession()
    await store.markImportCommitted(session, STATUS, 101, 'owner-1', { headers: 3, details: 5 }, null)
    const previous = {
      idEfector: 101,
      ultimoSyncFechaInicio: '2026-11-19 10:00:00.000',
      ultimoSyncFechaFin: '2026-11-19 10:01:00.000',
    }
    await store.markImportFailed(session, STATUS, previous as never, 'owner-1', 'merge failed', 5)
    expect(oneLine(recorder.statements[0].sql)).toBe(
      `update "dbo"."LAB_EstadoSyncGeneral" set "ultimoSyncFechaFin" = GETDATE(), "ultimoSyncRegistrosEncabezado" = @1, "ultimoSyncRegistrosDetalle" = @2,` +
        ` "labsyncImportedSeq" = "labsyncUploadSeq", "labsyncImportOwner" = @3, "labsyncImportError" = @4, "labsyncImportErrorAt" = @5, "labsyncImportFailures" = @6, "labsyncImportRetryAfter" = @7` +
        ` where "idEfector" = @8 and "labsyncImportOwner" = @9 and "ultimoSyncFechaFin" is null`,
    )
    expect(recorder.statements[0].parameters).toEqual([3, 5, null, null, null, 0, null, 101, 'owner-1'])
    expect(oneLine(recorder.statements[1].sql)).toBe(
      `update "dbo"."LAB_EstadoSyncGeneral" set "ultimoSyncFechaInicio" = @1, "ultimoSyncFechaFin" = @2, "labsyncImportOwner" = @3, "labsyncImportError" = @4,` +
        ` "labsyncImportErrorAt" = GETDATE(), "labsyncImportFailures" = COALESCE("labsyncImportFailures", 0) + 1,` +
        ` "labsyncImportRetryAfter" = DATEADD(second, CAST(60 * (@5) AS int), GETDATE()) where "idEfector" = @6 and "labsyncImportOwner" = @7`,
    )
    expect(recorder.statements[1].parameters).toEqual([
      '2026-11-19 10:00:00.000',
      '2026-11-19 10:01:00.000',
      null,
      'merge failed',
      5,
      101,
      'owner-1',
    ])
  })
})

describe('the importer candidate scan (T-SQL)', () => {
  it('reads the status table WITH (READPAST), so a row another importer holds is skipped, not waited for', async () => {
    const { session, recorder } = recordingSession()
    await store.listImportCandidates(session, STATUS, 60)
    expect(oneLine(recorder.statements[0].sql)).toBe(
      `select * from (SELECT * FROM [dbo].[LAB_EstadoSyncGeneral] WITH (READPAST)) as "candidates" where ${IMPORT_CLAIMABLE(['@1', '@2', '@3'])}` +
        ` order by CASE WHEN "ultimoSyncFechaInicio" IS NULL THEN 0 ELSE 1 END, "ultimoSyncFechaInicio", "idEfector"`,
    )
    expect(recorder.statements[0].parameters).toEqual([60, 60, 60])
  })
})

describe('the staging replacement (T-SQL and bulk load)', () => {
  it('empties with DELETE, bulk-loads and writes the end mark in one transaction', async () => {
    const { session, recorder } = recordingSession()
    recorder.reply(/AS now/, { rows: [{ now: NOW }] })
    const target = {
      idEfector: 101,
      owner: 'owner-1',
      status: STATUS,
      header: { schema: 'dbo', name: 'LAB_Temp_NorteResultadoEncabezado' },
      detail: { schema: 'dbo', name: 'LAB_Temp_NorteResultadoDetalle' },
    }
    async function* once<T>(value: T) {
      yield value
    }
    const headers = [
      headerRow(header({ idProtocolo: 1, idEfector: 101, apellido: 'Ñandú', fecha1: '2026-11-20 08:15:30.123' })),
    ]
    const details = [detailRow(detail({ idProtocolo: 1, idEfector: 101, idDetalleProtocolo: -3 }))]
    await uploadStaging(session, target, { headers: once(headers), details: once(details) })

    expect(recorder.log.map(oneLine)).toEqual([
      'BEGIN TRANSACTION',
      'DELETE FROM [dbo].[LAB_Temp_NorteResultadoEncabezado]',
      'DELETE FROM [dbo].[LAB_Temp_NorteResultadoDetalle]',
      'BULK dbo.LAB_Temp_NorteResultadoEncabezado',
      'BULK dbo.LAB_Temp_NorteResultadoDetalle',
      'SELECT GETDATE() AS now',
      expect.stringMatching(/^update "dbo"\."LAB_EstadoSyncGeneral" set "ultimoUpdateEfectorFin" = @1/),
      'COMMIT',
    ])
    expect(recorder.bulkLoads[0].columns).toEqual(HEADER_COLUMNS.map((column) => column.name))
    expect(recorder.bulkLoads[0].rows[0][HEADER_COLUMNS.findIndex((column) => column.name === 'apellido')]).toBe(
      'Ñandú',
    )
  })

  it('declares the bulk load as INSERT BULK with the staging types, KEEP_NULLS, constraints and triggers', () => {
    const statementOf = (table: string, columns: typeof HEADER_COLUMNS) => {
      const bulk = new BulkLoad(
        table,
        undefined,
        { tdsVersion: '7_4', validateBulkLoadParameters: true } as never,
        BULK_LOAD_OPTIONS,
        () => {},
      )
      declareBulkColumns(bulk, columns)
      return bulk.getBulkInsertSql()
    }
    expect(
      statementOf(mssqlDialect.qualify({ schema: 'dbo', name: 'LAB_Temp_NorteResultadoDetalle' }), DETAIL_COLUMNS),
    ).toBe(
      'insert bulk [dbo].[LAB_Temp_NorteResultadoDetalle]([idProtocolo] int, [idEfector] int, [idDetalleProtocolo] int, [codigoNomenclador] varchar(50),' +
        ' [codigo] nvarchar(50), [ordenArea] int, [orden] int, [area] nvarchar(50), [grupo] nvarchar(500), [item] nvarchar(500), [observaciones] nvarchar(500),' +
        ' [esTitulo] varchar(2), [derivado] nvarchar(100), [unidad] nvarchar(500), [hiv] bit, [metodo] nvarchar(500), [valorReferencia] nvarchar(500),' +
        ' [orden1] int, [muestra] nvarchar(2), [conresultado] int, [resultado] nvarchar(4000), [codigo2] nvarchar(50), [profesional_val] nvarchar(500))' +
        ' WITH (CHECK_CONSTRAINTS,FIRE_TRIGGERS,KEEP_NULLS)',
    )
    const headerSql = statementOf('[dbo].[LAB_Temp_NorteResultadoEncabezado]', HEADER_COLUMNS)
    expect(headerSql).toContain('[fecha1] datetime, ')
    expect(headerSql).toContain('[apellido] nvarchar(100), ')
    expect(headerSql).toContain('[unidadEdad] varchar(5), ')
    expect(headerSql).toContain('[baja] bit, ')
  })
})

describe('the merge (T-SQL)', () => {
  it('compiles upsertFromSelect to one MERGE that skips equal rows and resets cda', () => {
    const { session } = recordingSession()
    const statement = mssqlDialect
      .upsertFromSelect({
        target: { schema: 'dbo', name: 'LAB_ResultadoEncabezado' },
        columns: ['idProtocolo', 'idEfector', 'apellido', 'cda'],
        key: ['idProtocolo', 'idEfector'],
        select: sql`SELECT ${sql.ref('idProtocolo')}, ${sql.ref('idEfector')}, ${sql.ref('apellido')}, NULL AS ${sql.ref('cda')} FROM [dbo].[S] WHERE ${sql.ref('idEfector')} = ${101}`,
        resetOnReplace: { cda: sql`NULL` },
      })
      .compile(session.db)
    expect(statement.sql).toBe(
      `MERGE INTO [dbo].[LAB_ResultadoEncabezado] WITH (HOLDLOCK) AS [t]
USING (
SELECT "idProtocolo", "idEfector", "apellido", NULL AS "cda" FROM [dbo].[S] WHERE "idEfector" = @1
) AS [s] ([idProtocolo], [idEfector], [apellido], [cda])
ON [t].[idProtocolo] = [s].[idProtocolo] AND [t].[idEfector] = [s].[idEfector]
WHEN MATCHED AND ((CAST([t].[apellido] AS varbinary(max)) <> CAST([s].[apellido] AS varbinary(max)) OR ([t].[apellido] IS NULL AND [s].[apellido] IS NOT NULL) OR ([t].[apellido] IS NOT NULL AND [s].[apellido] IS NULL))) THEN
  UPDATE SET [apellido] = [s].[apellido], [cda] = NULL
WHEN NOT MATCHED BY TARGET THEN
  INSERT ([idProtocolo], [idEfector], [apellido], [cda]) VALUES ([s].[idProtocolo], [s].[idEfector], [s].[apellido], [s].[cda]);`,
    )
    expect(statement.parameters).toEqual([101])
  })

  it('runs the hospital merge as the counts, foreign keys sampled with TOP, DELETEs of annulled protocols and two MERGEs', async () => {
    const { session, recorder } = recordingSession()
    recorder.reply(/AS "own"/, { rows: [{ own: 1, others: 2 }] })
    recorder.reply(/AS "imported"/, { rows: [{ imported: 1, orphans: 0, others: 2 }] })
    // The hospital already has central rows: the merge replaces them (its first import inserts plainly, below).
    recorder.reply(/AS present$/, { rows: [{ present: 1 }] })
    const tables = {
      stagingHeader: { schema: 'dbo', name: 'LAB_Temp_NorteResultadoEncabezado' },
      stagingDetail: { schema: 'dbo', name: 'LAB_Temp_NorteResultadoDetalle' },
      centralHeader: { schema: 'dbo', name: 'LAB_ResultadoEncabezado' },
      centralDetail: { schema: 'dbo', name: 'LAB_ResultadoDetalle' },
    }
    const merge = await mergeStaging(session, 101, tables)
    expect(merge).toMatchObject({ stagedHeaders: 1, importedDetails: 1, orphanDetails: 0, foreignHeaders: 2 })
    const texts = recorder.statements.map((statement) => oneLine(statement.sql))
    expect(texts[0]).toBe(
      'SELECT SUM(CASE WHEN "idEfector" = @1 THEN 1 ELSE 0 END) AS "own", SUM(CASE WHEN "idEfector" <> @2 THEN 1 ELSE 0 END) AS "others" FROM [dbo].[LAB_Temp_NorteResultadoEncabezado]',
    )
    expect(texts[1]).toBe(
      'SELECT SUM(CASE WHEN d."idEfector" = @1 AND h."baja" = 0 THEN 1 ELSE 0 END) AS "imported",' +
        ' SUM(CASE WHEN d."idEfector" = @2 AND h."idProtocolo" IS NULL THEN 1 ELSE 0 END) AS "orphans",' +
        ' SUM(CASE WHEN d."idEfector" <> @3 THEN 1 ELSE 0 END) AS "others"' +
        ' FROM [dbo].[LAB_Temp_NorteResultadoDetalle] d LEFT JOIN [dbo].[LAB_Temp_NorteResultadoEncabezado] h' +
        ' ON h."idEfector" = d."idEfector" AND h."idProtocolo" = d."idProtocolo"',
    )
    expect(texts[2]).toBe(
      'select top(10) "idProtocolo", "idEfector" from "dbo"."LAB_Temp_NorteResultadoEncabezado" where "idEfector" <> @1 order by "idProtocolo", "idEfector"',
    )
    expect(texts[3]).toBe(
      'select top(10) "idProtocolo", "idEfector", "idDetalleProtocolo" from "dbo"."LAB_Temp_NorteResultadoDetalle" where "idEfector" <> @1 order by "idProtocolo", "idEfector", "idDetalleProtocolo"',
    )
    expect(texts[4]).toBe(
      'DELETE FROM [dbo].[LAB_ResultadoDetalle] WHERE "idEfector" = @1 AND "idProtocolo" IN (SELECT "idProtocolo" FROM [dbo].[LAB_Temp_NorteResultadoEncabezado] WHERE "idEfector" = @2 AND "baja" = 1)',
    )
    expect(texts[5]).toBe(
      'DELETE FROM [dbo].[LAB_ResultadoEncabezado] WHERE "idEfector" = @1 AND "idProtocolo" IN (SELECT "idProtocolo" FROM [dbo].[LAB_Temp_NorteResultadoEncabezado] WHERE "idEfector" = @2 AND "baja" = 1)',
    )
    expect(texts[6]).toBe(
      'SELECT CASE WHEN EXISTS (SELECT 1 FROM [dbo].[LAB_ResultadoEncabezado] WHERE "idEfector" = @1) OR EXISTS (SELECT 1 FROM [dbo].[LAB_ResultadoDetalle] WHERE "idEfector" = @2) THEN 1 ELSE 0 END AS present',
    )
    const headerMerge = texts[7]
    expect(
      headerMerge.startsWith(
        'MERGE INTO [dbo].[LAB_ResultadoEncabezado] WITH (HOLDLOCK) AS [t] USING ( SELECT "idProtocolo", "idEfector", "apellido",',
      ),
    ).toBe(true)
    expect(headerMerge).toContain(
      'NULL AS "cda" FROM [dbo].[LAB_Temp_NorteResultadoEncabezado] WHERE "idEfector" = @1 AND "baja" = 0 ) AS [s] (',
    )
    expect(headerMerge).toContain(
      ' ON [t].[idProtocolo] = [s].[idProtocolo] AND [t].[idEfector] = [s].[idEfector] WHEN MATCHED AND (',
    )
    // Every replaced column but cda is compared; no key column is.
    expect(headerMerge.match(/CAST\(\[t\]\.\[(\w+)\] AS varbinary\(max\)\)/g)).toHaveLength(29)
    expect(headerMerge).not.toContain('CAST([t].[cda]')
    expect(headerMerge).not.toContain('CAST([t].[idProtocolo]')
    expect(headerMerge).toContain(
      '[telefonoCelular] = [s].[telefonoCelular], [cda] = NULL WHEN NOT MATCHED BY TARGET THEN INSERT (',
    )
    expect(headerMerge.endsWith('[s].[telefonoCelular], [s].[cda]);')).toBe(true)
    expect(recorder.statements[7].parameters).toEqual([101])

    const detailMerge = texts[8]
    expect(detailMerge).toContain(
      'FROM [dbo].[LAB_Temp_NorteResultadoDetalle] d WHERE d."idEfector" = @1 AND EXISTS (SELECT 1 FROM [dbo].[LAB_Temp_NorteResultadoEncabezado] h' +
        ' WHERE h."idEfector" = d."idEfector" AND h."idProtocolo" = d."idProtocolo" AND h."baja" = 0) ) AS [s] (',
    )
    expect(detailMerge).toContain(
      'ON [t].[idProtocolo] = [s].[idProtocolo] AND [t].[idEfector] = [s].[idEfector] AND [t].[idDetalleProtocolo] = [s].[idDetalleProtocolo] WHEN MATCHED AND (',
    )
    expect(detailMerge.match(/CAST\(\[t\]\.\[(\w+)\] AS varbinary\(max\)\)/g)).toHaveLength(20)
    expect(texts).toHaveLength(9)
  })

  it("inserts a hospital's first import plainly, without MERGE", async () => {
    const { session, recorder } = recordingSession()
    recorder.reply(/AS "own"/, { rows: [{ own: 1, others: 0 }] })
    recorder.reply(/AS "imported"/, { rows: [{ imported: 1, orphans: 0, others: 0 }] })
    recorder.reply(/AS present$/, { rows: [{ present: 0 }] })
    await mergeStaging(session, 101, {
      stagingHeader: { schema: 'dbo', name: 'LAB_Temp_NorteResultadoEncabezado' },
      stagingDetail: { schema: 'dbo', name: 'LAB_Temp_NorteResultadoDetalle' },
      centralHeader: { schema: 'dbo', name: 'LAB_ResultadoEncabezado' },
      centralDetail: { schema: 'dbo', name: 'LAB_ResultadoDetalle' },
    })
    const texts = recorder.statements.map((statement) => oneLine(statement.sql))
    const inserts = texts.filter((text) => text.startsWith('INSERT INTO'))
    expect(inserts.map((text) => text.split(' (')[0])).toEqual([
      'INSERT INTO [dbo].[LAB_ResultadoEncabezado]',
      'INSERT INTO [dbo].[LAB_ResultadoDetalle]',
    ])
    expect(texts.some((text) => text.startsWith('MERGE'))).toBe(false)
  })
  it('merges a hospital its status row shows imported before without looking for its central rows first', async () => {
    const { session, recorder } = recordingSession()
    recorder.reply(/AS "own"/, { rows: [{ own: 1, others: 0 }] })
    recorder.reply(/AS "imported"/, { rows: [{ imported: 1, orphans: 0, others: 0 }] })
    recorder.reply(/AS present$/, { rows: [{ present: 0 }] })
    await mergeStaging(
      session,
      101,
      {
        stagingHeader: { schema: 'dbo', name: 'LAB_Temp_NorteResultadoEncabezado' },
        stagingDetail: { schema: 'dbo', name: 'LAB_Temp_NorteResultadoDetalle' },
        centralHeader: { schema: 'dbo', name: 'LAB_ResultadoEncabezado' },
        centralDetail: { schema: 'dbo', name: 'LAB_ResultadoDetalle' },
      },
      { importedBefore: true },
    )
    const texts = recorder.statements.map((statement) => oneLine(statement.sql))
    expect(texts.some((text) => text.endsWith('AS present'))).toBe(false)
    expect(texts.filter((text) => text.startsWith('MERGE INTO')).map((text) => text.split(' WITH')[0])).toEqual([
      'MERGE INTO [dbo].[LAB_ResultadoEncabezado]',
      'MERGE INTO [dbo].[LAB_ResultadoDetalle]',
    ])
  })
})

describe('other statements that differ in T-SQL', () => {
  it('inserts the local run row with OUTPUT inserted.id and reads LAB_SyncConfig', async () => {
    const { session, recorder } = recordingSession()
    recorder.reply(/INFORMATION_SCHEMA\.TABLES/, { rows: [{ name: 'LAB_SyncStatus' }, { name: 'LAB_SyncConfig' }] })
    recorder.reply(/output "inserted"/, { rows: [{ id: 7 }] })
    recorder.reply(/FROM \[LAB_SyncConfig\]/, { rows: [{ idEfector: 101, diasASincronizar: 3 }] })
    const log = await LocalRunLog.start(session)
    expect(log.id).toBe(7)
    expect(await readLegacyConfig(session)).toEqual({ idEfector: 101, diasASincronizar: 3 })
    expect(recorder.statements.map((statement) => oneLine(statement.sql))).toEqual([
      "SELECT TABLE_NAME AS name FROM INFORMATION_SCHEMA.TABLES WHERE TABLE_TYPE = 'BASE TABLE' AND TABLE_SCHEMA = SCHEMA_NAME()",
      'insert into "LAB_SyncStatus" ("fechaInicio") output "inserted"."id" values (GETDATE())',
      "SELECT TABLE_NAME AS name FROM INFORMATION_SCHEMA.TABLES WHERE TABLE_TYPE = 'BASE TABLE' AND TABLE_SCHEMA = SCHEMA_NAME()",
      'SELECT "idEfector", "diasASincronizar" FROM [LAB_SyncConfig]',
    ])
  })

  it('qualifies every name with the URL schema when one is given', async () => {
    const { session, recorder } = recordingSession('lab')
    await store.readStatusRow(session, { name: 'LAB_EstadoSyncGeneral' }, 101)
    await session.run(session.dialect.listTables(undefined))
    expect(recorder.statements.map((statement) => oneLine(statement.sql))).toEqual([
      'select * from "lab"."LAB_EstadoSyncGeneral" where "idEfector" = @1',
      "SELECT TABLE_NAME AS name FROM INFORMATION_SCHEMA.TABLES WHERE TABLE_TYPE = 'BASE TABLE' AND TABLE_SCHEMA = @1",
    ])
    expect(recorder.statements[1].parameters).toEqual(['lab'])
    expect(session.dialect.qualify({ name: 'LAB_SyncStatus' })).toBe('[lab].[LAB_SyncStatus]')
  })

  it('keeps the run history to its newest rows with TOP', async () => {
    const { session, recorder } = recordingSession()
    await listRuns(session, { schema: 'dbo', name: 'labsync_run' }, { idEfector: 101, limit: 5 })
    expect(recorder.statements[0].sql).toBe(
      'select top(5) * from "dbo"."labsync_run" where "idEfector" = @1 order by "id" desc',
    )
    expect(recorder.statements[0].parameters).toEqual([101])
  })
})

describe('the export procedure call (T-SQL)', () => {
  it('runs the configured procedure in one transaction and reads its return status', async () => {
    const { session, recorder } = recordingSession()
    recorder.reply(/returnStatus/, { rows: [{ returnStatus: 0 }] })
    await runExportProcedure(session, 'dbo.LAB_ExportaResultadosValidados', 101)
    expect(recorder.statements).toEqual([
      { sql: 'BEGIN TRANSACTION', parameters: [] },
      {
        sql: 'DECLARE @labsync_status int;\nEXEC @labsync_status = [dbo].[LAB_ExportaResultadosValidados];\nSELECT @labsync_status AS [returnStatus];',
        parameters: [],
      },
      { sql: 'COMMIT', parameters: [] },
    ])
  })

  it('fails the export and rolls back on a non-zero return status', async () => {
    const { session, recorder } = recordingSession()
    recorder.reply(/returnStatus/, { rows: [{ returnStatus: 3 }] })
    await expect(runExportProcedure(session, 'LAB_ExportaV2', 101)).rejects.toMatchObject({
      code: 'LABSYNC_EXPORT',
      message: 'procedure LAB_ExportaV2 returned status 3 (efector 101)',
    })
    expect(recorder.log).toEqual([
      'BEGIN TRANSACTION',
      'DECLARE @labsync_status int;\nEXEC @labsync_status = [LAB_ExportaV2];\nSELECT @labsync_status AS [returnStatus];',
      'ROLLBACK',
    ])
  })

  it('refuses a procedure name that is not an identifier before any SQL', async () => {
    const { session, recorder } = recordingSession()
    await expect(runExportProcedure(session, 'LAB_X; DROP TABLE T', 101)).rejects.toMatchObject({
      code: 'LABSYNC_IDENTIFIER',
    })
    expect(() => parseProcedureName('a.b.c')).toThrow(/not a plain identifier/)
    expect(parseProcedureName('lab.LAB_Exporta')).toEqual({ schema: 'lab', name: 'LAB_Exporta' })
    expect(recorder.statements).toEqual([])
  })
})

describe('run history reads (T-SQL)', () => {
  it('takes the newest runs and the latest pass with TOP, not LIMIT', async () => {
    const { session, recorder } = recordingSession()
    await readRuns(
      session,
      { schema: 'dbo', name: 'labsync_run' },
      { idEfector: 101, since: '2026-11-19 00:00:00.000', limit: 20 },
    )
    await readLatestPass(session, { schema: 'dbo', name: 'labsync_run' })
    expect(recorder.statements[0]).toEqual({
      sql: 'select top(20) * from "dbo"."labsync_run" where "idEfector" = @1 and "startedAt" >= @2 order by "id" desc',
      parameters: [101, '2026-11-19 00:00:00.000'],
    })
    expect(recorder.statements[1]).toEqual({
      sql: 'select top(1) "owner" from "dbo"."labsync_run" where "kind" = @1 and "owner" is not null order by "id" desc',
      parameters: ['import'],
    })
  })
})
