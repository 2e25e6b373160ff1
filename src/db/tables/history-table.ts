import { datetime, int, nvarchar, text, varchar, type ColumnSpec, type TableSpec } from '../column-spec.js'

/**
 * labsync's run history, one row per upload and per import (it replaces the
 * legacy `LAB_SyncErrors`). The monitor draws from it.
 */
export const HISTORY_TABLE_NAME = 'labsync_run'

export const HISTORY_COLUMNS: readonly ColumnSpec[] = [
  { ...int('id'), identity: true },
  int('idEfector'),
  /** upload or import */
  varchar('kind', 10),
  datetime('startedAt'),
  datetime('finishedAt', true),
  /** ok, warning, partial (some rows refused) or failed */
  varchar('outcome', 10),
  int('headerRows', true),
  int('detailRows', true),
  int('deletedProtocols', true),
  int('orphanDetails', true),
  int('refusedRows', true),
  int('durationMs', true),
  int('rowsPerSecond', true),
  /** The process that ran it: host, pid and run id. */
  varchar('owner', 200, true),
  nvarchar('message', 4000, true),
  /** JSON with counts of each merge step. */
  text('details'),
]

export const HISTORY_TABLE: TableSpec = { name: HISTORY_TABLE_NAME, columns: HISTORY_COLUMNS, primaryKey: ['id'] }
