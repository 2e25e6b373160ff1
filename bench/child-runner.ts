import { spawn, spawnSync } from 'node:child_process'
import { existsSync, rmSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { ChildReport, ChildTask } from './child.js'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const SOURCE_CHILD = fileURLToPath(new URL('./child.ts', import.meta.url))
/** Inside node_modules so that the compiled files find the packages, and git ignores them. */
const BUILD_DIR = fileURLToPath(new URL(`../node_modules/.cache/labsync-bench-${process.pid}`, import.meta.url))
const BUILT_CHILD = `${BUILD_DIR}/bench/child.js`

export interface ChildRun extends ChildReport {
  /** From spawn to exit, process start-up included. */
  wallSeconds: number
}

/**
 * Compiles the child and the labsync modules it loads with tsc, so that
 * the measured process runs compiled JavaScript as the installed command
 * does (the tsx loader alone adds some 45 MB of resident memory). Returns
 * how children will run, for the report.
 */
export function prepareChild(): string {
  const tsc = spawnSync(
    process.execPath,
    [
      `${ROOT}/node_modules/typescript/bin/tsc`,
      SOURCE_CHILD,
      ...['--outDir', BUILD_DIR, '--rootDir', ROOT, '--module', 'NodeNext', '--moduleResolution', 'NodeNext'],
      ...['--target', 'ES2022', '--esModuleInterop', '--skipLibCheck', '--types', 'node'],
    ],
    { encoding: 'utf8' },
  )
  if (existsSync(BUILT_CHILD)) return 'compiled with tsc (as the installed command runs)'
  return `through the tsx loader (compiling failed: ${(tsc.stdout + tsc.stderr).trim().slice(0, 200)}); resident memory includes tsx`
}

export function removeBuiltChild(): void {
  rmSync(BUILD_DIR, { recursive: true, force: true })
}

/** Runs one labsync operation in a child process and returns its report. */
export function runChild(task: ChildTask): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const started = performance.now()
    const args = existsSync(BUILT_CHILD) ? [BUILT_CHILD] : ['--import', 'tsx', SOURCE_CHILD]
    const child = spawn(process.execPath, [...args, JSON.stringify(task)], { stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk) => (stdout += String(chunk)))
    child.stderr.on('data', (chunk) => (stderr += String(chunk)))
    child.on('error', reject)
    child.on('exit', (code) => {
      const wallSeconds = (performance.now() - started) / 1000
      const line = stdout.trim().split('\n').pop() ?? ''
      if (code !== 0 || !line.startsWith('{')) {
        reject(new Error(`bench child ${task.mode} failed (exit ${code}): ${stderr.trim().slice(0, 800)}`))
        return
      }
      resolve({ ...(JSON.parse(line) as ChildReport), wallSeconds })
    })
  })
}
