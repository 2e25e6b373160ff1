import type { Command } from 'commander'
import { configSchema, requireCentral } from '../../core/config.js'
import { LabsyncError } from '../../core/errors.js'
import { startIngestServer } from '../../transport/ingest-server.js'
import { commandGroup, parseInteger, usingDatabase, type CliContext } from '../cli-context.js'

export function registerCentralServe(program: Command, context: CliContext): void {
  commandGroup(program, 'central', 'the central server: tables, hospitals, imports')
    .command('serve')
    .description('serve the HTTPS ingestion endpoint that hospitals with transport https upload to (docs/TRANSPORT.md)')
    .option('--port <n>', 'TCP port (default central.serve.port, 8443)', parseInteger('--port'))
    .option('--host <address>', 'address to listen on (default central.serve.host, 127.0.0.1)')
    .action(async (options: { port?: number; host?: string }) => {
      const central = requireCentral(context.config())
      const serve = central.serve ?? configSchema.shape.central.unwrap().shape.serve.unwrap().parse({})
      if (options.port !== undefined && (options.port < 0 || options.port > 65535)) {
        throw new LabsyncError('LABSYNC_USAGE', `--port must be between 0 and 65535, got ${options.port}`)
      }
      const log = context.logger().child({ service: 'ingest' })
      await usingDatabase(central.url, async (database) => {
        const server = await startIngestServer({
          database,
          central,
          serve,
          logger: log,
          host: options.host,
          port: options.port,
        })
        context.out(`labsync: serving uploads on ${server.url}`)
        log.info({ url: server.url }, 'listening')
        await new Promise<void>((resolve) => {
          const stop = (signal: NodeJS.Signals) => {
            log.info({ signal }, 'stopping')
            process.off('SIGINT', stop)
            process.off('SIGTERM', stop)
            resolve()
          }
          process.on('SIGINT', stop)
          process.on('SIGTERM', stop)
        })
        await server.close()
      })
    })
}
