import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify'
import type { CentralConfig, MonitorConfig } from '../core/config.js'
import { LabsyncError } from '../core/errors.js'
import type { Database } from '../db/database.js'
import { accessControlHook, hasAccessControl } from './access-control.js'
import { cronIntervalMinutes } from './alert-threshold.js'
import type { MonitorContext } from './monitor-context.js'
import { createMonitorMetrics } from './monitor-metrics.js'
import { registerApiEfector } from './routes/api-efector.js'
import { registerApiEfectorRuns } from './routes/api-efector-runs.js'
import { registerApiEfectores } from './routes/api-efectores.js'
import { registerAssets } from './routes/assets.js'
import { registerDashboardPage } from './routes/dashboard-page.js'
import { registerEfectorPage } from './routes/efector-page.js'
import { registerHealth } from './routes/health.js'
import { registerMetrics } from './routes/metrics.js'
import { assertTimeZone } from './wall-clock.js'

export interface MonitorOptions {
  /** The central database; the monitor only SELECTs from it. */
  database: Database
  central: Pick<CentralConfig, 'schema' | 'leaseMinutes'>
  monitor: MonitorConfig
  /** The zone whose wall clock the stored times are (config `timeZone`). */
  timeZone: string
  /** The importer's cron expression (config `importer.schedule`), for the alert threshold. */
  importerSchedule: string
  logger?: FastifyBaseLogger
  /** Seconds a read of the central database may take before the monitor reports it down. Default 10. */
  readTimeoutSeconds?: number
}

/**
 * The monitor's fastify app, ready for inject() or listen (listen-monitor.ts).
 * Read-only: every route reads the central database with SELECTs only.
 */
export async function build(options: MonitorOptions): Promise<FastifyInstance> {
  assertTimeZone(options.timeZone)
  const app = Fastify({
    ...(options.logger ? { loggerInstance: options.logger } : { logger: false }),
    routerOptions: { ignoreTrailingSlash: true },
  })
  const timeoutMs = (options.readTimeoutSeconds ?? 10) * 1000
  const context: MonitorContext = {
    source: {
      database: options.database,
      central: options.central,
      timeZone: options.timeZone,
      alert: {
        importerIntervalMinutes: cronIntervalMinutes(options.importerSchedule, options.timeZone),
        factor: options.monitor.alertFactor,
        overrides: options.monitor.alertMinutes,
      },
    },
    monitor: options.monitor,
    metrics: createMonitorMetrics(),
    read: (work) => withTimeout(work(), timeoutMs),
  }

  if (hasAccessControl(options.monitor)) app.addHook('onRequest', accessControlHook(options.monitor))
  app.addHook('onSend', async (_request, reply, payload) => {
    reply.header('x-content-type-options', 'nosniff')
    reply.header('referrer-policy', 'no-referrer')
    reply.header(
      'content-security-policy',
      "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    )
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store')
    return payload
  })

  registerDashboardPage(app, context)
  registerEfectorPage(app, context)
  registerApiEfectores(app, context)
  registerApiEfector(app, context)
  registerApiEfectorRuns(app, context)
  registerMetrics(app, context)
  registerHealth(app, context)
  registerAssets(app)
  app.setNotFoundHandler(async (request, reply) =>
    reply.code(404).send({
      error: 'not_found',
      message: `no such page: ${request.method} ${request.url.split('?')[0].slice(0, 200)}`,
    }),
  )
  await app.ready()
  return app
}

async function withTimeout<T>(work: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new LabsyncError('LABSYNC_CONNECTION', `the central database did not answer within ${timeoutMs / 1000} s`),
        ),
      timeoutMs,
    )
  })
  try {
    return await Promise.race([work, timeout])
  } finally {
    clearTimeout(timer)
  }
}
