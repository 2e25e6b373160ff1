import { spawn, spawnSync } from 'node:child_process'

/**
 * The databases' own command-line tools (psql, sqlite3), run through bash
 * with `pipefail` so that a failure anywhere in a pipe is seen. They set the
 * raw limit the benchmark compares labsync with.
 */

export const shellQuote = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`

/** Which of the tools the benchmark needs are missing from PATH. */
export function missingTools(): string[] {
  return ['psql', 'sqlite3', 'bash'].filter((tool) => spawnSync(tool, ['--version'], { stdio: 'ignore' }).status !== 0)
}

/** Runs a shell pipeline; resolves with its wall-clock seconds, rejects with its stderr. */
export function timedPipeline(command: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now()
    const child = spawn('bash', ['-o', 'pipefail', '-c', command], { stdio: ['ignore', 'ignore', 'pipe'] })
    let stderr = ''
    child.stderr.on('data', (chunk) => (stderr += String(chunk)))
    child.on('error', reject)
    child.on('exit', (code) => {
      const seconds = (performance.now() - started) / 1000
      if (code === 0) resolve(seconds)
      else reject(new Error(`pipeline failed (exit ${code}): ${stderr.trim().slice(0, 500)}`))
    })
  })
}

/** `psql` on one database, running one statement (COPY … FROM STDIN reads the pipe). */
export function psql(url: string, statement: string): string {
  return `psql ${shellQuote(url)} -X -q -v ON_ERROR_STOP=1 -c ${shellQuote(statement)}`
}

/** The sqlite3 shell printing a query as CSV, NULL as \N (so that '' stays an empty string). */
export function sqliteCsv(file: string, query: string): string {
  return `sqlite3 -batch -csv -nullvalue '\\N' ${shellQuote(file)} ${shellQuote(query)}`
}
