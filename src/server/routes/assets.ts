import type { FastifyInstance } from 'fastify'
import { MONITOR_CSS } from '../views/monitor-css.js'

/** GET /assets/monitor.css : the only asset, served from the package. */
export function registerAssets(app: FastifyInstance): void {
  app.get('/assets/monitor.css', async (_request, reply) =>
    reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=3600').send(MONITOR_CSS),
  )
}
