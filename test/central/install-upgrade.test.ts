import { sql } from 'kysely'
import { afterEach, describe, expect, it } from 'vitest'
import { addEfector, installCentral } from '../../src/central/install-central.js'
import { listColumns } from '../../src/db/catalog.js'
import { createTableSql } from '../../src/db/schema-plan.js'
import { usingSession } from '../../src/db/session.js'
import { headerTable, LATER_HEADER_COLUMNS } from '../../src/db/tables/staging-tables.js'
import { LABSYNC_STATUS_COLUMNS, LEGACY_STATUS_COLUMNS, STATUS_TABLE } from '../../src/db/tables/status-table.js'
import { createTestDatabase, DIALECTS, type TestDatabase } from '../support/test-databases.js'

describe.each(DIALECTS)('central install over a legacy deployment on %s', (dialect) => {
  let central: TestDatabase
  afterEach(async () => central?.drop())

  it("adds labsync's status columns and the staging columns older hospitals lack, as nullable, keeping every row", async () => {
    central = await createTestDatabase(dialect, 'legacy')
    const legacyHeader = headerTable('LAB_Temp_ViejoResultadoEncabezado')
    await usingSession(central.database, async (session) => {
      // The tables as the stored-procedure deployments have them.
      const legacyStatus = { ...STATUS_TABLE, columns: LEGACY_STATUS_COLUMNS }
      const oldHeader = {
        ...legacyHeader,
        columns: legacyHeader.columns.filter(
          (column) => !(LATER_HEADER_COLUMNS as readonly string[]).includes(column.name),
        ),
      }
      for (const spec of [legacyStatus, oldHeader]) {
        await session.connection.execute({
          sql: createTableSql(session.dialect, { name: spec.name }, spec),
          parameters: [],
        })
      }
      await session.db
        .insertInto('LAB_EstadoSyncGeneral')
        .values({
          idEfector: 7,
          nombreEfector: 'Hospital Viejo',
          tablaEncabezado: 'LAB_Temp_ViejoResultadoEncabezado',
          tablaDetalle: 'LAB_Temp_ViejoResultadoDetalle',
          ultimoUpdateEfectorInicio: '2001-01-01 00:00:00.000',
          minutosMinimoSyncEfector: 15,
        })
        .execute()
      await session.run(
        sql`INSERT INTO "LAB_Temp_ViejoResultadoEncabezado" ("idProtocolo", "idEfector", "apellido", "nombre", "edad", "sexo", "numeroDocumento", "fecha1", "HC", "prioridad", "origen", "sector", "sala", "cama", "embarazo", "EfectorSolicitante", "baja")
          VALUES (1, 7, 'Sosa', 'Ana', 30, 'F', 30111222, '2026-11-20 08:00:00.000', 12, 'Rutina', 'Guardia', 'Clínica', '', '', '', 'Hospital Viejo', ${session.dialect.bit(false)})`,
      )

      const plans = await installCentral(session)
      const statusPlan = plans.find((plan) => plan.table.name === 'LAB_EstadoSyncGeneral')!
      expect(statusPlan.exists).toBe(true)
      expect(statusPlan.statements).toHaveLength(LABSYNC_STATUS_COLUMNS.length)

      const status = await listColumns(session, { name: 'LAB_EstadoSyncGeneral' })
      for (const column of LABSYNC_STATUS_COLUMNS) {
        expect(status.find((existing) => existing.name === column.name)).toMatchObject({ nullable: true })
      }
      const header = await listColumns(session, { name: 'LAB_Temp_ViejoResultadoEncabezado' })
      for (const name of LATER_HEADER_COLUMNS) {
        expect(header.find((existing) => existing.name === name)).toMatchObject({ nullable: true })
      }
      const [row] = await session.db.selectFrom('LAB_EstadoSyncGeneral').selectAll().execute()
      expect(row).toMatchObject({
        idEfector: 7,
        nombreEfector: 'Hospital Viejo',
        minutosMinimoSyncEfector: 15,
        labsyncUploadSeq: null,
      })
      const staged = await session.db.selectFrom('LAB_Temp_ViejoResultadoEncabezado').selectAll().execute()
      expect(staged).toMatchObject([{ idProtocolo: 1, apellido: 'Sosa', idLocalidad: null, telefonoCelular: null }])

      // A second install has nothing left to do.
      expect((await installCentral(session)).flatMap((plan) => plan.statements)).toEqual([])
    })
  })

  it('registers a hospital with the minutes given', async () => {
    central = await createTestDatabase(dialect, 'minutes')
    await usingSession(central.database, async (session) => {
      await installCentral(session)
      await addEfector(session, { id: 9, name: 'Nueve', minutesBetweenUploads: 10, minutesBetweenImports: 20 })
      const [row] = await session.db.selectFrom('LAB_EstadoSyncGeneral').selectAll().execute()
      expect(row).toMatchObject({
        idEfector: 9,
        tablaEncabezado: 'LAB_Temp_NueveResultadoEncabezado',
        tablaDetalle: 'LAB_Temp_NueveResultadoDetalle',
        minutosMinimoSyncEfector: 10,
        minutosMinimoSyncPrincipal: 20,
      })
    })
  })
})
