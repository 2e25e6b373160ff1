import type { Row } from '../../db/row-validator.js'
import {
  DETAIL_COLUMNS,
  DETAIL_KEY,
  HEADER_COLUMNS,
  HEADER_KEY,
  LOCAL_DETAIL_TABLE,
  LOCAL_HEADER_TABLE,
} from '../../db/tables/staging-tables.js'
import { validated } from '../staging-rows.js'
import type { ExportCounts } from './replace-local-staging.js'

/**
 * What replaceLocalStaging would write, without writing: every row is read
 * and checked against the staging specs exactly as an export does, so a
 * dry run stops on the same bad row a real run would.
 */
export async function countStagingRows(
  efector: number,
  headers: AsyncIterable<Row[]>,
  details: AsyncIterable<Row[]>,
): Promise<ExportCounts> {
  const headerCount = { rows: 0 }
  const detailCount = { rows: 0 }
  const drain = async (batches: AsyncIterable<Row[]>) => {
    for await (const _batch of batches) {
      // validated() counts and checks; the rows themselves are dropped.
    }
  }
  await drain(
    validated(headers, {
      table: LOCAL_HEADER_TABLE,
      columns: HEADER_COLUMNS,
      key: HEADER_KEY,
      efector,
      counter: headerCount,
    }),
  )
  await drain(
    validated(details, {
      table: LOCAL_DETAIL_TABLE,
      columns: DETAIL_COLUMNS,
      key: DETAIL_KEY,
      efector,
      counter: detailCount,
    }),
  )
  return { headers: headerCount.rows, details: detailCount.rows }
}
