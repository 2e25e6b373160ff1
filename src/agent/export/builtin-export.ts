import type { Row } from '../../db/row-validator.js'
import type { Session } from '../../db/session.js'
import { builtinDetailRows } from './builtin-detail-rows.js'
import { builtinHeaderRows, type ExportedProtocols } from './builtin-header-rows.js'
import { resolveSilSchema } from './sil-tables.js'

export interface ExportRowStreams {
  headers: AsyncIterable<Row[]>
  /** Read only after `headers` has been read to its end (the details of a protocol follow from its header). */
  details: AsyncIterable<Row[]>
}

/**
 * Export mode `builtin` (docs/EXPORT.md): labsync's own export from the SIL
 * tables of `source` to staging rows, in the staging column order. Plain
 * SELECTs built with Kysely; every rule that is not a filter (names, dates,
 * the decimal formatting, the clean-up of observations) is applied here
 * rather than in SQL, so that it is the same on every database. Bad
 * laboratory data stops the stream with an error naming the protocol and
 * the column.
 */
export async function builtinExportRows(source: Session, idEfector: number, days: number): Promise<ExportRowStreams> {
  const schema = await resolveSilSchema(source, idEfector)
  const exported: ExportedProtocols = new Map()
  let headersDone = false
  async function* headers(): AsyncIterable<Row[]> {
    yield* builtinHeaderRows(source, schema, idEfector, days, exported)
    headersDone = true
  }
  async function* details(): AsyncIterable<Row[]> {
    if (!headersDone) throw new Error('the builtin export reads its details after its headers')
    yield* builtinDetailRows(source, schema, { idEfector, days, exported })
  }
  return { headers: headers(), details: details() }
}
