import { datetime, int, nvarchar, varchar, type ColumnSpec, type TableSpec } from '../column-spec.js'

/**
 * `LAB_EstadoSyncGeneral`: one row per hospital, the turn-taking point of
 * the efector agent and the central importer (see docs/PROTOCOL.md).
 */
export const STATUS_TABLE_NAME = 'LAB_EstadoSyncGeneral'

/** The columns the legacy deployments have. */
export const LEGACY_STATUS_COLUMNS: readonly ColumnSpec[] = [
  int('idEfector'),
  varchar('nombreEfector', 100, true),
  varchar('tablaEncabezado', 100, true),
  varchar('tablaDetalle', 100, true),
  datetime('ultimoUpdateEfectorInicio', true),
  datetime('ultimoUpdateEfectorFin', true),
  datetime('ultimoSyncFechaInicio', true),
  datetime('ultimoSyncFechaFin', true),
  int('ultimoSyncRegistrosEncabezado', true),
  int('ultimoSyncRegistrosDetalle', true),
  int('minutosMinimoSyncEfector', true),
  int('minutosMinimoSyncPrincipal', true),
  varchar('sensorPingPRTG', 1001, true),
]

/**
 * Nullable columns labsync adds to the status row. Hospitals still run by
 * the legacy jobs leave them NULL, and labsync falls back to the legacy
 * columns for them.
 */
export const LABSYNC_STATUS_COLUMNS: readonly ColumnSpec[] = [
  /** Incremented by every upload labsync commits. */
  int('labsyncUploadSeq', true),
  /** The `ultimoUpdateEfectorFin` that labsync's last committed upload wrote; tells labsync's uploads from the legacy job's. */
  datetime('labsyncUploadFin', true),
  /** The upload sequence number the last committed import took. */
  int('labsyncImportedSeq', true),
  /** Who holds the current upload claim (host, process, run). */
  varchar('labsyncUploadOwner', 200, true),
  /** Who holds the current import claim. */
  varchar('labsyncImportOwner', 200, true),
  /** The last upload failure, its time, and the claim it left behind (which the next upload may take at once). */
  nvarchar('labsyncUploadError', 4000, true),
  datetime('labsyncUploadErrorAt', true),
  datetime('labsyncUploadFailedInicio', true),
  /** The last import failure and its time; cleared by a successful import. */
  nvarchar('labsyncImportError', 4000, true),
  datetime('labsyncImportErrorAt', true),
  /** Import failures in a row, and the earliest time of the next attempt. */
  int('labsyncImportFailures', true),
  datetime('labsyncImportRetryAfter', true),
]

export const STATUS_TABLE: TableSpec = {
  name: STATUS_TABLE_NAME,
  columns: [...LEGACY_STATUS_COLUMNS, ...LABSYNC_STATUS_COLUMNS],
  primaryKey: ['idEfector'],
}

/** Existing deployments seed every date of a new hospital with this value; it means "never". */
export const SENTINEL_DATE = '2001-01-01 00:00:00.000'
