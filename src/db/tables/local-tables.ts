import { datetime, int, nvarchar, varchar, type ColumnSpec, type TableSpec } from '../column-spec.js'

/** `LAB_SyncStatus`: one row per run of the efector cycle, in the hospital's database. */
export const LOCAL_STATUS_COLUMNS: readonly ColumnSpec[] = [
  { ...int('id'), identity: true },
  datetime('fechaInicio'),
  datetime('fechaFin', true),
  int('cantidadRegistrosEncabezado', true),
  int('cantidadRegistrosDetalle', true),
  datetime('fechaFinUpload', true),
  /** labsync's: uploaded, skipped or failed */
  varchar('labsyncOutcome', 10, true),
  /** labsync's: why it skipped or failed */
  nvarchar('labsyncMessage', 4000, true),
]

export const LOCAL_STATUS_TABLE: TableSpec = {
  name: 'LAB_SyncStatus',
  columns: LOCAL_STATUS_COLUMNS,
  primaryKey: ['id'],
}

/** `LAB_SyncConfig`: the legacy configuration row; labsync reads it when its own file leaves a value out. */
export const LEGACY_CONFIG_TABLE: TableSpec = {
  name: 'LAB_SyncConfig',
  columns: [
    varchar('servidorUpstream', 100, true),
    int('idEfector', true),
    varchar('dbUpstream', 100, true),
    int('diasASincronizar', true),
  ],
  primaryKey: [],
}
