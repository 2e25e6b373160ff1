import type { FastifyInstance } from 'fastify'
import { MESSAGES } from '../i18n.js'
import { readEfector, readEfectorRuns } from '../monitor-data.js'
import { efectorIdOf, langOf, sendPageError, type MonitorContext } from '../monitor-context.js'
import { efectorBody } from '../views/efector-view.js'
import { layout } from '../views/layout.js'

/** Runs drawn on the chart at most, and rows of the runs table. */
const CHART_RUNS = 500
const TABLE_RUNS = 50

/** GET /efectores/:id : one hospital, the chart of its runs and the latest runs. */
export function registerEfectorPage(app: FastifyInstance, context: MonitorContext): void {
  app.get<{ Params: { id: string } }>('/efectores/:id', async (request, reply) => {
    const lang = langOf(request)
    const path = `/efectores/${encodeURIComponent(request.params.id)}`
    try {
      const id = efectorIdOf(request.params.id)
      const days = context.monitor.historyDays
      const { efector } = await context.read(() => readEfector(context.source, id))
      const history = await context.read(() => readEfectorRuns(context.source, id, { days, limit: CHART_RUNS }))
      const title = `${efector.idEfector} ${efector.nombreEfector ?? ''} · ${MESSAGES[lang].history}`
      const body = efectorBody(
        { now: history.now, efector, since: history.since, runs: history.runs, days, tableRows: TABLE_RUNS },
        lang,
      )
      return reply
        .type('text/html; charset=utf-8')
        .send(layout({ lang, title, path, refreshSeconds: context.monitor.refreshSeconds, body }))
    } catch (error) {
      return sendPageError(request, reply, error, context, { path, id: request.params.id.slice(0, 40) })
    }
  })
}
