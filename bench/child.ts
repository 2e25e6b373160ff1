/**
 * One labsync operation in its own process, so that its peak resident
 * memory is its own: `node --import tsx bench/child.ts '<json>'`. Prints one
 * JSON line: the seconds the operation took (without process start-up),
 * process.resourceUsage().maxRSS, and what it did. Sets up V8 as the
 * installed command does (bin/labsync.js).
 */
import { growYoungGenerationAtOnce } from '../src/cli/young-generation.js'

// Before labsync's modules load, as in bin/labsync.js.
growYoungGenerationAtOnce()
const { runEfectorCycle } = await import('../src/agent/efector-cycle.js')
const { runCentralPass } = await import('../src/central/import-pass.js')
const { configSchema } = await import('../src/core/config.js')
const { newOwnerId } = await import('../src/core/owner.js')
const { openDatabase } = await import('../src/db/open-database.js')

export type ChildTask =
  | { mode: 'idle' }
  | { mode: 'upload'; localUrl: string; centralUrl: string; idEfector: number }
  | { mode: 'pass'; centralUrl: string }

export interface ChildReport {
  seconds: number
  maxRssKb: number
  owner?: string
  upload?: { outcome: string; headers?: number; details?: number; message?: string }
  imports?: { idEfector: number; outcome: string; headers?: number; details?: number; message?: string }[]
}

async function main(task: ChildTask): Promise<ChildReport> {
  const central = (url: string) => ({ url, leaseMinutes: 60 })
  const started = performance.now()
  if (task.mode === 'idle') return { seconds: 0, maxRssKb: process.resourceUsage().maxRSS }
  const owner = newOwnerId()
  if (task.mode === 'upload') {
    const local = openDatabase(task.localUrl)
    const centralDb = openDatabase(task.centralUrl)
    try {
      const efector = configSchema.parse({ efector: { id: task.idEfector, url: task.localUrl } }).efector!
      const result = await runEfectorCycle(local, centralDb, efector, central(task.centralUrl), { owner })
      const seconds = (performance.now() - started) / 1000
      return {
        seconds,
        maxRssKb: process.resourceUsage().maxRSS,
        owner,
        upload: {
          outcome: result.outcome,
          headers: result.uploaded?.headers,
          details: result.uploaded?.details,
          message: result.message,
        },
      }
    } finally {
      await local.close()
      await centralDb.close()
    }
  }
  const centralDb = openDatabase(task.centralUrl)
  try {
    const pass = await runCentralPass(
      centralDb,
      central(task.centralUrl),
      { firstMinutes: 0, maxMinutes: 0 },
      { owner },
    )
    return {
      seconds: (performance.now() - started) / 1000,
      maxRssKb: process.resourceUsage().maxRSS,
      owner,
      imports: pass.outcomes.map((outcome) => ({
        idEfector: outcome.idEfector,
        outcome: outcome.outcome,
        headers: outcome.merge?.stagedHeaders,
        details: outcome.merge?.importedDetails,
        message: outcome.message,
      })),
    }
  } finally {
    await centralDb.close()
  }
}

main(JSON.parse(process.argv[2] ?? '{"mode":"idle"}') as ChildTask).then(
  (report) => process.stdout.write(`${JSON.stringify(report)}\n`),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`)
    process.exit(1)
  },
)
