import type { Command } from 'commander'
import { loadConfigFile, type LoadedConfig } from '../core/config.js'
import { LabsyncError } from '../core/errors.js'
import { createLogger, type Logger } from '../core/logger.js'
import type { Database } from '../db/database.js'
import { openDatabase, type OpenOptions } from '../db/open-database.js'

/**
 * What every command gets: where to print for people (stdout), the logger
 * (stderr), and the configuration file named by --config.
 */
export interface CliContext {
  out: (line: string) => void
  /** The exit status the command asks for (0 unless set). */
  exitCode: number
  logger(): Logger
  config(): LoadedConfig
}

export function createCliContext(program: Command, out: (line: string) => void): CliContext {
  let logger: Logger | undefined
  let loaded: LoadedConfig | undefined
  return {
    out,
    exitCode: 0,
    config() {
      if (!loaded) {
        const file = (program.opts().config as string | undefined) ?? process.env.LABSYNC_CONFIG ?? 'labsync.yaml'
        loaded = loadConfigFile(file)
      }
      return loaded
    },
    logger() {
      logger ??= createLogger(
        loaded?.config.log.level ?? (process.env.LABSYNC_LOG_LEVEL as 'info' | undefined) ?? 'info',
      )
      return logger
    },
  }
}

/** Opens a database for the length of `work` and always closes it. */
export async function usingDatabase<T>(
  url: string,
  work: (database: Database) => Promise<T>,
  options: OpenOptions = {},
): Promise<T> {
  const database = openDatabase(url, options)
  try {
    return await work(database)
  } finally {
    await database.close()
  }
}

export function parseInteger(name: string) {
  return (value: string): number => {
    if (!/^-?\d+$/.test(value))
      throw new LabsyncError('LABSYNC_USAGE', `${name} must be an integer, got ${JSON.stringify(value)}`)
    return Number(value)
  }
}

/** The subcommand group `name` (central, efector, ...), created on first use. */
export function commandGroup(program: Command, name: string, description: string): Command {
  return program.commands.find((command) => command.name() === name) ?? program.command(name).description(description)
}

/** Largest idEfector: the column is an int on every database. */
const MAX_ID_EFECTOR = 2_147_483_647

/** Parses --id: an idEfector is a positive int. */
export function parseIdEfector(value: string): number {
  const id = parseInteger('--id')(value)
  if (id < 1 || id > MAX_ID_EFECTOR) {
    throw new LabsyncError(
      'LABSYNC_USAGE',
      `--id must be a positive integer up to ${MAX_ID_EFECTOR}, got ${JSON.stringify(value)}`,
    )
  }
  return id
}
