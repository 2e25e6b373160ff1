import type { FastifyInstance } from 'fastify'
import { sql } from 'kysely'
import { toLabsyncError } from '../../core/errors.js'
import { usingSession } from '../../db/session.js'
import type { MonitorContext } from '../monitor-context.js'

/** GET /health : 200 when the central database answers a query, else 503 with the reason. Open without credentials. */
export function registerHealth(app: FastifyInstance, context: MonitorContext): void {
  app.get('/health', async (_request, reply) => {
    try {
      await context.read(() => usingSession(context.source.database, (session) => session.run(sql`SELECT 1 AS ok`)))
      return { status: 'ok', database: 'up' }
    } catch (thrown) {
      const error = toLabsyncError(thrown)
      return reply.code(503).send({ status: 'error', database: 'down', error: error.code, message: error.message })
    }
  })
}
