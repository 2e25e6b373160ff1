import { sql, type RawBuilder } from 'kysely'
import type { SqlDialect } from '../db/database.js'

/**
 * The conditions of protocol/efector-state.ts written as SQL over the
 * status row, so that a claim checks and takes the row in ONE conditional
 * UPDATE. Keep the two in step: test/protocol tests compare them row by row.
 */
const c = (name: string) => sql.ref(name)

export function uploading(): RawBuilder<boolean> {
  return sql`(${c('ultimoUpdateEfectorInicio')} IS NOT NULL AND ${c('ultimoUpdateEfectorFin')} IS NULL)`
}

export function importing(): RawBuilder<boolean> {
  return sql`(${c('ultimoSyncFechaInicio')} IS NOT NULL AND ${c('ultimoSyncFechaFin')} IS NULL)`
}

function notUploading(): RawBuilder<boolean> {
  return sql`(${c('ultimoUpdateEfectorInicio')} IS NULL OR ${c('ultimoUpdateEfectorFin')} IS NOT NULL)`
}

function notImporting(): RawBuilder<boolean> {
  return sql`(${c('ultimoSyncFechaInicio')} IS NULL OR ${c('ultimoSyncFechaFin')} IS NOT NULL)`
}

export function staleUpload(dialect: SqlDialect, leaseMinutes: number): RawBuilder<boolean> {
  return sql`(${uploading()} AND ${c('ultimoUpdateEfectorInicio')} < ${dialect.minutesAgo(leaseMinutes)})`
}

export function staleImport(dialect: SqlDialect, leaseMinutes: number): RawBuilder<boolean> {
  return sql`(${importing()} AND ${c('ultimoSyncFechaInicio')} < ${dialect.minutesAgo(leaseMinutes)})`
}

/** The last labsync upload failed, and the claim it left is the one in place. */
function failedUpload(): RawBuilder<boolean> {
  return sql`(${uploading()} AND ${c('labsyncUploadFailedInicio')} IS NOT NULL
    AND ${c('labsyncUploadFailedInicio')} = ${c('ultimoUpdateEfectorInicio')})`
}

/** Never NULL: every operand is checked for NULL first. */
function uploadedByLabsync(): RawBuilder<boolean> {
  return sql`(${c('labsyncUploadSeq')} IS NOT NULL AND ${c('labsyncUploadFin')} IS NOT NULL
    AND ${c('ultimoUpdateEfectorFin')} IS NOT NULL AND ${c('labsyncUploadFin')} = ${c('ultimoUpdateEfectorFin')})`
}

function notUploadedByLabsync(): RawBuilder<boolean> {
  return sql`(${c('labsyncUploadSeq')} IS NULL OR ${c('labsyncUploadFin')} IS NULL
    OR ${c('ultimoUpdateEfectorFin')} IS NULL OR ${c('labsyncUploadFin')} <> ${c('ultimoUpdateEfectorFin')})`
}

export function pendingImport(): RawBuilder<boolean> {
  return sql`((${uploadedByLabsync()} AND ${c('labsyncUploadSeq')} <> COALESCE(${c('labsyncImportedSeq')}, -1))
    OR (${notUploadedByLabsync()} AND ${c('ultimoUpdateEfectorFin')} IS NOT NULL
      AND (${c('ultimoSyncFechaInicio')} IS NULL OR ${c('ultimoSyncFechaInicio')} < ${c('ultimoUpdateEfectorFin')})))`
}

/**
 * PROTOCOL.md, efector step 4: the conditions under which an upload may be
 * claimed. The least time between uploads is not counted from a claim whose
 * upload failed: no upload happened, and the retry may take it at once.
 */
export function uploadClaimable(dialect: SqlDialect, leaseMinutes: number): RawBuilder<boolean> {
  const minimum = sql`COALESCE(${c('minutosMinimoSyncEfector')}, 0)`
  return sql`(${notImporting()} OR ${staleImport(dialect, leaseMinutes)})
    AND (${notUploading()} OR ${staleUpload(dialect, leaseMinutes)} OR ${failedUpload()})
    AND (${failedUpload()} OR ${minimum} <= 0 OR ${c('ultimoUpdateEfectorInicio')} IS NULL
      OR ${c('ultimoUpdateEfectorInicio')} <= ${dialect.minutesAgo(minimum)})`
}

/** PROTOCOL.md, central step 1: the conditions under which an import may be claimed. */
export function importClaimable(dialect: SqlDialect, leaseMinutes: number): RawBuilder<boolean> {
  const minimum = sql`COALESCE(${c('minutosMinimoSyncPrincipal')}, 0)`
  const stale = staleImport(dialect, leaseMinutes)
  return sql`${notUploading()}
    AND (${notImporting()} OR ${stale})
    AND (${stale} OR ${pendingImport()})
    AND (${stale} OR ${minimum} <= 0 OR ${c('ultimoSyncFechaInicio')} IS NULL
      OR ${c('ultimoSyncFechaInicio')} <= ${dialect.minutesAgo(minimum)})
    AND (${c('labsyncImportRetryAfter')} IS NULL OR ${c('labsyncImportRetryAfter')} <= ${dialect.now()})`
}
