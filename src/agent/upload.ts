import { LabsyncError } from '../core/errors.js'
import type { TableName } from '../db/database.js'
import type { Row } from '../db/row-validator.js'
import type { Session } from '../db/session.js'
import { requireTable } from '../db/catalog.js'
import { DETAIL_COLUMNS, HEADER_COLUMNS, LOCAL_DETAIL_TABLE, LOCAL_HEADER_TABLE } from '../db/tables/staging-tables.js'
import { markUploadCommitted } from '../status/status-store.js'
import { readTableRows, validatedStaging } from './staging-rows.js'

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

/** The rows to upload, streamed: canonical values in the order of HEADER_COLUMNS and DETAIL_COLUMNS. */
export interface UploadSources {
  headers: AsyncIterable<Row[]>
  details: AsyncIterable<Row[]>
}

/** The local staging tables of a hospital as upload sources. */
export async function localStagingSources(local: Session, idEfector: number): Promise<UploadSources> {
  const hint = 'run `labsync efector install`'
  const header = await requireTable(local, LOCAL_HEADER_TABLE, { efector: idEfector, hint })
  const detail = await requireTable(local, LOCAL_DETAIL_TABLE, { efector: idEfector, hint })
  return {
    headers: readTableRows(local, header, HEADER_COLUMNS),
    details: readTableRows(local, detail, DETAIL_COLUMNS),
  }
}

/**
 * PROTOCOL.md efector step 5, in ONE central transaction: empty the
 * hospital's central staging tables, bulk-load the rows (checked row by
 * row on the way), and set the end mark. Any failure rolls it all back: the
 * previous staging stays, and the end mark stays NULL. The caller holds the
 * upload claim as `target.owner`.
 */
export async function uploadStaging(
  central: Session,
  target: UploadTarget,
  sources: UploadSources,
  /** Runs inside the transaction, after the end mark (the run history row). */
  beforeCommit?: (counts: UploadCounts) => Promise<void>,
): Promise<UploadCounts> {
  const headerCount = { rows: 0 }
  const detailCount = { rows: 0 }
  const common = { efector: target.idEfector }

  return central.transaction(async () => {
    await central.run(central.dialect.emptyTable(target.header))
    await central.run(central.dialect.emptyTable(target.detail))
    await central.connection.bulkInsert(
      target.header,
      HEADER_COLUMNS,
      validatedStaging('header', sources.headers, { ...common, counter: headerCount }),
    )
    await central.connection.bulkInsert(
      target.detail,
      DETAIL_COLUMNS,
      validatedStaging('detail', sources.details, { ...common, counter: detailCount }),
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
