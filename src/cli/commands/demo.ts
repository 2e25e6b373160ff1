import path from 'node:path'
import type { Command } from 'commander'
import { LabsyncError } from '../../core/errors.js'
import { runDemo, type DemoResult } from '../../demo/run-demo.js'
import { parseInteger, type CliContext } from '../cli-context.js'
import { formatTable } from './status.js'

function parseAtLeastOne(name: string) {
  return (value: string): number => {
    const n = parseInteger(name)(value)
    if (n < 1) throw new LabsyncError('LABSYNC_USAGE', `${name} must be 1 or more, got ${JSON.stringify(value)}`)
    return n
  }
}

export function registerDemo(program: Command, context: CliContext): void {
  program
    .command('demo')
    .description('run the whole chain on embedded SQLite databases with generated results')
    .option('--dir <folder>', 'where to put the databases and configuration files (default a new temporary folder)')
    .option('--efectores <n>', 'number of hospitals', parseAtLeastOne('--efectores'), 3)
    .option('--protocols <n>', 'protocols per hospital', parseAtLeastOne('--protocols'), 300)
    .option('--seed <n>', 'seed of the generated data (same seed, same data)', parseInteger('--seed'), 1)
    .action(async (options: { dir?: string; efectores: number; protocols: number; seed: number }) => {
      const result = await runDemo({ ...options, out: context.out })
      context.out('')
      context.out(formatDemoSummary(result))
      context.out('')
      context.out('Go on from here:')
      const labsync = commandAsRun()
      context.out(`  ${labsync} --config ${result.dir}/central.yaml status`)
      const firstEfector = `${result.dir}/efector-${result.hospitals[0]?.idEfector ?? 101}.yaml`
      context.out(`  ${labsync} --config ${firstEfector} efector export --dry-run`)
      context.out(`  ${labsync} --config ${firstEfector} efector run`)
      context.out(`  ${labsync} --config ${result.dir}/central.yaml central run`)
    })
}

/** `npx labsync` inside a checkout (npm run demo), `labsync` where it is installed on the PATH. */
function commandAsRun(): string {
  const script = path.resolve(process.argv[1] ?? '')
  return script.startsWith(`${process.cwd()}${path.sep}`) ? 'npx labsync' : 'labsync'
}

export function formatDemoSummary(result: DemoResult): string {
  const rows = result.hospitals.map((hospital) => [
    String(hospital.idEfector),
    hospital.name,
    `${hospital.round1.uploadedHeaders} / ${hospital.round1.uploadedDetails}`,
    `${hospital.round1.importedHeaders} / ${hospital.round1.importedDetails}`,
    String(hospital.round2.edited),
    String(hospital.round2.deletedProtocols),
    `${hospital.central.headers} / ${hospital.central.details}`,
  ])
  const table = formatTable(
    [
      'id',
      'efector',
      'round 1 uploaded (h/d)',
      'round 1 imported (h/d)',
      'round 2 corrected',
      'round 2 deleted',
      'central now (h/d)',
    ],
    rows,
  )
  const legend =
    'h/d: headers / details. Round 1 exports the protocols validated in the window and moves them; in round 2 the\n' +
    'hospitals correct results and annul protocols, and the annulled ones are deleted from the central tables.'
  return `${table}\n\n${legend}\n${result.hospitals.length} hospitals in ${result.seconds.toFixed(1)} s`
}
