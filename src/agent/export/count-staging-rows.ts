import type { Row } from '../../db/row-validator.js'
import { validatedStaging } from '../staging-rows.js'
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
      // validatedStaging() counts and checks; the rows themselves are dropped.
    }
  }
  await drain(validatedStaging('header', headers, { efector, counter: headerCount }))
  await drain(validatedStaging('detail', details, { efector, counter: detailCount }))
  return { headers: headerCount.rows, details: detailCount.rows }
}
