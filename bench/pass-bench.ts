import path from 'node:path'
import { spawnSync } from 'node:child_process'
import { addEfector, installCentral } from '../src/central/install-central.js'
import { openDatabase } from '../src/db/open-database.js'
import { usingSession } from '../src/db/session.js'
import {
  centralStagingNames,
  DETAIL_COLUMNS,
  HEADER_COLUMNS,
  LOCAL_DETAIL_TABLE,
  LOCAL_HEADER_TABLE,
} from '../src/db/tables/staging-tables.js'
import { claimUpload, markUploadCommitted } from '../src/status/status-store.js'
import { installEfector } from '../src/agent/install-efector.js'
import { createBenchDatabase, type BenchDatabase } from './bench-databases.js'
import { DETAILS_PER_HEADER, sqliteFillStatements } from './bench-data.js'
import { runChild, type ChildRun } from './child-runner.js'
import { psql, sqliteCsv, timedPipeline } from './shell-tools.js'

/**
 * The central pass over many registered hospitals with small uploads, run
 * by 1 and then by N importer processes at once. Between the two rounds the
 * central result tables are emptied and every upload committed again, so
 * both rounds do the same work. After each round: every hospital was
 * imported exactly once (labsync_run rows of that round's owners, the
 * importers' own outcomes, and the status rows' sequence numbers).
 */
export interface PassRound {
  importers: number
  hospitals: number
  rows: number
  /** From starting the importer processes to the last one's exit. */
  wallSeconds: number
  /** The longest pass as measured inside an importer (without process start-up). */
  passSeconds: number
  maxRssKb: number
  check: string
  ok: boolean
}

const FIRST_ID = 1001
const q = (name: string) => `"${name}"`
const list = (names: string[]) => names.map(q).join(', ')

export async function runPassBench(options: {
  hospitals: number
  headersPerHospital: number
  importers: number[]
  tmpDir: string
  log: (line: string) => void
}): Promise<PassRound[]> {
  const central = await createBenchDatabase('pass')
  try {
    options.log(
      `central pass: registering ${options.hospitals} hospitals with ${options.headersPerHospital} protocols each`,
    )
    await stageEveryHospital(central, options)
    const rounds: PassRound[] = []
    for (const [index, importers] of options.importers.entries()) {
      if (index > 0) {
        await central.query(`TRUNCATE "LAB_ResultadoEncabezado", "LAB_ResultadoDetalle"`)
        await commitUploads(central, options.hospitals)
      }
      const started = performance.now()
      const runs = await Promise.all(
        Array.from({ length: importers }, () => runChild({ mode: 'pass', centralUrl: central.url })),
      )
      const wallSeconds = (performance.now() - started) / 1000
      const verdict = await checkExactlyOnce(central, runs, options.hospitals, options.headersPerHospital)
      rounds.push({
        importers,
        hospitals: options.hospitals,
        rows: options.hospitals * options.headersPerHospital * (1 + DETAILS_PER_HEADER),
        wallSeconds,
        passSeconds: Math.max(...runs.map((run) => run.seconds)),
        maxRssKb: Math.max(...runs.map((run) => run.maxRssKb)),
        ...verdict,
      })
      options.log(`  ${importers} importer(s): ${wallSeconds.toFixed(2)} s, ${verdict.check}`)
    }
    return rounds
  } finally {
    await central.drop()
  }
}

async function stageEveryHospital(
  central: BenchDatabase,
  options: { hospitals: number; headersPerHospital: number; tmpDir: string },
): Promise<void> {
  await usingSession(central.database, async (session) => {
    await installCentral(session)
    for (let index = 0; index < options.hospitals; index++) {
      await addEfector(session, { id: FIRST_ID + index, name: `Bench${FIRST_ID + index}` })
    }
  })
  // One small hospital export, generated in SQLite and copied in as a template...
  const file = path.join(options.tmpDir, 'pass-template.db')
  const sqlite = openDatabase(`sqlite:${file}`)
  await usingSession(sqlite, async (session) => {
    await installEfector(session)
    for (const statement of sqliteFillStatements(0, options.headersPerHospital)) {
      await session.connection.execute({ sql: statement, parameters: [] })
    }
  })
  await sqlite.close()
  const headerNames = HEADER_COLUMNS.map((column) => column.name)
  const detailNames = DETAIL_COLUMNS.map((column) => column.name)
  const template = { header: 'bench_template_header', detail: 'bench_template_detail' }
  const first = centralStagingNames(`Bench${FIRST_ID}`)
  await central.query(
    `CREATE TABLE ${template.header} (LIKE ${q(first.header)}); CREATE TABLE ${template.detail} (LIKE ${q(first.detail)})`,
  )
  for (const [table, target, names] of [
    [LOCAL_HEADER_TABLE, template.header, headerNames],
    [LOCAL_DETAIL_TABLE, template.detail, detailNames],
  ] as const) {
    await timedPipeline(
      `${sqliteCsv(file, `SELECT ${list(names)} FROM ${q(table)}`)} | ${psql(central.url, `COPY ${target} (${list(names)}) FROM STDIN (FORMAT csv, NULL '\\N')`)}`,
    )
  }
  spawnSync('rm', ['-f', file])
  // ...then into every hospital's staging under its own idEfector, and the upload committed on its status row.
  for (let index = 0; index < options.hospitals; index++) {
    const id = FIRST_ID + index
    const names = centralStagingNames(`Bench${id}`)
    const select = (columns: string[]) =>
      columns.map((name) => (name === 'idEfector' ? String(id) : q(name))).join(', ')
    await central.query(
      `INSERT INTO ${q(names.header)} (${list(headerNames)}) SELECT ${select(headerNames)} FROM ${template.header}`,
    )
    await central.query(
      `INSERT INTO ${q(names.detail)} (${list(detailNames)}) SELECT ${select(detailNames)} FROM ${template.detail}`,
    )
  }
  await central.query('ANALYZE')
  await commitUploads(central, options.hospitals)
}

/** Marks every hospital's staging as a committed upload, through labsync's own claim and commit. */
async function commitUploads(central: BenchDatabase, hospitals: number): Promise<void> {
  await usingSession(central.database, async (session) => {
    const status = { name: 'LAB_EstadoSyncGeneral' }
    for (let index = 0; index < hospitals; index++) {
      const id = FIRST_ID + index
      await session.transaction(async () => {
        if (!(await claimUpload(session, status, id, 'bench', 60)))
          throw new Error(`could not claim the upload of ${id}`)
        if (!(await markUploadCommitted(session, status, id, 'bench', { headers: 0, details: 0 }))) {
          throw new Error(`could not commit the upload of ${id}`)
        }
      })
    }
  })
}

async function checkExactlyOnce(
  central: BenchDatabase,
  runs: ChildRun[],
  hospitals: number,
  headersPerHospital: number,
): Promise<{ check: string; ok: boolean }> {
  const problems: string[] = []
  const imported = new Map<number, number>()
  for (const run of runs) {
    for (const entry of run.imports ?? []) {
      if (entry.outcome === 'taken') continue
      if (entry.outcome !== 'ok') problems.push(`hospital ${entry.idEfector}: ${entry.outcome} ${entry.message ?? ''}`)
      imported.set(entry.idEfector, (imported.get(entry.idEfector) ?? 0) + 1)
    }
  }
  const twice = [...imported].filter(([, count]) => count > 1).map(([id]) => id)
  const missed: number[] = []
  for (let index = 0; index < hospitals; index++) if (!imported.has(FIRST_ID + index)) missed.push(FIRST_ID + index)

  const owners = runs.map((run) => `'${run.owner}'`).join(', ')
  const history = await central.query(
    `SELECT "idEfector", COUNT(*)::int AS n FROM labsync_run WHERE kind = 'import' AND owner IN (${owners}) AND outcome = 'ok' GROUP BY "idEfector"`,
  )
  const historyOnce = history.rows.filter((row) => row.n === 1).length
  const status = await central.query(
    `SELECT COUNT(*)::int AS n FROM "LAB_EstadoSyncGeneral"
      WHERE "ultimoSyncFechaFin" IS NOT NULL AND "labsyncImportedSeq" = "labsyncUploadSeq" AND "labsyncImportOwner" IS NULL`,
  )
  const headers = await central.query(`SELECT COUNT(*)::int AS n FROM "LAB_ResultadoEncabezado"`)
  const expectedHeaders = hospitals * (headersPerHospital - Math.floor(headersPerHospital / 50))
  if (twice.length > 0) problems.push(`imported twice: ${twice.join(', ')}`)
  if (missed.length > 0) problems.push(`missed: ${missed.slice(0, 10).join(', ')}${missed.length > 10 ? ', ...' : ''}`)
  if (historyOnce !== hospitals || history.rows.length !== hospitals)
    problems.push(`labsync_run: ${historyOnce} of ${hospitals} hospitals with exactly one import`)
  if (status.rows[0].n !== hospitals)
    problems.push(`status rows: ${status.rows[0].n} of ${hospitals} imported up to their last upload`)
  if (headers.rows[0].n !== expectedHeaders)
    problems.push(`central headers ${headers.rows[0].n}, expected ${expectedHeaders}`)
  return problems.length === 0
    ? { ok: true, check: `all ${hospitals} imported exactly once (outcomes, labsync_run, status rows, row counts)` }
    : { ok: false, check: `FAILED: ${problems.join('; ')}` }
}
