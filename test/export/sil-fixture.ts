import { sql } from 'kysely'
import { installEfector } from '../../src/agent/install-efector.js'
import { runExportStep } from '../../src/agent/export/export-step.js'
import type { ExportCounts } from '../../src/agent/export/replace-local-staging.js'
import { configSchema, type EfectorConfig } from '../../src/core/config.js'
import { normaliseDatetime } from '../../src/db/row-validator.js'
import { usingSession, type Session } from '../../src/db/session.js'
import {
  DETAIL_COLUMNS,
  HEADER_COLUMNS,
  LOCAL_DETAIL_TABLE,
  LOCAL_HEADER_TABLE,
} from '../../src/db/tables/staging-tables.js'
import { createSilTables } from '../../src/demo/create-sil-tables.js'
import { createTestDatabase, type TestDatabase, type TestDialect } from '../support/test-databases.js'

export const ID_EFECTOR = 101
export const VALIDATOR = 'Bioq. Ana Núñez MP 1043'
export const OBSERVER = 'Bioq. Tomás Peña MP 2210'

type Values = Record<string, unknown>

/**
 * A small hand-built SIL database for the export tests: the SIL tables and
 * the local staging tables in one database (the export's default source),
 * with a few lookup rows; each test adds its protocols and items.
 */
export class SilFixture {
  readonly db: TestDatabase
  readonly dialect: TestDialect
  /** Today on the database's own clock, 'YYYY-MM-DD'. */
  today = ''

  private constructor(dialect: TestDialect, db: TestDatabase) {
    this.dialect = dialect
    this.db = db
  }

  static async create(dialect: TestDialect): Promise<SilFixture> {
    const fixture = new SilFixture(dialect, await createTestDatabase(dialect, 'sil'))
    await fixture.session(async (session) => {
      await createSilTables(session)
      await installEfector(session)
      const { rows } = await session.run<{ now: string }>(sql`SELECT ${session.dialect.now()} AS now`)
      fixture.today = normaliseDatetime(rows[0].now).slice(0, 10)
    })
    await fixture.insert('Sys_Efector', [
      { idEfector: ID_EFECTOR, nombre: 'Hospital Escuela San Martín' },
      { idEfector: 900, nombre: 'Laboratorio Central de la Provincia' },
    ])
    await fixture.insert('Sys_Usuario', [
      { idUsuario: 1, firmaValidacion: VALIDATOR },
      { idUsuario: 2, firmaValidacion: OBSERVER },
    ])
    await fixture.insert('LAB_Origen', [{ idOrigen: 1, nombre: 'Ambulatorio' }])
    await fixture.insert('LAB_Prioridad', [{ idPrioridad: 1, nombre: 'Rutina' }])
    await fixture.insert('LAB_SectorServicio', [{ idSectorServicio: 1, nombre: 'Consultorio externo' }])
    await fixture.insert('LAB_Muestra', [{ idMuestra: 1, nombre: 'Sangre entera' }])
    await fixture.insert('LAB_Area', [{ idArea: 2, nombre: 'Química', ordenImpresion: 20 }])
    await fixture.insert('Sys_Paciente', [patient({ idPaciente: 1 })])
    await fixture.insert('LAB_Item', [item({ idItem: 10 })])
    return fixture
  }

  session<T>(work: (session: Session) => Promise<T>): Promise<T> {
    return usingSession(this.db.database, work)
  }

  async insert(table: string, rows: Values[]): Promise<void> {
    if (rows.length === 0) return
    await this.session((session) => session.db.insertInto(table).values(rows).execute())
  }

  /** 'YYYY-MM-DD HH:MM:SS.SSS' of `days` days before today on the database clock. */
  daysAgo(days: number, time = '10:00:00.000'): string {
    const date = new Date(`${this.today}T00:00:00Z`)
    date.setUTCDate(date.getUTCDate() - days)
    return `${date.toISOString().slice(0, 10)} ${time}`
  }

  efectorConfig(days: number): EfectorConfig {
    return configSchema.parse({ efector: { id: ID_EFECTOR, url: this.db.url, export: { mode: 'builtin', days } } })
      .efector!
  }

  /** Runs the export step in mode builtin. */
  async export(days = 7, dryRun = false): Promise<ExportCounts> {
    const result = await this.session((local) =>
      runExportStep(local, this.efectorConfig(days), ID_EFECTOR, days, { dryRun }),
    )
    return { headers: result.headers, details: result.details }
  }

  async stagedHeaders(): Promise<Values[]> {
    return this.staged(LOCAL_HEADER_TABLE, ['idProtocolo'], HEADER_COLUMNS)
  }

  async stagedDetails(): Promise<Values[]> {
    return this.staged(LOCAL_DETAIL_TABLE, ['idProtocolo', 'idDetalleProtocolo'], DETAIL_COLUMNS)
  }

  private async staged(table: string, order: string[], columns: typeof HEADER_COLUMNS): Promise<Values[]> {
    const rows = await this.session(async (session) => {
      let query = session.db.selectFrom(table).selectAll()
      for (const column of order) query = query.orderBy(column)
      return query.execute()
    })
    return rows.map((row) => {
      const out: Values = {}
      for (const column of columns) {
        const value = (row as Values)[column.name]
        if (value === null) out[column.name] = null
        else if (column.type.kind === 'bit') out[column.name] = value === true || value === 1
        else if (column.type.kind === 'datetime') out[column.name] = normaliseDatetime(value)
        else out[column.name] = value
      }
      return out
    })
  }

  drop(): Promise<void> {
    return this.db.drop()
  }
}

/** A SIL protocol with plain defaults: an outpatient, routine, blood sample, not annulled. */
export function protocol(values: Values & { idProtocolo: number }): Values {
  return {
    idEfector: ID_EFECTOR,
    idPaciente: 1,
    numero: `26-${String(values.idProtocolo).padStart(5, '0')}`,
    fecha: '2026-11-20 08:15:30.123',
    edad: 34,
    unidadEdad: 0,
    sexo: 'F',
    idOrigen: 1,
    idPrioridad: 1,
    idSector: 1,
    sala: '',
    cama: '',
    idEfectorSolicitante: ID_EFECTOR,
    idMuestra: 1,
    observacionesResultados: null,
    baja: false,
    idTipoServicio: 1,
    solicitante: 'Dra. Peña',
    embarazada: false,
    hiv: false,
    ...values,
  }
}

export function patient(values: Values & { idPaciente: number }): Values {
  return {
    apellido: 'Núñez Ibáñez',
    nombre: 'María José',
    numeroDocumento: 36123456,
    fechaNacimiento: '1992-03-02 00:00:00.000',
    referencia: 'Av. San Martín 1234',
    historiaClinica: 5501,
    idEstado: 1,
    idLocalidad: 10,
    idProvincia: 6,
    telefonoFijo: null,
    telefonoCelular: '379 4123456',
    ...values,
  }
}

/** A numeric chemistry item with no decimals (glucose). */
export function item(values: Values & { idItem: number }): Values {
  return {
    idEfector: ID_EFECTOR,
    codigo: 'GLU',
    codigoNomenclador: '412',
    descripcion: 'Glucemia',
    idArea: 2,
    ordenImpresion: 5,
    idCategoria: 0,
    idTipoResultado: 1,
    formatoDecimal: 0,
    idEfectorDerivacion: ID_EFECTOR,
    ...values,
  }
}

/** A validated result of item 10, validated today at 10:00 unless said otherwise (pass fechaValida). */
export function detail(
  values: Values & { idDetalleProtocolo: number; idProtocolo: number; fechaValida: string | null },
): Values {
  return {
    idEfector: ID_EFECTOR,
    idItem: 10,
    idSubItem: 10,
    resultadoNum: '95',
    resultadoCar: '',
    unidadMedida: 'mg/dL',
    metodo: 'Enzimático (GOD-PAP)',
    valorReferencia: '70 - 110',
    observaciones: '',
    trajoMuestra: 'Si',
    conResultado: 0,
    idUsuarioValida: 1,
    idUsuarioValidaObservacion: 0,
    fechaValidaObservacion: null,
    ...values,
  }
}
