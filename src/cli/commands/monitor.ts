import type { Command } from 'commander'
import { requireCentral } from '../../core/config.js'
import { LabsyncError } from '../../core/errors.js'
import { openDatabase } from '../../db/open-database.js'
import { hasAccessControl } from '../../server/access-control.js'
import { build } from '../../server/build-monitor.js'
import { listenMonitor, planBind } from '../../server/listen-monitor.js'
import { parseInteger, type CliContext } from '../cli-context.js'

export function registerMonitor(program: Command, context: CliContext): void {
  program
    .command('monitor')
    .description('serve the dashboard, the JSON API, /metrics and /health; reads the central database only')
    .option('--port <n>', 'TCP port (default monitor.port, 8470)', parseInteger('--port'))
    .option('--host <address>', 'address to bind (default monitor.host, 127.0.0.1)')
    .action(async (options: { port?: number; host?: string }) => {
      const loaded = context.config()
      const central = requireCentral(loaded)
      const { monitor } = loaded.config
      const port = options.port ?? monitor.port
      if (port < 0 || port > 65535)
        throw new LabsyncError('LABSYNC_USAGE', `--port must be from 0 to 65535, got ${port}`)
      const plan = planBind(options.host ?? monitor.host, hasAccessControl(monitor))
      const log = context.logger()
      const database = openDatabase(central.url, { poolSize: 4, mustExist: true })
      const app = await build({
        database,
        central,
        monitor,
        timeZone: loaded.config.timeZone,
        importerSchedule: loaded.config.importer.schedule,
        logger: log.child({ component: 'monitor' }),
      })
      if (plan.notice) context.out(`monitor: ${plan.notice}`)
      const url = await listenMonitor(app, plan.host, port)
      context.out(`monitor: listening on ${url} (central database ${database.displayUrl})`)
      await untilStopped()
      context.out('monitor: stopping')
      await app.close()
      await database.close()
    })
}

/** Resolves on the first SIGINT or SIGTERM. */
function untilStopped(): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop)
      process.off('SIGTERM', stop)
      resolve()
    }
    process.on('SIGINT', stop)
    process.on('SIGTERM', stop)
  })
}
