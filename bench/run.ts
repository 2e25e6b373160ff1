/**
 * `npm run bench -- --size 100000`: labsync's upload, import and central
 * pass measured against the databases' own bulk tools, in one run on this
 * machine. Prints figures; asserts nothing. See docs/BENCHMARKS.md.
 *
 *   --size H             headers of the large round (details: 10·H); default 100000
 *   --baseline-sizes a,b sizes at which the row-by-row legacy baseline also runs; default 3000,6000
 *   --hospitals N        hospitals of the central-pass benchmark; default 200
 *   --pass-headers N     protocols per hospital there; default 20
 *   --importers a,b      importer processes per round; default 1,4
 *   --repeat N           runs of each upload and raw tool step, whose median is reported; default 3
 *   --skip-pass, --skip-scale
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { cpus, freemem, tmpdir, totalmem } from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { dropAllBenchDatabases, serverVersion } from './bench-databases.js'
import { prepareChild, removeBuiltChild, runChild } from './child-runner.js'
import { runPassBench, type PassRound } from './pass-bench.js'
import { megabytes, perSecond, seconds, table } from './report.js'
import { runScaleRound, type Comparison, type Figure } from './scale-round.js'
import { missingTools } from './shell-tools.js'
import { execSync } from 'node:child_process'

const MEMORY_LIMIT_KB = 256 * 1024
/** "No larger at 10·H than at H" allows this much noise. */
const MEMORY_NOISE = 1.1

const { values } = parseArgs({
  options: {
    size: { type: 'string', default: '100000' },
    'baseline-sizes': { type: 'string', default: '3000,6000' },
    hospitals: { type: 'string', default: '200' },
    'pass-headers': { type: 'string', default: '20' },
    importers: { type: 'string', default: '1,4' },
    repeat: { type: 'string', default: '3' },
    'skip-pass': { type: 'boolean', default: false },
    'skip-scale': { type: 'boolean', default: false },
  },
  strict: true,
})

const numbers = (text: string) =>
  text
    .split(',')
    .filter(Boolean)
    .map((part) => positive(part))
function positive(text: string): number {
  const value = Number(text)
  if (!Number.isInteger(value) || value < 1) throw new Error(`not a positive integer: ${text}`)
  return value
}

async function main(): Promise<number> {
  const size = positive(values.size!)
  const baselineSizes = numbers(values['baseline-sizes']!)
  const missing = missingTools()
  if (missing.length > 0) {
    console.error(`bench: missing command-line tools: ${missing.join(', ')}.`)
    console.error(
      'The raw limit is measured with them: install them (apt-get install -y postgresql-client sqlite3) and run again.',
    )
    return 2
  }
  const log = (line: string) => process.stderr.write(`${line}\n`)
  const tmpDir = mkdtempSync(path.join(tmpdir(), 'labsync-bench-'))
  const started = new Date()
  const unmet: string[] = []
  const out: string[] = []
  try {
    out.push(`labsync benchmark, ${started.toISOString()}`)
    out.push(
      `machine: ${cpus().length} cores (${cpus()[0]?.model.trim()}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM (${(freemem() / 2 ** 30).toFixed(1)} free), ` +
        `PostgreSQL ${await serverVersion()}, Node ${process.version}, load average ${execSync('cat /proc/loadavg').toString().split(' ').slice(0, 3).join(' ')}`,
    )
    out.push(`labsync runs in child processes, ${prepareChild()}`)
    const idle = await runChild({ mode: 'idle' })
    out.push(`an idle labsync child process (modules loaded, nothing done): ${megabytes(idle.maxRssKb)} MB resident`)

    const figures: Figure[] = []
    const comparisons: Comparison[] = []
    if (!values['skip-scale']) {
      const small = Math.max(1, Math.floor(size / 10))
      const sizes = [...new Set([...baselineSizes, small, size])].sort((a, b) => a - b)
      for (const round of sizes) {
        const result = await runScaleRound(round, {
          tmpDir,
          baseline: baselineSizes.includes(round),
          repeat: positive(values.repeat!),
          log,
        })
        figures.push(...result.figures)
        comparisons.push(...result.comparisons)
      }
      out.push(
        '',
        `Figures (rows = H headers + 10·H details; seconds of the operation alone, without process start-up; ` +
          `uploads and raw tool steps: median of ${values.repeat} runs, peak RSS the highest of them; imports: one run)`,
      )
      out.push(
        table(
          ['step', 'H', 'rows', 's', 'rows/s', 'peak RSS MB'],
          figures.map((f) => [
            f.step,
            f.size,
            f.rows,
            seconds(f.seconds),
            perSecond(f.rows, f.seconds),
            megabytes(f.maxRssKb),
          ]),
        ),
      )
      out.push('', 'Ratios (time of labsync / time of the reference; lower is better)')
      out.push(
        table(
          ['ratio', 'H', 'value', 'target', 'verdict'],
          comparisons.map((c) => {
            const verdict = c.target === undefined ? '' : c.ratio <= c.target ? 'met' : 'NOT MET'
            if (verdict === 'NOT MET' && c.size === size)
              unmet.push(`${c.what} at H=${c.size}: ${c.ratio.toFixed(2)} > ${c.target}`)
            return [c.what, c.size, c.ratio.toFixed(2), c.target === undefined ? '-' : `<= ${c.target}`, verdict]
          }),
        ),
      )
      const legacy = comparisons.filter((c) => c.what.includes('legacy'))
      if (legacy.length > 0) {
        out.push(
          '',
          `row-by-row legacy baseline at H = ${baselineSizes.join(', ')}: labsync takes ${legacy.map((c) => `${(100 * c.ratio).toFixed(1)} % (H=${c.size}, ${c.what.replace(' / row-by-row legacy', '')})`).join(', ')} of its time`,
        )
      }
      out.push('', ...memoryVerdicts(figures, small, size, unmet))
    }

    if (!values['skip-pass']) {
      const rounds = await runPassBench({
        hospitals: positive(values.hospitals!),
        headersPerHospital: positive(values['pass-headers']!),
        importers: numbers(values.importers!),
        tmpDir,
        log,
      })
      out.push(
        '',
        `Central pass over ${rounds[0]?.hospitals} hospitals, ${values['pass-headers']} protocols and ${10 * positive(values['pass-headers']!)} details each`,
      )
      out.push(passTable(rounds, unmet))
    }
    out.push(
      '',
      unmet.length === 0 ? 'All targets met.' : `Targets NOT met:\n${unmet.map((line) => `  - ${line}`).join('\n')}`,
    )
    out.push(`(run took ${((Date.now() - started.getTime()) / 1000).toFixed(0)} s)`)
    console.log(out.join('\n'))
    return 0
  } finally {
    await dropAllBenchDatabases()
    removeBuiltChild()
    rmSync(tmpDir, { recursive: true, force: true })
  }
}

function memoryVerdicts(figures: Figure[], small: number, size: number, unmet: string[]): string[] {
  const lines: string[] = []
  const measured = figures.filter((f) => f.maxRssKb !== undefined)
  const peak = measured.reduce((max, f) => Math.max(max, f.maxRssKb!), 0)
  const under = peak < MEMORY_LIMIT_KB
  lines.push(
    `memory: highest peak RSS of a labsync process ${megabytes(peak)} MB (target < 256 MB): ${under ? 'met' : 'NOT MET'}`,
  )
  if (!under) unmet.push(`peak RSS ${megabytes(peak)} MB >= 256 MB`)
  for (const step of new Set(measured.map((f) => f.step))) {
    const at = (h: number) => measured.find((f) => f.step === step && f.size === h)
    const low = at(small)?.maxRssKb
    const high = at(size)?.maxRssKb
    if (low === undefined || high === undefined || small === size) continue
    const flat = high <= low * MEMORY_NOISE
    // Each run's peak too, so that the noise between runs shows next to the difference between sizes.
    const runs = (h: number) => {
      const each = at(h)?.runRssKb
      return each && each.length > 1 ? ` (runs: ${each.map(megabytes).join(', ')})` : ''
    }
    lines.push(
      `memory: ${step}: ${megabytes(low)} MB at ${small * 10} details${runs(small)}, ${megabytes(high)} MB at ${size * 10} details${runs(size)}: ${flat ? 'flat (met)' : 'GROWS (NOT MET)'}`,
    )
    if (!flat) unmet.push(`${step}: peak RSS grows from ${megabytes(low)} to ${megabytes(high)} MB`)
  }
  return lines
}

function passTable(rounds: PassRound[], unmet: string[]): string {
  const single = rounds.find((round) => round.importers === 1)
  const rows = rounds.map((round) => {
    if (!round.ok) unmet.push(`${round.importers} importers: ${round.check}`)
    return [
      `${round.importers} importer process(es)`,
      round.rows,
      seconds(round.wallSeconds),
      seconds(round.passSeconds),
      perSecond(round.rows, round.wallSeconds),
      megabytes(round.maxRssKb),
      single ? (single.wallSeconds / round.wallSeconds).toFixed(2) : '-',
      round.check,
    ]
  })
  return table(['importers', 'rows', 'wall s', 'longest pass s', 'rows/s', 'peak RSS MB', 'speed-up', 'check'], rows)
}

main().then(
  (code) => process.exit(code),
  async (error: unknown) => {
    console.error(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`)
    await dropAllBenchDatabases()
    removeBuiltChild()
    process.exit(1)
  },
)
