import { bit, datetime, int, nvarchar, text, varchar, type ColumnSpec, type TableSpec } from '../column-spec.js'

/**
 * The staging tables: at each hospital (`LAB_Temp_ResultadoEncabezado`,
 * `LAB_Temp_ResultadoDetalle`) and, per hospital, on the central server
 * (`LAB_Temp_<Efector>ResultadoEncabezado`, `...Detalle`). Same columns on
 * both sides.
 */

export const HEADER_COLUMNS: readonly ColumnSpec[] = [
  int('idProtocolo'),
  int('idEfector'),
  nvarchar('apellido', 100),
  nvarchar('nombre', 100),
  int('edad'),
  varchar('unidadEdad', 5, true),
  varchar('fechaNacimiento', 10, true),
  nvarchar('sexo', 1),
  int('numeroDocumento'),
  varchar('fecha', 10, true),
  datetime('fecha1'),
  nvarchar('domicilio', 261, true),
  int('HC'),
  nvarchar('prioridad', 50),
  nvarchar('origen', 50),
  varchar('numero', 50, true),
  bit('hiv', true),
  nvarchar('solicitante', 205, true),
  varchar('sector', 50),
  varchar('sala', 50),
  varchar('cama', 50),
  varchar('embarazo', 1),
  nvarchar('EfectorSolicitante', 100),
  int('idSolicitudScreening', true),
  datetime('fechaRecibeScreening', true),
  nvarchar('observacionesResultados', 4000, true),
  nvarchar('tipoMuestra', 500, true),
  { ...bit('baja'), defaultValue: 0 },
  int('idLocalidad', true),
  int('idProvincia', true),
  nvarchar('telefonoFijo', 20, true),
  nvarchar('telefonoCelular', 20, true),
]

/** Columns that older hospital staging tables lack; install adds them as nullable. */
export const LATER_HEADER_COLUMNS = ['idLocalidad', 'idProvincia', 'telefonoFijo', 'telefonoCelular'] as const

export const DETAIL_COLUMNS: readonly ColumnSpec[] = [
  int('idProtocolo'),
  int('idEfector'),
  int('idDetalleProtocolo'),
  varchar('codigoNomenclador', 50, true),
  nvarchar('codigo', 50),
  int('ordenArea'),
  int('orden'),
  nvarchar('area', 50),
  nvarchar('grupo', 500),
  nvarchar('item', 500),
  nvarchar('observaciones', 500),
  varchar('esTitulo', 2),
  nvarchar('derivado', 100),
  nvarchar('unidad', 500),
  bit('hiv', true),
  nvarchar('metodo', 500),
  nvarchar('valorReferencia', 500),
  int('orden1'),
  nvarchar('muestra', 2),
  int('conresultado'),
  nvarchar('resultado', 4000, true),
  nvarchar('codigo2', 50),
  nvarchar('profesional_val', 500),
]

export const HEADER_KEY = ['idProtocolo', 'idEfector'] as const
export const DETAIL_KEY = ['idProtocolo', 'idEfector', 'idDetalleProtocolo'] as const

export function headerTable(name: string): TableSpec {
  return { name, columns: HEADER_COLUMNS, primaryKey: HEADER_KEY, typed: true }
}

export function detailTable(name: string): TableSpec {
  return { name, columns: DETAIL_COLUMNS, primaryKey: DETAIL_KEY, typed: true }
}

export const LOCAL_HEADER_TABLE = 'LAB_Temp_ResultadoEncabezado'
export const LOCAL_DETAIL_TABLE = 'LAB_Temp_ResultadoDetalle'

/** The central staging table names the legacy deployments use for a hospital named `name`. */
export function centralStagingNames(name: string): { header: string; detail: string } {
  return { header: `LAB_Temp_${name}ResultadoEncabezado`, detail: `LAB_Temp_${name}ResultadoDetalle` }
}

/** The central results: the staging header without `baja`, plus `cda`; the detail as staged. */
export const CENTRAL_HEADER_COLUMNS: readonly ColumnSpec[] = [
  ...HEADER_COLUMNS.filter((column) => column.name !== 'baja'),
  text('cda'),
]

export const CENTRAL_HEADER_TABLE: TableSpec = {
  name: 'LAB_ResultadoEncabezado',
  columns: CENTRAL_HEADER_COLUMNS,
  primaryKey: HEADER_KEY,
}

export const CENTRAL_DETAIL_TABLE: TableSpec = {
  name: 'LAB_ResultadoDetalle',
  columns: DETAIL_COLUMNS,
  primaryKey: DETAIL_KEY,
}
