import type { FastifyInstance } from 'fastify'
import { readEfector } from '../monitor-data.js'
import { efectorIdOf, sendJsonError, type MonitorContext } from '../monitor-context.js'

/** GET /api/efectores/:id : one hospital as the dashboard shows it; 404 when it is not registered. */
export function registerApiEfector(app: FastifyInstance, context: MonitorContext): void {
  app.get<{ Params: { id: string } }>('/api/efectores/:id', async (request, reply) => {
    try {
      const id = efectorIdOf(request.params.id)
      return await context.read(() => readEfector(context.source, id))
    } catch (error) {
      return sendJsonError(reply, error)
    }
  })
}
