import { existsSync, mkdirSync, mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { sql } from 'kysely'
import { runEfectorCycle, type CycleResult } from '../agent/efector-cycle.js'
import { installEfector } from '../agent/install-efector.js'
import { runCentralPass, type ImportOutcome } from '../central/import-pass.js'
import { addEfector, installCentral } from '../central/install-central.js'
import { loadConfigFile, requireCentral, requireEfector } from '../core/config.js'
import { LabsyncError } from '../core/errors.js'
import { newOwnerId } from '../core/owner.js'
import { openDatabase } from '../db/open-database.js'
import { normaliseDatetime } from '../db/row-validator.js'
import { usingSession, type Session } from '../db/session.js'
import { createSilTables } from './create-sil-tables.js'
import { correctLaboratory } from './demo-corrections.js'
import { generateLaboratory, writeLaboratory, type DemoProtocolFacts } from './demo-laboratory.js'

/**
 * `labsync demo`: the whole chain on embedded SQLite files. A central
 * database and N hospitals are installed and registered; each hospital's
 * database gets the laboratory system's tables (docs/EXPORT.md) filled with
 * generated patients, protocols and results; one efector cycle per
 * hospital (builtin export, upload) and one central pass move them; in a
 * second round the laboratories correct results and annul protocols in
 * their SIL tables, and the changes move the same way. The configuration
 * files it used stay in the folder for the newcomer to go on with.
 */
export interface DemoOptions {
  dir?: string
  efectores: number
  protocols: number
  seed: number
  out: (line: string) => void
}

export interface DemoHospitalSummary {
  idEfector: number
  name: string
  round1: { uploadedHeaders: number; uploadedDetails: number; importedHeaders: number; importedDetails: number }
  round2: {
    uploadedHeaders: number
    edited: number
    annulled: number
    deletedProtocols: number
    headersWritten: number
  }
  central: { headers: number; details: number }
}

export interface DemoResult {
  dir: string
  hospitals: DemoHospitalSummary[]
  seconds: number
}

/** Days of validations each demo export takes; protocols go a few days further back, so the window shows. */
export const DEMO_EXPORT_DAYS = 30
const DEMO_SPAN_DAYS = 34

const HOSPITAL_NAMES = [
  'Hospital Escuela San Martín',
  'Hospital Pediátrico Juan Pablo II',
  'Hospital Ángela I. de Llano',
  'Hospital de Goya',
  'Hospital de Curuzú Cuatiá',
  'Hospital de Paso de los Libres',
  'Hospital de Santo Tomé',
  'Hospital de Esquina',
]

export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const started = performance.now()
  const dir = prepareFolder(options.dir)
  const out = options.out
  out(`labsync demo in ${dir}`)

  const hospitals = Array.from({ length: options.efectores }, (_unused, index) => ({
    id: 101 + index,
    short: `Demo${101 + index}`,
    display: HOSPITAL_NAMES[index % HOSPITAL_NAMES.length] + (index >= HOSPITAL_NAMES.length ? ` ${index + 1}` : ''),
  }))
  writeConfigs(
    dir,
    hospitals.map((hospital) => hospital.id),
  )

  const centralConfig = requireCentral(loadConfigFile(path.join(dir, 'central.yaml')))
  const centralDb = openDatabase(centralConfig.url)
  const summaries: DemoHospitalSummary[] = []
  try {
    await usingSession(centralDb, async (session) => {
      await installCentral(session)
      for (const hospital of hospitals) {
        await addEfector(session, { id: hospital.id, name: hospital.short, displayName: hospital.display })
      }
    })
    out(`installed the central tables and registered ${hospitals.length} hospitals`)

    const generated = new Map<number, DemoProtocolFacts[]>()
    for (const hospital of hospitals) {
      const loaded = loadConfigFile(path.join(dir, `efector-${hospital.id}.yaml`))
      const efector = requireEfector(loaded)
      const local = openDatabase(efector.url)
      try {
        await usingSession(local, async (session) => {
          await installEfector(session)
          await createSilTables(session)
          const laboratory = generateLaboratory({
            idEfector: hospital.id,
            nombreEfector: hospital.display,
            patients: Math.max(400, Math.ceil(options.protocols * 1.2)),
            protocols: options.protocols,
            seed: options.seed,
            today: await databaseToday(session),
            spanDays: DEMO_SPAN_DAYS,
          })
          await writeLaboratory(session, laboratory.tables)
          generated.set(hospital.id, laboratory.protocols)
        })
        const cycle = await runEfectorCycle(local, centralDb, efector, centralConfig, { owner: newOwnerId() })
        expectUploaded(cycle)
        summaries.push({
          idEfector: hospital.id,
          name: hospital.display,
          round1: {
            uploadedHeaders: cycle.uploaded!.headers,
            uploadedDetails: cycle.uploaded!.details,
            importedHeaders: 0,
            importedDetails: 0,
          },
          round2: { uploadedHeaders: 0, edited: 0, annulled: 0, deletedProtocols: 0, headersWritten: 0 },
          central: { headers: 0, details: 0 },
        })
      } finally {
        await local.close()
      }
    }
    out('round 1: every hospital exported and uploaded its results')

    const retry = { firstMinutes: 0, maxMinutes: 0 }
    const first = await runCentralPass(centralDb, centralConfig, retry, { owner: newOwnerId() })
    for (const outcome of first.outcomes) {
      const summary = expectImported(outcome, summaries)
      summary.round1.importedHeaders = outcome.merge!.stagedHeaders
      summary.round1.importedDetails = outcome.merge!.importedDetails
    }
    out('round 1: the central pass imported every hospital')

    for (const hospital of hospitals) {
      const efector = requireEfector(loadConfigFile(path.join(dir, `efector-${hospital.id}.yaml`)))
      const local = openDatabase(efector.url)
      try {
        const changed = await usingSession(local, (session) =>
          correctLaboratory(session, generated.get(hospital.id)!, {
            seed: options.seed + hospital.id,
            exportDays: DEMO_EXPORT_DAYS,
          }),
        )
        const cycle = await runEfectorCycle(local, centralDb, efector, centralConfig, { owner: newOwnerId() })
        expectUploaded(cycle)
        const summary = summaries.find((entry) => entry.idEfector === hospital.id)!
        summary.round2.uploadedHeaders = cycle.uploaded!.headers
        summary.round2.edited = changed.edited
        summary.round2.annulled = changed.annulled
      } finally {
        await local.close()
      }
    }
    const second = await runCentralPass(centralDb, centralConfig, retry, { owner: newOwnerId() })
    for (const outcome of second.outcomes) {
      const summary = expectImported(outcome, summaries)
      summary.round2.deletedProtocols = outcome.merge!.deletedProtocols
      summary.round2.headersWritten = outcome.merge!.headersWritten
    }
    out('round 2: corrections and annulments uploaded and imported')

    await usingSession(centralDb, async (session) => {
      for (const summary of summaries) {
        const count = async (table: string) =>
          Number(
            (
              await session.db
                .selectFrom(table)
                .select((eb) => eb.fn.countAll().as('n'))
                .where('idEfector', '=', summary.idEfector)
                .executeTakeFirstOrThrow()
            ).n,
          )
        summary.central = {
          headers: await count('LAB_ResultadoEncabezado'),
          details: await count('LAB_ResultadoDetalle'),
        }
      }
    })
  } finally {
    await centralDb.close()
  }
  return { dir, hospitals: summaries, seconds: (performance.now() - started) / 1000 }
}

/** Today on the hospital database's clock, the clock the export's window is measured by. */
async function databaseToday(session: Session): Promise<string> {
  const { rows } = await session.run<{ now: string }>(sql`SELECT ${session.dialect.now()} AS now`)
  return normaliseDatetime(rows[0].now).slice(0, 10)
}

function expectUploaded(cycle: CycleResult): void {
  if (cycle.outcome !== 'uploaded') {
    throw (
      cycle.error ??
      new LabsyncError('LABSYNC_UPLOAD', `efector ${cycle.idEfector}: ${cycle.outcome}: ${cycle.message}`)
    )
  }
}

function expectImported(outcome: ImportOutcome, summaries: DemoHospitalSummary[]): DemoHospitalSummary {
  if (outcome.outcome !== 'ok' && outcome.outcome !== 'warning') {
    throw (
      outcome.error ??
      new LabsyncError('LABSYNC_IMPORT', `efector ${outcome.idEfector}: ${outcome.outcome}: ${outcome.message}`)
    )
  }
  return summaries.find((entry) => entry.idEfector === outcome.idEfector)!
}

function prepareFolder(dir: string | undefined): string {
  if (!dir) return mkdtempSync(path.join(tmpdir(), 'labsync-demo-'))
  const resolved = path.resolve(dir)
  if (existsSync(resolved) && !statSync(resolved).isDirectory()) {
    throw new LabsyncError('LABSYNC_USAGE', `${resolved} is a file; give the demo a new or empty folder`)
  }
  if (existsSync(resolved) && readdirSync(resolved).length > 0) {
    throw new LabsyncError('LABSYNC_USAGE', `${resolved} is not empty; give the demo a new or empty folder`)
  }
  mkdirSync(resolved, { recursive: true })
  return resolved
}

function writeConfigs(dir: string, ids: number[]): void {
  // SQLite's clock is this machine's: the monitor and schedules read stored times in its zone.
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone
  const clock = `# SQLite files keep this machine's local time, so the zone is this machine's.
timeZone: ${zone}
`
  writeFileSync(
    path.join(dir, 'central.yaml'),
    `# Written by labsync demo: the central server, an embedded SQLite file beside this one.
central:
  url: sqlite:central.db
  leaseMinutes: 60
importer:
  schedule: "*/15 * * * *"
${clock}log:
  level: warn
`,
  )
  for (const id of ids) {
    writeFileSync(
      path.join(dir, `efector-${id}.yaml`),
      `# Written by labsync demo: hospital ${id}, its own SQLite file (which also holds its laboratory
# system's tables), uploading to central.db. The builtin export reads the SIL tables of that file.
efector:
  id: ${id}
  url: sqlite:efector-${id}.db
  export:
    mode: builtin
    days: ${DEMO_EXPORT_DAYS}
central:
  url: sqlite:central.db
  leaseMinutes: 60
${clock}log:
  level: warn
`,
    )
  }
}
