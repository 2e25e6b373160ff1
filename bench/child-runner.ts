import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import type { ChildReport, ChildTask } from './child.js'

const CHILD = fileURLToPath(new URL('./child.ts', import.meta.url))

export interface ChildRun extends ChildReport {
  /** From spawn to exit, process start-up included. */
  wallSeconds: number
}

/** Runs one labsync operation in a child process and returns its report. */
export function runChild(task: ChildTask): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const started = performance.now()
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, JSON.stringify(task)], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, LABSYNC_LOG_LEVEL: 'silent' },
    })
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
