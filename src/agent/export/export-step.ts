import type { EfectorConfig } from '../../core/config.js'
import { LabsyncError, toLabsyncError } from '../../core/errors.js'
import { requireTable } from '../../db/catalog.js'
import { openDatabase } from '../../db/open-database.js'
import type { Row } from '../../db/row-validator.js'
import { usingSession, type Session } from '../../db/session.js'
import { LOCAL_DETAIL_TABLE, LOCAL_HEADER_TABLE } from '../../db/tables/staging-tables.js'
import { builtinExportRows } from './builtin-export.js'
import { runExportProcedure } from './procedure-export.js'
import { countStagingRows } from './count-staging-rows.js'
import { replaceLocalStaging, type ExportCounts } from './replace-local-staging.js'
import { sqlExportRows } from './sql-export.js'

export const DEFAULT_EXPORT_DAYS = 7

export interface ExportStepOptions {
  /** Read and check every row as the export would, and write nothing (modes sql and builtin; mode none counts what is staged). */
  dryRun?: boolean
}

/**
 * PROTOCOL.md efector step 2: fill the local staging tables by the
 * configured mode. A failure leaves the previous staging content in place
 * and is reported as LABSYNC_EXPORT (or LABSYNC_ROW_INVALID naming the
 * protocol and column); the caller uploads nothing then.
 */
export async function runExportStep(
  local: Session,
  efector: EfectorConfig,
  idEfector: number,
  days: number,
  options: ExportStepOptions = {},
): Promise<ExportCounts & { mode: EfectorConfig['export']['mode'] }> {
  const settings = efector.export
  const write = (headers: AsyncIterable<Row[]>, details: AsyncIterable<Row[]>) =>
    options.dryRun
      ? countStagingRows(idEfector, headers, details)
      : replaceLocalStaging(local, idEfector, headers, details)
  try {
    switch (settings.mode) {
      case 'none':
        return { mode: 'none', ...(await countLocalStaging(local, idEfector)) }
      case 'sql': {
        const source = openDatabase(settings.sourceUrl ?? efector.url)
        try {
          const counts = await usingSession(source, (sourceSession) =>
            write(
              sqlExportRows(sourceSession, settings.headersSql!, 'headers', days, idEfector),
              sqlExportRows(sourceSession, settings.detailsSql!, 'details', days, idEfector),
            ),
          )
          return { mode: 'sql', ...counts }
        } finally {
          await source.close()
        }
      }
      case 'builtin': {
        const source = openDatabase(settings.sourceUrl ?? efector.url)
        try {
          const counts = await usingSession(source, async (sourceSession) => {
            const rows = await builtinExportRows(sourceSession, idEfector, days)
            return write(rows.headers, rows.details)
          })
          return { mode: 'builtin', ...counts }
        } finally {
          await source.close()
        }
      }
      case 'procedure':
        // A dry run does not call the procedure (it writes the staging tables itself): it counts what is staged.
        if (!options.dryRun) await runExportProcedure(local, settings.procedure, idEfector)
        return { mode: 'procedure', ...(await countLocalStaging(local, idEfector)) }
    }
  } catch (error) {
    const wrapped = toLabsyncError(error, 'LABSYNC_EXPORT', { efector: idEfector })
    if (wrapped.code === 'LABSYNC_DATABASE') {
      throw new LabsyncError('LABSYNC_EXPORT', `export failed: ${wrapped.message}`, {
        cause: error,
        location: wrapped.location,
      })
    }
    throw wrapped
  }
}

export async function countLocalStaging(local: Session, efector: number): Promise<ExportCounts> {
  const hint = 'run `labsync efector install`'
  const count = async (name: string) => {
    const table = await requireTable(local, name, { efector, hint })
    const row = await local.db
      .selectFrom(table.name)
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow()
    return Number(row.n)
  }
  return { headers: await count(LOCAL_HEADER_TABLE), details: await count(LOCAL_DETAIL_TABLE) }
}
