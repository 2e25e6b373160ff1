import type { FastifyInstance } from 'fastify'
import { MESSAGES } from '../i18n.js'
import { readNetwork } from '../monitor-data.js'
import { langOf, sendPageError, type MonitorContext } from '../monitor-context.js'
import { dashboardBody } from '../views/dashboard-view.js'
import { layout } from '../views/layout.js'

/** GET / : the dashboard, one row per hospital. */
export function registerDashboardPage(app: FastifyInstance, context: MonitorContext): void {
  app.get('/', async (request, reply) => {
    const lang = langOf(request)
    try {
      const network = await context.read(() => readNetwork(context.source))
      return reply.type('text/html; charset=utf-8').send(
        layout({
          lang,
          title: MESSAGES[lang].title,
          path: '/',
          refreshSeconds: context.monitor.refreshSeconds,
          body: dashboardBody(network, lang),
        }),
      )
    } catch (error) {
      return sendPageError(request, reply, error, context, { path: '/' })
    }
  })
}
