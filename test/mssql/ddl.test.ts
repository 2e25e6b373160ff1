import { afterEach, describe, expect, it } from 'vitest'
import { centralInstallScript, efectorInstallScript, addEfectorScript } from '../../src/central/install-script.js'
import { planCentralInstall } from '../../src/central/install-central.js'
import { planEfectorInstall } from '../../src/agent/install-efector.js'
import { main } from '../../src/cli/main.js'
import { mssqlDialect } from '../../src/db/dialects/mssql/mssql-dialect.js'
import { usingSession } from '../../src/db/session.js'
import { readStatusRow } from '../../src/status/status-store.js'
import { createTestDatabase, DIALECTS, type TestDatabase } from '../support/test-databases.js'

async function cli(args: string[]) {
  const lines: string[] = []
  const code = await main(['node', 'labsync', ...args], (line) => lines.push(line))
  return { code, text: lines.join('\n') }
}

describe('labsync sql --dialect mssql (the DDL a DBA runs by hand)', () => {
  it('guards every statement with OBJECT_ID, COL_LENGTH or sys.indexes, and ends each batch with GO', async () => {
    const { code, text } = await cli(['sql', 'install-central', '--dialect', 'mssql', '--schema', 'dbo'])
    expect(code).toBe(0)
    const batches = text
      .split('\nGO\n')
      .map((batch) => batch.trim())
      .filter(Boolean)
    expect(batches.length).toBe(centralInstallScript(mssqlDialect, 'dbo').length)
    for (const batch of batches)
      expect(batch).toMatch(/^IF (OBJECT_ID\(|COL_LENGTH\(|NOT EXISTS \(SELECT 1 FROM sys\.indexes )/)
    expect(batches[0]).toBe(
      `IF OBJECT_ID(N'[dbo].[LAB_EstadoSyncGeneral]', N'U') IS NULL
CREATE TABLE [dbo].[LAB_EstadoSyncGeneral] (
  [idEfector] int NOT NULL,
  [nombreEfector] varchar(100) NULL,
  [tablaEncabezado] varchar(100) NULL,
  [tablaDetalle] varchar(100) NULL,
  [ultimoUpdateEfectorInicio] datetime NULL,
  [ultimoUpdateEfectorFin] datetime NULL,
  [ultimoSyncFechaInicio] datetime NULL,
  [ultimoSyncFechaFin] datetime NULL,
  [ultimoSyncRegistrosEncabezado] int NULL,
  [ultimoSyncRegistrosDetalle] int NULL,
  [minutosMinimoSyncEfector] int NULL,
  [minutosMinimoSyncPrincipal] int NULL,
  [sensorPingPRTG] varchar(1001) NULL,
  [labsyncUploadSeq] int NULL,
  [labsyncUploadFin] datetime NULL,
  [labsyncImportedSeq] int NULL,
  [labsyncUploadOwner] varchar(200) NULL,
  [labsyncImportOwner] varchar(200) NULL,
  [labsyncUploadError] nvarchar(4000) NULL,
  [labsyncUploadErrorAt] datetime NULL,
  [labsyncUploadFailedInicio] datetime NULL,
  [labsyncImportError] nvarchar(4000) NULL,
  [labsyncImportErrorAt] datetime NULL,
  [labsyncImportFailures] int NULL,
  [labsyncImportRetryAfter] datetime NULL,
  CONSTRAINT [PK_LAB_EstadoSyncGeneral] PRIMARY KEY ([idEfector])
);`,
    )
    expect(text).toContain(
      `IF COL_LENGTH(N'[dbo].[LAB_EstadoSyncGeneral]', N'labsyncUploadSeq') IS NULL\n  ALTER TABLE [dbo].[LAB_EstadoSyncGeneral] ADD [labsyncUploadSeq] int NULL;\nGO`,
    )
    expect(text).toContain(`[cda] nvarchar(max) NULL`)
    expect(text).toContain(
      `IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE name = N'IX_labsync_run_efector' AND object_id = OBJECT_ID(N'[dbo].[labsync_run]'))\n  CREATE INDEX [IX_labsync_run_efector] ON [dbo].[labsync_run] ([idEfector], [startedAt]);`,
    )
    expect(text).toContain(`[id] int IDENTITY(1,1) NOT NULL PRIMARY KEY`)
  })

  it('registers a hospital with a status row inserted only when it has none, text as N literals', () => {
    const statements = addEfectorScript(
      mssqlDialect,
      { id: 101, name: 'Norte', displayName: "Hospital O'Higgins", minutesBetweenUploads: 10 },
      'dbo',
    )
    expect(statements.at(-1)).toBe(
      `INSERT INTO [dbo].[LAB_EstadoSyncGeneral] ([idEfector], [nombreEfector], [tablaEncabezado], [tablaDetalle], [minutosMinimoSyncEfector], [minutosMinimoSyncPrincipal])
SELECT 101, N'Hospital O''Higgins', N'LAB_Temp_NorteResultadoEncabezado', N'LAB_Temp_NorteResultadoDetalle', 10, 0
WHERE NOT EXISTS (SELECT 1 FROM [dbo].[LAB_EstadoSyncGeneral] WHERE [idEfector] = 101)`,
    )
    expect(statements[0]).toContain('[baja] bit DEFAULT 0 NOT NULL')
    expect(statements[0]).toMatch(
      /^IF OBJECT_ID\(N'\[dbo\]\.\[LAB_Temp_NorteResultadoEncabezado\]', N'U'\) IS NULL\nCREATE TABLE /,
    )
    expect(() => addEfectorScript(mssqlDialect, { id: 1, name: 'x]; DROP TABLE y' })).toThrow(/not a plain identifier/)
  })

  it('refuses an unknown dialect as a usage error', async () => {
    const { code } = await cli(['sql', 'install-efector', '--dialect', 'oracle'])
    expect(code).toBe(2)
  })
})

describe.each(DIALECTS)('labsync sql --dialect %s runs as printed, twice', (dialect) => {
  let db: TestDatabase | undefined
  afterEach(async () => {
    await db?.drop()
    db = undefined
  })

  it('creates what install would, and a second run changes nothing', async () => {
    db = await createTestDatabase(dialect, 'sqlscript')
    const script = [
      ...centralInstallScript(db.database.dialect),
      ...addEfectorScript(db.database.dialect, { id: 101, name: 'Norte', displayName: "Hospital O'Higgins" }),
      ...efectorInstallScript(db.database.dialect),
    ].filter((statement) => !statement.startsWith('--'))
    await usingSession(db.database, async (session) => {
      for (let round = 0; round < 2; round++) {
        for (const statement of script) await session.connection.execute({ sql: statement, parameters: [] })
      }
      const central = await planCentralInstall(session)
      expect(central.flatMap((plan) => plan.statements)).toEqual([])
      const local = await planEfectorInstall(session)
      expect(local.flatMap((plan) => plan.statements)).toEqual([])
      const row = await readStatusRow(session, { name: 'LAB_EstadoSyncGeneral' }, 101)
      expect(row).toMatchObject({
        nombreEfector: "Hospital O'Higgins",
        tablaEncabezado: 'LAB_Temp_NorteResultadoEncabezado',
      })
    })
  })
})
