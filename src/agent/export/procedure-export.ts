import { LabsyncError } from '../../core/errors.js'
import { checkIdentifier } from '../../core/identifiers.js'
import type { TableName } from '../../db/database.js'
import type { Session } from '../../db/session.js'

/**
 * Export mode `procedure` (docs/EXPORT.md item 1): runs the hospital's own stored
 * procedure, `LAB_ExportaResultadosValidados` or the one the configuration
 * names, which fills the local staging tables itself. It runs inside one
 * local transaction, so that a procedure that fails half way leaves the
 * previous staging content; its errors and a non-zero return status fail the
 * export (the legacy job printed them and reported success).
 */
export async function runExportProcedure(local: Session, procedure: string, idEfector: number): Promise<void> {
  const name = parseProcedureName(procedure, idEfector)
  const dialect = local.dialect
  if (!dialect.callProcedure) {
    throw new LabsyncError(
      'LABSYNC_CONFIG',
      `export mode procedure calls a SQL Server stored procedure, and efector.url is a ${dialect.name} database; use mode builtin or sql`,
      { location: { efector: idEfector } },
    )
  }
  await local.transaction(async () => {
    const { rows } = await local.run<{ returnStatus: unknown }>(dialect.callProcedure!(name))
    const status = rows.length > 0 ? rows[rows.length - 1].returnStatus : null
    if (status !== null && status !== undefined && Number(status) !== 0) {
      throw new LabsyncError('LABSYNC_EXPORT', `procedure ${procedure} returned status ${String(status)}`, {
        location: { efector: idEfector },
      })
    }
  })
}

/** `name` or `schema.name`, each part a plain identifier (the configuration is pasted into no SQL unchecked). */
export function parseProcedureName(procedure: string, idEfector?: number): TableName {
  const parts = procedure.split('.')
  if (parts.length > 2) checkIdentifier(procedure, 'efector.export.procedure', { efector: idEfector })
  const location = { efector: idEfector }
  if (parts.length === 2) {
    return {
      schema: checkIdentifier(parts[0], 'efector.export.procedure schema', location),
      name: checkIdentifier(parts[1], 'efector.export.procedure', location),
    }
  }
  return { name: checkIdentifier(parts[0], 'efector.export.procedure', location) }
}
