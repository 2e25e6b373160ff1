import path from 'node:path'
import { installEfector } from '../src/agent/install-efector.js'
import { addEfector, installCentral } from '../src/central/install-central.js'
import type { Database } from '../src/db/database.js'
import { openDatabase } from '../src/db/open-database.js'
import { usingSession } from '../src/db/session.js'
import {
  CENTRAL_HEADER_COLUMNS,
  centralStagingNames,
  DETAIL_COLUMNS,
  HEADER_COLUMNS,
  LOCAL_DETAIL_TABLE,
  LOCAL_HEADER_TABLE,
} from '../src/db/tables/staging-tables.js'
import { createBenchDatabase, type BenchDatabase } from './bench-databases.js'
import { DETAILS_PER_HEADER, sqliteFillStatements } from './bench-data.js'
import { runChild, type ChildRun } from './child-runner.js'
import { timeLegacyMerge } from './legacy-merge.js'
import { psql, sqliteCsv, timedPipeline } from './shell-tools.js'

/**
 * Everything measured at one size H: H headers and 10·H details uploaded
 * from a SQLite and from a PostgreSQL hospital, the raw tool pipes of the
 * same rows, and the import (first and re-sync) into central tables that
 * already hold 11·H rows of ten other hospitals, against a raw COPY of the
 * same rows and, when asked, the row-by-row legacy baseline.
 */
export interface Figure {
  size: number
  step: string
  rows: number
  seconds: number
  maxRssKb?: number
  /** The peak of each run, when the step ran more than once (maxRssKb is the highest). */
  runRssKb?: number[]
  note?: string
}

export interface Comparison {
  size: number
  what: string
  ratio: number
  /** The largest ratio the issue accepts, when it sets one. */
  target?: number
}

export interface RoundResult {
  figures: Figure[]
  comparisons: Comparison[]
}

const ID = 1
const NAME = 'Bench'
const STAGING = centralStagingNames(NAME)
const BACKGROUND_HOSPITALS = 10
const q = (name: string) => `"${name}"`
const list = (names: readonly string[]) => names.map(q).join(', ')

export async function runScaleRound(
  size: number,
  options: { tmpDir: string; baseline: boolean; repeat: number; log: (line: string) => void },
): Promise<RoundResult> {
  const figures: Figure[] = []
  const comparisons: Comparison[] = []
  const rows = size * (1 + DETAILS_PER_HEADER)
  const figure = (step: string, seconds: number, extra: Partial<Figure> = {}) => {
    const entry = { size, step, rows, seconds, ...extra }
    figures.push(entry)
    options.log(`  ${step}: ${seconds.toFixed(2)} s`)
    return entry
  }
  const compare = (what: string, numerator: number, denominator: number, target?: number) =>
    comparisons.push({ size, what, ratio: numerator / denominator, target })

  const headerNames = HEADER_COLUMNS.map((column) => column.name)
  const detailNames = DETAIL_COLUMNS.map((column) => column.name)
  const centralHeaderNames = CENTRAL_HEADER_COLUMNS.map((column) => column.name)

  const sqliteFile = path.join(options.tmpDir, `hospital-${size}.db`)
  const sqliteUrl = `sqlite:${sqliteFile}`
  const sqlite = openDatabase(sqliteUrl)
  let central: BenchDatabase | undefined
  let localPg: BenchDatabase | undefined
  try {
    options.log(`size ${size}: generating ${size} headers and ${size * DETAILS_PER_HEADER} details`)
    await fillSqlite(sqlite, sqliteFillStatements(ID, size))
    central = await createBenchDatabase(`c${size}`)
    localPg = await createBenchDatabase(`l${size}`)
    const centralDb = central
    await usingSession(central.database, async (session) => {
      await installCentral(session)
      await addEfector(session, { id: ID, name: NAME })
    })
    await usingSession(localPg.database, (session) => installEfector(session))

    // Raw SQLite -> PostgreSQL: the sqlite3 shell's CSV into COPY, into empty tables of the staging definition.
    const csvCopy = (table: string, names: readonly string[]) =>
      `${sqliteCsv(sqliteFile, `SELECT ${list(names)} FROM ${q(table)}`)} | ${psql(
        localPg!.url,
        `COPY ${q(table)} (${list(names)}) FROM STDIN (FORMAT csv, NULL '\\N')`,
      )}`
    const rawSqlite = await medianOf(options.repeat, async () => {
      await localPg!.query(`TRUNCATE ${q(LOCAL_HEADER_TABLE)}, ${q(LOCAL_DETAIL_TABLE)}`)
      return (
        (await timedPipeline(csvCopy(LOCAL_HEADER_TABLE, headerNames))) +
        (await timedPipeline(csvCopy(LOCAL_DETAIL_TABLE, detailNames)))
      )
    })
    const rawSqliteFigure = figure('raw pipe sqlite3 CSV -> psql COPY', rawSqlite)

    // Other hospitals' rows already in the central tables: the same rows under ten other idEfector.
    const background = (from: string, to: string, names: readonly string[], where: string) => {
      const select = names.map((name) =>
        name === 'idEfector'
          ? `1001 + "idProtocolo" % ${BACKGROUND_HOSPITALS} AS "idEfector"`
          : name === 'cda'
            ? 'NULL AS cda'
            : q(name),
      )
      return timedPipeline(
        `${psql(localPg!.url, `COPY (SELECT ${select.join(', ')} FROM ${q(from)} ${where}) TO STDOUT`)} | ${psql(
          centralDb.url,
          `COPY ${q(to)} (${list(names)}) FROM STDIN`,
        )}`,
      )
    }
    await background(LOCAL_HEADER_TABLE, 'LAB_ResultadoEncabezado', centralHeaderNames, 'WHERE NOT baja')
    await background(LOCAL_DETAIL_TABLE, 'LAB_ResultadoDetalle', detailNames, '')
    await central.query('ANALYZE')

    const upload = async (step: string, localUrl: string, raw?: Figure) => {
      const runRssKb: number[] = []
      const seconds = await medianOf(options.repeat, async () => {
        const run = await runChild({ mode: 'upload', localUrl, centralUrl: centralDb.url, idEfector: ID })
        expectUpload(run, size)
        runRssKb.push(run.maxRssKb)
        return run.seconds
      })
      const entry = figure(step, seconds, { maxRssKb: Math.max(...runRssKb), runRssKb })
      if (raw) compare(`${step} / ${raw.step}`, entry.seconds, raw.seconds, 1.5)
      return entry
    }
    await upload('upload SQLite -> PostgreSQL', sqliteUrl, rawSqliteFigure)
    const pgUpload = await upload('upload PostgreSQL -> PostgreSQL', localPg.url)

    // Raw PostgreSQL -> PostgreSQL: psql COPY TO STDOUT into psql COPY FROM STDIN, into empty staging-shaped tables.
    const localPgUrl = localPg.url
    const rawPg = await medianOf(options.repeat, () =>
      rawCopyInto(centralDb, [
        {
          from: localPgUrl,
          select: `${q(LOCAL_HEADER_TABLE)} (${list(headerNames)})`,
          like: STAGING.header,
          names: headerNames,
        },
        {
          from: localPgUrl,
          select: `${q(LOCAL_DETAIL_TABLE)} (${list(detailNames)})`,
          like: STAGING.detail,
          names: detailNames,
        },
      ]),
    )
    const rawPgFigure = figure('raw pipe psql COPY -> psql COPY', rawPg)
    compare(`${pgUpload.step} / ${rawPgFigure.step}`, pgUpload.seconds, rawPgFigure.seconds, 1.5)

    const stagedHeaderNames = centralHeaderNames.filter((name) => name !== 'cda')
    const rawImport = () =>
      rawCopyInto(centralDb, [
        {
          from: centralDb.url,
          select: `(SELECT ${list(stagedHeaderNames)} FROM ${q(STAGING.header)})`,
          like: 'LAB_ResultadoEncabezado',
          names: stagedHeaderNames,
        },
        {
          from: centralDb.url,
          select: `${q(STAGING.detail)} (${list(detailNames)})`,
          like: 'LAB_ResultadoDetalle',
          names: detailNames,
        },
      ])

    const importRound = async (label: string, target: number) => {
      const raw = figure(`raw COPY into empty central tables (${label})`, await medianOf(options.repeat, rawImport))
      let legacy: Figure | undefined
      if (options.baseline) {
        legacy = figure(`row-by-row legacy merge (${label})`, await timeLegacyMerge(centralDb, ID, STAGING))
      }
      const run = await runChild({ mode: 'pass', centralUrl: centralDb.url })
      const outcome = run.imports?.find((entry) => entry.idEfector === ID)
      if (run.imports?.length !== 1 || (outcome?.outcome !== 'ok' && outcome?.outcome !== 'warning')) {
        throw new Error(`import (${label}) did not import hospital ${ID}: ${JSON.stringify(run.imports)}`)
      }
      const merged = figure(`import (${label})`, run.seconds, { maxRssKb: run.maxRssKb })
      compare(`import (${label}) / raw COPY`, merged.seconds, raw.seconds, target)
      if (legacy) compare(`import (${label}) / row-by-row legacy`, merged.seconds, legacy.seconds)
    }
    await importRound('first', 1.5)
    await expectCentralHeaders(centralDb, expectedHeaders(size, false))

    // The next window: most protocols again, 10 % corrected, 2 % annulled, 2 % new; uploaded through labsync.
    await fillSqlite(sqlite, resyncStatements())
    const resyncUpload = await runChild({
      mode: 'upload',
      localUrl: sqliteUrl,
      centralUrl: centralDb.url,
      idEfector: ID,
    })
    expectUpload(resyncUpload, size)
    await importRound('re-sync', 2)
    await expectCentralHeaders(centralDb, expectedHeaders(size, true))
    return { figures, comparisons }
  } finally {
    await sqlite.close()
    await central?.drop()
    await localPg?.drop()
  }
}

/** The median seconds of `times` runs of a step that can run again from the same state. */
async function medianOf(times: number, run: () => Promise<number>): Promise<number> {
  const seconds: number[] = []
  for (let index = 0; index < times; index++) seconds.push(await run())
  seconds.sort((a, b) => a - b)
  const middle = Math.floor(seconds.length / 2)
  return seconds.length % 2 === 1 ? seconds[middle] : (seconds[middle - 1] + seconds[middle]) / 2
}

async function fillSqlite(database: Database, statements: string[]): Promise<void> {
  await usingSession(database, async (session) => {
    await installEfector(session)
    await session.transaction(async () => {
      for (const statement of statements) await session.connection.execute({ sql: statement, parameters: [] })
    })
  })
}

function resyncStatements(): string[] {
  const H = q(LOCAL_HEADER_TABLE)
  const D = q(LOCAL_DETAIL_TABLE)
  return [
    `UPDATE ${H} SET "observacionesResultados" = 'Resultado corregido por el laboratorio.' WHERE "idProtocolo" % 10 = 1`,
    `UPDATE ${D} SET resultado = COALESCE(resultado, '') || ' (corregido)' WHERE "idProtocolo" % 10 = 1`,
    `UPDATE ${H} SET baja = 1 WHERE "idProtocolo" % 50 = 7`,
    `UPDATE ${H} SET "idProtocolo" = "idProtocolo" + 10000000 WHERE "idProtocolo" % 50 = 3`,
    `UPDATE ${D} SET "idProtocolo" = "idProtocolo" + 10000000 WHERE "idProtocolo" % 50 = 3`,
  ]
}

/** Central headers of the benchmark hospital after the first import, and after the re-sync. */
function expectedHeaders(size: number, resync: boolean): number {
  let count = 0
  for (let i = 1; i <= size; i++) {
    if (i % 50 === 0) continue
    if (resync && i % 50 === 7) continue
    count += resync && i % 50 === 3 ? 2 : 1
  }
  return count
}

async function expectCentralHeaders(central: BenchDatabase, expected: number): Promise<void> {
  const { rows } = await central.query(
    `SELECT COUNT(*)::int AS n FROM "LAB_ResultadoEncabezado" WHERE "idEfector" = ${ID}`,
  )
  if (rows[0].n !== expected)
    throw new Error(`central holds ${rows[0].n} headers of hospital ${ID}, expected ${expected}`)
}

function expectUpload(run: ChildRun, size: number): void {
  const upload = run.upload
  if (upload?.outcome !== 'uploaded' || upload.headers !== size || upload.details !== size * DETAILS_PER_HEADER) {
    throw new Error(`upload did not load the rows: ${JSON.stringify(upload)}`)
  }
}

/** psql COPY … TO STDOUT piped into COPY … FROM STDIN, into fresh empty tables LIKE the given ones; total seconds. */
async function rawCopyInto(
  central: BenchDatabase,
  copies: { from: string; select: string; like: string; names: readonly string[] }[],
): Promise<number> {
  let seconds = 0
  for (const [index, copy] of copies.entries()) {
    const target = `bench_raw_${index}`
    await central.query(`DROP TABLE IF EXISTS ${target}; CREATE TABLE ${target} (LIKE ${q(copy.like)} INCLUDING ALL)`)
    seconds += await timedPipeline(
      `${psql(copy.from, `COPY ${copy.select} TO STDOUT`)} | ${psql(central.url, `COPY ${target} (${list(copy.names)}) FROM STDIN`)}`,
    )
  }
  for (const index of copies.keys()) await central.query(`DROP TABLE bench_raw_${index}`)
  return seconds
}
