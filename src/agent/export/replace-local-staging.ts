import { requireTable } from '../../db/catalog.js'
import type { Row } from '../../db/row-validator.js'
import type { Session } from '../../db/session.js'
import {
  DETAIL_COLUMNS,
  HEADER_COLUMNS,
  LOCAL_DETAIL_TABLE,
  LOCAL_HEADER_TABLE,
} from '../../db/tables/staging-tables.js'
import { validatedStaging } from '../staging-rows.js'

export interface ExportCounts {
  headers: number
  details: number
}

/**
 * Replaces the local staging tables as a whole, in one local transaction:
 * a bad row anywhere rolls it back and the previous content stays.
 */
export async function replaceLocalStaging(
  local: Session,
  efector: number,
  headers: AsyncIterable<Row[]>,
  details: AsyncIterable<Row[]>,
): Promise<ExportCounts> {
  const hint = 'run `labsync efector install`'
  const headerTable = await requireTable(local, LOCAL_HEADER_TABLE, { efector, hint })
  const detailTable = await requireTable(local, LOCAL_DETAIL_TABLE, { efector, hint })
  const headerCount = { rows: 0 }
  const detailCount = { rows: 0 }
  await local.transaction(async () => {
    await local.run(local.dialect.emptyTable(headerTable))
    await local.run(local.dialect.emptyTable(detailTable))
    await local.connection.bulkInsert(
      headerTable,
      HEADER_COLUMNS,
      validatedStaging('header', headers, { efector, counter: headerCount }),
    )
    await local.connection.bulkInsert(
      detailTable,
      DETAIL_COLUMNS,
      validatedStaging('detail', details, { efector, counter: detailCount }),
    )
  })
  return { headers: headerCount.rows, details: detailCount.rows }
}
