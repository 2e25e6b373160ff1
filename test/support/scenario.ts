import { sql } from 'kysely'
import { runEfectorCycle, type CycleResult } from '../../src/agent/efector-cycle.js'
import { installEfector } from '../../src/agent/install-efector.js'
import { runCentralPass, type PassResult } from '../../src/central/import-pass.js'
import { addEfector, installCentral } from '../../src/central/install-central.js'
import { configSchema, type CentralConfig, type EfectorConfig } from '../../src/core/config.js'
import type { Row } from '../../src/db/row-validator.js'
import { usingSession, type Session } from '../../src/db/session.js'
import { createTableSql } from '../../src/db/schema-plan.js'
import {
  centralStagingNames,
  DETAIL_COLUMNS,
  detailTable,
  HEADER_COLUMNS,
  headerTable,
  LOCAL_DETAIL_TABLE,
  LOCAL_HEADER_TABLE,
} from '../../src/db/tables/staging-tables.js'
import { newOwnerId } from '../../src/core/owner.js'
import { createTestDatabase, type TestDatabase, type TestDialect } from './test-databases.js'
import { detailRow, headerRow } from './staging-fixtures.js'

/**
 * A central database and hospitals, each with its own local database, all
 * of one dialect unless a hospital is added with another, installed and
 * registered. Tests write local staging rows and run cycles and passes
 * through the real code paths.
 */
export class Scenario {
  readonly dialect: TestDialect
  readonly central: TestDatabase
  readonly hospitals = new Map<number, TestDatabase>()
  readonly centralConfig: CentralConfig
  readonly retry = { firstMinutes: 0, maxMinutes: 0 }

  private constructor(dialect: TestDialect, central: TestDatabase, leaseMinutes: number) {
    this.dialect = dialect
    this.central = central
    this.centralConfig = { url: central.url, leaseMinutes }
  }

  static async create(
    dialect: TestDialect,
    hospitals: { id: number; name: string }[],
    leaseMinutes = 60,
  ): Promise<Scenario> {
    const central = await createTestDatabase(dialect, 'central')
    const scenario = new Scenario(dialect, central, leaseMinutes)
    await usingSession(central.database, (session) => installCentral(session))
    for (const hospital of hospitals) await scenario.addHospital(hospital.id, hospital.name)
    return scenario
  }

  async addHospital(id: number, name: string, dialect = this.dialect): Promise<void> {
    await usingSession(this.central.database, (session) => addEfector(session, { id, name }))
    const local = await createTestDatabase(dialect, `h${id}`)
    await usingSession(local.database, (session) => installEfector(session))
    this.hospitals.set(id, local)
  }

  efectorConfig(id: number, overrides: Partial<EfectorConfig> = {}): EfectorConfig {
    const parsed = configSchema.parse({ efector: { id, url: this.hospitals.get(id)!.url } }).efector!
    return { ...parsed, ...overrides }
  }

  /** Replaces a hospital's local staging with these rows (objects keyed by column). */
  async stageLocally(
    id: number,
    headers: Record<string, unknown>[],
    details: Record<string, unknown>[],
  ): Promise<void> {
    await usingSession(this.hospitals.get(id)!.database, async (session) => {
      await session.transaction(async () => {
        await session.run(sql`DELETE FROM ${sql.table(LOCAL_HEADER_TABLE)}`)
        await session.run(sql`DELETE FROM ${sql.table(LOCAL_DETAIL_TABLE)}`)
        await session.connection.bulkInsert({ name: LOCAL_HEADER_TABLE }, HEADER_COLUMNS, once(headers.map(headerRow)))
        await session.connection.bulkInsert({ name: LOCAL_DETAIL_TABLE }, DETAIL_COLUMNS, once(details.map(detailRow)))
      })
    })
  }

  /**
   * Recreates a hospital's local staging tables without NOT NULL
   * constraints and without enforced types (not STRICT in SQLite), as some
   * hospitals' hand-made tables are, so that a test can stage rows that
   * labsync must refuse on upload.
   */
  async loosenLocalStaging(id: number): Promise<void> {
    await usingSession(this.hospitals.get(id)!.database, async (session) => {
      for (const spec of [headerTable(LOCAL_HEADER_TABLE), detailTable(LOCAL_DETAIL_TABLE)]) {
        await session.run(sql`DROP TABLE ${sql.table(spec.name)}`)
        const loose = {
          ...spec,
          typed: false,
          primaryKey: [],
          columns: spec.columns.map((column) => ({ ...column, nullable: true })),
        }
        await session.connection.execute({
          sql: createTableSql(session.dialect, { name: spec.name }, loose),
          parameters: [],
        })
      }
    })
  }

  runCycle(id: number, overrides: Partial<EfectorConfig> = {}): Promise<CycleResult> {
    return runEfectorCycle(
      this.hospitals.get(id)!.database,
      this.central.database,
      this.efectorConfig(id, overrides),
      this.centralConfig,
      {
        owner: newOwnerId(),
      },
    )
  }

  runPass(owner = newOwnerId()): Promise<PassResult> {
    return runCentralPass(this.central.database, this.centralConfig, this.retry, { owner })
  }

  onCentral<T>(work: (session: Session) => Promise<T>): Promise<T> {
    return usingSession(this.central.database, work)
  }

  /** All rows of a central table as objects, ordered by the given columns. */
  async centralRows(table: string, orderBy: string[]): Promise<Record<string, unknown>[]> {
    return this.onCentral(async (session) => {
      let query = session.db.selectFrom(table).selectAll()
      for (const column of orderBy) query = query.orderBy(column)
      return query.execute()
    })
  }

  /** A hospital's central staging rows without their idEfector, in key order, to compare two hospitals. */
  async stagedCentrally(
    name: string,
  ): Promise<{ headers: Record<string, unknown>[]; details: Record<string, unknown>[] }> {
    const strip = (rows: Record<string, unknown>[]) => rows.map(({ idEfector: _, ...rest }) => rest)
    const { header, detail } = centralStagingNames(name)
    return {
      headers: strip(await this.centralRows(header, ['idProtocolo'])),
      details: strip(await this.centralRows(detail, ['idProtocolo', 'idDetalleProtocolo'])),
    }
  }

  async drop(): Promise<void> {
    await this.central.drop()
    for (const hospital of this.hospitals.values()) await hospital.drop()
  }
}

async function* once(rows: Row[]): AsyncIterable<Row[]> {
  yield rows
}
