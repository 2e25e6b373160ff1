import { sql, type RawBuilder } from 'kysely'
import { formatKey } from '../core/errors.js'
import type { TableName, UpsertSpec } from '../db/database.js'
import type { Session } from '../db/session.js'
import {
  CENTRAL_HEADER_COLUMNS,
  DETAIL_COLUMNS,
  DETAIL_KEY,
  HEADER_COLUMNS,
  HEADER_KEY,
} from '../db/tables/staging-tables.js'
import { kyselyTable } from '../status/status-store.js'

/**
 * The merge of one hospital's central staging tables into the central
 * result tables (PROTOCOL.md, "Merge rules"), set-based: a handful of
 * statements whatever the number of rows, run inside the caller's
 * transaction.
 *
 *   staged header baja = 1  -> the protocol and all its details are deleted
 *   other staged headers    -> replace the central header (cda = NULL)
 *   staged details          -> replace the central detail with their key;
 *                              central details not staged stay
 *   detail without header   -> not imported, counted as orphans (warning)
 *   another hospital's rows -> not imported, reported as refused (error)
 */
export interface MergeTables {
  stagingHeader: TableName
  stagingDetail: TableName
  centralHeader: TableName
  centralDetail: TableName
}

export interface MergeResult {
  /** Staged headers of this hospital, annulled ones included. */
  stagedHeaders: number
  /** Staged details imported (those whose header is staged and not annulled). */
  importedDetails: number
  deletedProtocols: number
  deletedDetails: number
  /** Central rows inserted or changed (equal rows are not rewritten). */
  headersWritten: number
  detailsWritten: number
  orphanDetails: number
  foreignHeaders: number
  foreignDetails: number
  /** Keys of the first refused rows, for the error message. */
  foreignKeys: string[]
}

const FOREIGN_KEYS_SHOWN = 10

export interface MergeOptions {
  /**
   * The status row shows a completed import of this hospital (ultimoSyncFechaFin
   * was set before the claim): its rows may be central, so the merge upserts
   * without looking for them first. That look is a scan of the central
   * tables, which hold tens of millions of rows.
   */
  importedBefore?: boolean
}

export async function mergeStaging(
  session: Session,
  idEfector: number,
  tables: MergeTables,
  options: MergeOptions = {},
): Promise<MergeResult> {
  const { dialect } = session
  const id = (name: string) => sql.ref(name)
  const E = sql.raw(dialect.qualify(tables.stagingHeader))
  const D = sql.raw(dialect.qualify(tables.stagingDetail))
  const own = sql`${id('idEfector')} = ${idEfector}`
  const annulled = sql`${id('baja')} = ${dialect.bit(true)}`
  const annulledProtocols = sql`SELECT ${id('idProtocolo')} FROM ${E} WHERE ${own} AND ${annulled}`

  const counts = await countStaged(session, idEfector, tables)
  const foreign = await sampleForeignRows(session, idEfector, tables, counts)

  const deletedDetails = await session.run(
    sql`DELETE FROM ${sql.raw(dialect.qualify(tables.centralDetail))} WHERE ${own} AND ${id('idProtocolo')} IN (${annulledProtocols})`,
  )
  const deletedHeaders = await session.run(
    sql`DELETE FROM ${sql.raw(dialect.qualify(tables.centralHeader))} WHERE ${own} AND ${id('idProtocolo')} IN (${annulledProtocols})`,
  )

  const headerColumns = CENTRAL_HEADER_COLUMNS.map((column) => column.name)
  // A hospital's first import (nothing of it centrally yet) needs no upsert: a plain INSERT is the same
  // statement without the conflict checks (no other process writes this hospital's rows: the claim is ours).
  const first = !options.importedBefore && (await isFirstImport(session, idEfector, tables))
  const insertOrUpsert = (spec: UpsertSpec) =>
    first
      ? sql`INSERT INTO ${sql.raw(dialect.qualify(spec.target))} (${sql.raw(spec.columns.map((name) => dialect.quote(name)).join(', '))})
${spec.select}`
      : dialect.upsertFromSelect(spec)

  const headerSelect = headerColumns.map((name) => (name === 'cda' ? sql`NULL AS ${id('cda')}` : id(name)))
  const headers = await session.run(
    insertOrUpsert({
      target: tables.centralHeader,
      columns: headerColumns,
      key: HEADER_KEY,
      select: sql`SELECT ${sql.join(headerSelect)} FROM ${E} WHERE ${own} AND ${id('baja')} = ${dialect.bit(false)}`,
      resetOnReplace: { cda: sql`NULL` },
    }),
  )

  const detailColumns = DETAIL_COLUMNS.map((column) => column.name)
  const aliveStagedHeader = sql`SELECT 1 FROM ${E} h WHERE h.${id('idEfector')} = d.${id('idEfector')}
    AND h.${id('idProtocolo')} = d.${id('idProtocolo')} AND h.${id('baja')} = ${dialect.bit(false)}`
  const details = await session.run(
    insertOrUpsert({
      target: tables.centralDetail,
      columns: detailColumns,
      key: DETAIL_KEY,
      select: sql`SELECT ${sql.join(detailColumns.map((name) => sql.raw(`d.${dialect.quote(name)}`)))} FROM ${D} d
        WHERE d.${id('idEfector')} = ${idEfector} AND EXISTS (${aliveStagedHeader})`,
    }),
  )

  return {
    stagedHeaders: counts.headers,
    importedDetails: counts.details,
    deletedProtocols: deletedHeaders.numAffectedRows,
    deletedDetails: deletedDetails.numAffectedRows,
    headersWritten: headers.numAffectedRows,
    detailsWritten: details.numAffectedRows,
    orphanDetails: counts.orphans,
    foreignHeaders: counts.foreignHeaders,
    foreignDetails: counts.foreignDetails,
    foreignKeys: foreign,
  }
}

async function isFirstImport(session: Session, idEfector: number, tables: MergeTables): Promise<boolean> {
  const anyOf = (table: TableName) =>
    sql`EXISTS (SELECT 1 FROM ${sql.raw(session.dialect.qualify(table))} WHERE ${sql.ref('idEfector')} = ${idEfector})`
  const { rows } = await session.run<{ present: unknown }>(
    sql`SELECT CASE WHEN ${anyOf(tables.centralHeader)} OR ${anyOf(tables.centralDetail)} THEN 1 ELSE 0 END AS present`,
  )
  return Number(rows[0]?.present) === 0
}

export interface StagingCounts {
  /** This hospital's staged headers, annulled ones included. */
  headers: number
  /** Its staged details whose header is staged and not annulled: the ones imported. */
  details: number
  /** Its staged details without a staged header. */
  orphans: number
  foreignHeaders: number
  foreignDetails: number
}

/**
 * Everything the merge reports about the staging tables, in one scan of
 * each (a detail's header found by a join on the header key): the staging
 * tables are not changed by the merge, so counting before it is the same as
 * after, and `central run --dry-run` reports the same counts. SUM(CASE ...)
 * rather than COUNT(*) FILTER, which SQL Server lacks.
 */
export async function countStaged(
  session: Session,
  idEfector: number,
  tables: Pick<MergeTables, 'stagingHeader' | 'stagingDetail'>,
): Promise<StagingCounts> {
  const { dialect } = session
  const id = (name: string) => sql.ref(name)
  const when = (condition: RawBuilder<unknown>) => sql`SUM(CASE WHEN ${condition} THEN 1 ELSE 0 END)`
  const header = await session.run<{ own: unknown; others: unknown }>(sql`SELECT
    ${when(sql`${id('idEfector')} = ${idEfector}`)} AS ${id('own')},
    ${when(sql`${id('idEfector')} <> ${idEfector}`)} AS ${id('others')}
    FROM ${sql.raw(dialect.qualify(tables.stagingHeader))}`)
  const detail = await session.run<{ imported: unknown; orphans: unknown; others: unknown }>(sql`SELECT
    ${when(sql`d.${id('idEfector')} = ${idEfector} AND h.${id('baja')} = ${dialect.bit(false)}`)} AS ${id('imported')},
    ${when(sql`d.${id('idEfector')} = ${idEfector} AND h.${id('idProtocolo')} IS NULL`)} AS ${id('orphans')},
    ${when(sql`d.${id('idEfector')} <> ${idEfector}`)} AS ${id('others')}
    FROM ${sql.raw(dialect.qualify(tables.stagingDetail))} d
    LEFT JOIN ${sql.raw(dialect.qualify(tables.stagingHeader))} h
      ON h.${id('idEfector')} = d.${id('idEfector')} AND h.${id('idProtocolo')} = d.${id('idProtocolo')}`)
  // SUM over no rows is NULL.
  const number = (value: unknown) => Number(value ?? 0)
  return {
    headers: number(header.rows[0]?.own),
    foreignHeaders: number(header.rows[0]?.others),
    details: number(detail.rows[0]?.imported),
    orphans: number(detail.rows[0]?.orphans),
    foreignDetails: number(detail.rows[0]?.others),
  }
}

/** The keys of the first rows that carry another hospital's idEfector, for the error message. */
async function sampleForeignRows(
  session: Session,
  idEfector: number,
  tables: MergeTables,
  counts: StagingCounts,
): Promise<string[]> {
  const sample = async (table: TableName, key: readonly string[], n: number) => {
    if (n === 0) return []
    let query = session.db
      .selectFrom(kyselyTable(table))
      .where('idEfector', '<>', idEfector)
      .select([...key])
    for (const column of key) query = query.orderBy(column)
    const rows = await session.dialect.limit(query, FOREIGN_KEYS_SHOWN).execute()
    return rows.map((row) => `${table.name} ${formatKey(row)}`)
  }
  const headers = await sample(tables.stagingHeader, HEADER_KEY, counts.foreignHeaders)
  const details = await sample(tables.stagingDetail, DETAIL_KEY, counts.foreignDetails)
  return [...headers, ...details].slice(0, FOREIGN_KEYS_SHOWN)
}

/** Staged columns the merge reads; exported for the checks of `doctor` and the SQL printer. */
export const STAGED_HEADER_COLUMN_NAMES = HEADER_COLUMNS.map((column) => column.name)
