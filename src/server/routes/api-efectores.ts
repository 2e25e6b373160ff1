import type { FastifyInstance } from 'fastify'
import { readNetwork } from '../monitor-data.js'
import { sendJsonError, type MonitorContext } from '../monitor-context.js'

/** GET /api/efectores : every hospital as the dashboard shows it, and the latest importer pass. */
export function registerApiEfectores(app: FastifyInstance, context: MonitorContext): void {
  app.get('/api/efectores', async (_request, reply) => {
    try {
      return await context.read(() => readNetwork(context.source))
    } catch (error) {
      return sendJsonError(reply, error)
    }
  })
}
