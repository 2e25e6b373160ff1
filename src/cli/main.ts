import { Command, CommanderError } from 'commander'
import { readFileSync } from 'node:fs'
import { LabsyncError, toLabsyncError } from '../core/errors.js'
import { createCliContext } from './cli-context.js'
import { COMMANDS } from './commands/index.js'

/**
 * The `labsync` command. Each command lives in its own file under
 * commands/ and is listed in commands/index.ts. Returns the exit status:
 * 0 success (a skip included), 1 a run failed, 2 bad configuration or
 * usage, 3 a database could not be reached (docs/OPERATIONS.md).
 */
export async function main(
  argv: string[],
  out: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
): Promise<number> {
  const program = new Command('labsync')
    .description('Moves validated laboratory results from hospitals to the central database.')
    .version(packageVersion(), '-V, --version', 'print the version of labsync')
    .option('-c, --config <file>', 'configuration file (default $LABSYNC_CONFIG or ./labsync.yaml)')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => out(text.trimEnd()),
      writeErr: (text) => process.stderr.write(text),
      // commander's own usage errors (missing or unknown option, bad argument) look like labsync's and exit 2 below.
      outputError: (text, write) => write(`labsync: LABSYNC_USAGE: ${text.replace(/^error: /, '')}`),
    })
  const context = createCliContext(program, out)
  for (const register of COMMANDS) register(program, context)
  const override = (command: Command) => {
    command.exitOverride()
    command.commands.forEach(override)
  }
  override(program)

  try {
    await program.parseAsync(argv)
    return context.exitCode
  } catch (thrown) {
    if (thrown instanceof CommanderError) {
      return thrown.exitCode === 0 ? 0 : 2
    }
    const error = toLabsyncError(thrown)
    process.stderr.write(`labsync: ${error.code}: ${error.message}\n`)
    if (!(thrown instanceof LabsyncError) && process.env.LABSYNC_DEBUG)
      process.stderr.write(`${(thrown as Error).stack}\n`)
    return error.exitCode
  }
}

/** The version in package.json, two folders up from this file in both src/ and dist/. */
function packageVersion(): string {
  const text = readFileSync(new URL('../../package.json', import.meta.url), 'utf8')
  return String((JSON.parse(text) as { version?: unknown }).version ?? 'unknown')
}
