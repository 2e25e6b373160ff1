import type { FastifyInstance } from 'fastify'
import { toLabsyncError } from '../../core/errors.js'
import { readNetwork, type NetworkView } from '../monitor-data.js'
import type { MonitorContext } from '../monitor-context.js'

/**
 * GET /metrics : Prometheus text. A scrape during a database outage still
 * answers 200, with `labsync_monitor_database_up 0` and no other figures,
 * so that the alert is about the database and not about a missing target.
 */
export function registerMetrics(app: FastifyInstance, context: MonitorContext): void {
  app.get('/metrics', async (request, reply) => {
    let network: NetworkView | undefined
    try {
      network = await context.read(() => readNetwork(context.source))
    } catch (error) {
      request.log.warn({ code: toLabsyncError(error).code }, 'central database unreadable')
    }
    const text = await context.metrics.render(network)
    return reply.type(context.metrics.registry.contentType).send(text)
  })
}
