import { LabsyncError } from '../../core/errors.js'
import { findTable, listColumns } from '../../db/catalog.js'
import { bit, datetime, decimal, int, nvarchar, varchar, type TableSpec } from '../../db/column-spec.js'
import type { Session } from '../../db/session.js'

/**
 * The laboratory-system (SIL) tables the builtin export reads (docs/EXPORT.md,
 * "SIL tables"), with the columns it uses. The export only reads them; the
 * specs also let the demo and the tests create them. Real SIL databases
 * have many more columns, and their own types: these are the types labsync
 * creates, generous so that bad data can be represented and is caught by
 * the export's own checks. Keys are the tables' identity columns.
 */

const id = (name: string) => int(name)
const ref = (name: string) => int(name, true)
const name = (length = 100) => nvarchar('nombre', length, true)

export const SIL_TABLES = {
  LAB_Protocolo: {
    name: 'LAB_Protocolo',
    primaryKey: ['idProtocolo'],
    columns: [
      id('idProtocolo'),
      ref('idEfector'),
      ref('idPaciente'),
      varchar('numero', 100, true),
      datetime('fecha', true),
      ref('edad'),
      ref('unidadEdad'),
      nvarchar('sexo', 10, true),
      ref('idOrigen'),
      ref('idPrioridad'),
      ref('idSector'),
      varchar('sala', 100, true),
      varchar('cama', 100, true),
      ref('idEfectorSolicitante'),
      ref('idMuestra'),
      nvarchar('observacionesResultados', 8000, true),
      bit('baja', true),
      ref('idTipoServicio'),
      nvarchar('solicitante', 500, true),
      bit('embarazada', true),
      bit('hiv', true),
    ],
  },
  Sys_Paciente: {
    name: 'Sys_Paciente',
    primaryKey: ['idPaciente'],
    columns: [
      id('idPaciente'),
      nvarchar('apellido', 200, true),
      nvarchar('nombre', 200, true),
      ref('numeroDocumento'),
      datetime('fechaNacimiento', true),
      nvarchar('referencia', 500, true),
      ref('historiaClinica'),
      ref('idEstado'),
      ref('idLocalidad'),
      ref('idProvincia'),
      nvarchar('telefonoFijo', 50, true),
      nvarchar('telefonoCelular', 50, true),
    ],
  },
  Sys_Efector: { name: 'Sys_Efector', primaryKey: ['idEfector'], columns: [id('idEfector'), name(200)] },
  Sys_Usuario: {
    name: 'Sys_Usuario',
    primaryKey: ['idUsuario'],
    columns: [id('idUsuario'), nvarchar('firmaValidacion', 1000, true)],
  },
  LAB_Origen: { name: 'LAB_Origen', primaryKey: ['idOrigen'], columns: [id('idOrigen'), name()] },
  LAB_Prioridad: { name: 'LAB_Prioridad', primaryKey: ['idPrioridad'], columns: [id('idPrioridad'), name()] },
  LAB_Muestra: { name: 'LAB_Muestra', primaryKey: ['idMuestra'], columns: [id('idMuestra'), name(1000)] },
  LAB_SectorServicio: {
    name: 'LAB_SectorServicio',
    primaryKey: ['idSectorServicio'],
    columns: [id('idSectorServicio'), name()],
  },
  LAB_Area: {
    name: 'LAB_Area',
    primaryKey: ['idArea'],
    columns: [id('idArea'), name(), ref('ordenImpresion')],
  },
  LAB_Item: {
    name: 'LAB_Item',
    primaryKey: ['idItem'],
    columns: [
      id('idItem'),
      ref('idEfector'),
      nvarchar('codigo', 100, true),
      varchar('codigoNomenclador', 100, true),
      nvarchar('descripcion', 1000, true),
      ref('idArea'),
      ref('ordenImpresion'),
      ref('idCategoria'),
      ref('idTipoResultado'),
      ref('formatoDecimal'),
      ref('idEfectorDerivacion'),
    ],
  },
  LAB_DetalleProtocolo: {
    name: 'LAB_DetalleProtocolo',
    primaryKey: ['idDetalleProtocolo'],
    columns: [
      id('idDetalleProtocolo'),
      ref('idProtocolo'),
      ref('idEfector'),
      ref('idItem'),
      ref('idSubItem'),
      // Scale 6 (more than formatoDecimal's 4) so that the rounding of every place count can be seen.
      decimal('resultadoNum', 18, 6),
      nvarchar('resultadoCar', 8000, true),
      nvarchar('unidadMedida', 1000, true),
      nvarchar('metodo', 1000, true),
      nvarchar('valorReferencia', 1000, true),
      nvarchar('observaciones', 1000, true),
      varchar('trajoMuestra', 10, true),
      ref('conResultado'),
      ref('idUsuarioValida'),
      datetime('fechaValida', true),
      ref('idUsuarioValidaObservacion'),
      datetime('fechaValidaObservacion', true),
    ],
  },
  LAB_ProtocoloGermen: {
    name: 'LAB_ProtocoloGermen',
    primaryKey: ['idProtocoloGermen'],
    columns: [id('idProtocoloGermen'), ref('idProtocolo'), ref('idItem'), ref('idGermen')],
  },
  LAB_Germen: { name: 'LAB_Germen', primaryKey: ['idGermen'], columns: [id('idGermen'), name(500)] },
  LAB_Antibiograma: {
    name: 'LAB_Antibiograma',
    primaryKey: ['idAntibiograma'],
    columns: [
      id('idAntibiograma'),
      ref('idProtocolo'),
      ref('idGermen'),
      ref('numeroAislamiento'),
      nvarchar('antibiotico', 500, true),
      nvarchar('resultado', 500, true),
      nvarchar('metodologia', 500, true),
      ref('idUsuarioValida'),
    ],
  },
} satisfies Record<string, TableSpec>

export type SilTableName = keyof typeof SIL_TABLES

/**
 * The SIL tables and columns as the source database spells them, found
 * without regard to case (a DBA may have created them unquoted in
 * PostgreSQL, which folds them to lower case).
 */
export interface SilSchema {
  table(table: SilTableName): string
  column(table: SilTableName, column: string): string
}

/** Looks every SIL table and column up; a missing one is an error that names it. */
export async function resolveSilSchema(source: Session, efector: number): Promise<SilSchema> {
  const tables = new Map<string, { name: string; columns: Map<string, string> }>()
  for (const spec of Object.values(SIL_TABLES)) {
    const found = await findTable(source, spec.name)
    if (!found) {
      throw new LabsyncError(
        'LABSYNC_TABLE_MISSING',
        `the laboratory system's table ${spec.name} does not exist in the export's source database; the builtin export needs the SIL tables of docs/EXPORT.md (use export mode sql or procedure otherwise)`,
        { location: { efector, table: spec.name } },
      )
    }
    const existing = new Map(
      (await listColumns(source, found)).map((column) => [column.name.toLowerCase(), column.name]),
    )
    const columns = new Map<string, string>()
    for (const column of spec.columns) {
      const actual = existing.get(column.name.toLowerCase())
      if (!actual) {
        throw new LabsyncError(
          'LABSYNC_TABLE_MISSING',
          `the laboratory system's table ${spec.name} has no column ${column.name}`,
          {
            location: { efector, table: spec.name, column: column.name },
          },
        )
      }
      columns.set(column.name, actual)
    }
    tables.set(spec.name, { name: found.name, columns })
  }
  return {
    table: (table) => tables.get(table)!.name,
    column(table, column) {
      const actual = tables.get(table)!.columns.get(column)
      if (!actual) throw new Error(`column ${column} is not in the SIL spec of ${table}`)
      return actual
    },
  }
}
