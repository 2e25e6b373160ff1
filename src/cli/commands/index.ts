import type { Command } from 'commander'
import type { CliContext } from '../cli-context.js'
import { registerCentralAddEfector } from './central-add-efector.js'
import { registerCentralInstall } from './central-install.js'
import { registerCentralRun } from './central-run.js'
import { registerCentralServe } from './central-serve.js'
import { registerCentralStart } from './central-start.js'
import { registerCentralToken } from './central-token.js'
import { registerDemo } from './demo.js'
import { registerDoctor } from './doctor.js'
import { registerEfectorExport } from './efector-export.js'
import { registerEfectorInstall } from './efector-install.js'
import { registerEfectorRun } from './efector-run.js'
import { registerEfectorStart } from './efector-start.js'
import { registerInit } from './init.js'
import { registerMonitor } from './monitor.js'
import { registerSql } from './sql.js'
import { registerStatus } from './status.js'

/** Every command of the CLI, in the order `labsync --help` lists them. */
export const COMMANDS: Array<(program: Command, context: CliContext) => void> = [
  registerInit,
  registerCentralInstall,
  registerCentralAddEfector,
  registerCentralRun,
  registerCentralStart,
  registerCentralServe,
  registerCentralToken,
  registerEfectorInstall,
  registerEfectorExport,
  registerEfectorRun,
  registerEfectorStart,
  registerStatus,
  registerDoctor,
  registerSql,
  registerMonitor,
  registerDemo,
]
