import { LabsyncError } from '../core/errors.js'
import type { TableName } from '../db/database.js'
import type { Session } from '../db/session.js'
import { requireTable } from '../db/catalog.js'
import {
  DETAIL_COLUMNS,
  DETAIL_KEY,
  HEADER_COLUMNS,
  HEADER_KEY,
  LOCAL_DETAIL_TABLE,
  LOCAL_HEADER_TABLE,
} from '../db/tables/staging-tables.js'
import { markUploadCommitted } from '../status/status-store.js'
import { readTableRows, validated } from './staging-rows.js'

export interface UploadTarget {
  idEfector: number
  owner: string
  status: TableName
  header: TableName
  detail: TableName
}

export interface UploadCounts {
  headers: number
  details: number
  /** ultimoUpdateEfectorFin as written (central clock). */
  committedAt: string
}

/**
 * PROTOCOL.md efector step 5, in ONE central transaction: empty the
 * hospital's central staging tables, bulk-load the local staging rows
 * (checked row by row on the way), and set the end mark. Any failure rolls
 * it all back: the previous staging stays, and the end mark stays NULL.
 */
export async function uploadStaging(
  local: Session,
  central: Session,
  target: UploadTarget,
  /** Runs inside the transaction, after the end mark (the run history row). */
  beforeCommit?: (counts: UploadCounts) => Promise<void>,
): Promise<UploadCounts> {
  const hint = 'run `labsync efector install`'
  const localHeader = await requireTable(local, LOCAL_HEADER_TABLE, { efector: target.idEfector, hint })
  const localDetail = await requireTable(local, LOCAL_DETAIL_TABLE, { efector: target.idEfector, hint })
  const headerCount = { rows: 0 }
  const detailCount = { rows: 0 }
  const common = { efector: target.idEfector }

  return central.transaction(async () => {
    await central.run(central.dialect.emptyTable(target.header))
    await central.run(central.dialect.emptyTable(target.detail))
    await central.connection.bulkInsert(
      target.header,
      HEADER_COLUMNS,
      validated(readTableRows(local, localHeader, HEADER_COLUMNS), {
        ...common,
        table: LOCAL_HEADER_TABLE,
        columns: HEADER_COLUMNS,
        key: HEADER_KEY,
        counter: headerCount,
      }),
    )
    await central.connection.bulkInsert(
      target.detail,
      DETAIL_COLUMNS,
      validated(readTableRows(local, localDetail, DETAIL_COLUMNS), {
        ...common,
        table: LOCAL_DETAIL_TABLE,
        columns: DETAIL_COLUMNS,
        key: DETAIL_KEY,
        counter: detailCount,
      }),
    )
    const counts = { headers: headerCount.rows, details: detailCount.rows }
    const committedAt = await markUploadCommitted(central, target.status, target.idEfector, target.owner, counts)
    if (!committedAt) {
      throw new LabsyncError('LABSYNC_CLAIM_LOST', 'the upload claim was taken over while uploading (lease expired)', {
        location: { efector: target.idEfector },
      })
    }
    await beforeCommit?.({ ...counts, committedAt })
    return { ...counts, committedAt }
  })
}
