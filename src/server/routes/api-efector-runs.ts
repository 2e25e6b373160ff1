import type { FastifyInstance } from 'fastify'
import { LabsyncError } from '../../core/errors.js'
import { readEfectorRuns } from '../monitor-data.js'
import { efectorIdOf, sendJsonError, type MonitorContext } from '../monitor-context.js'

const MAX_LIMIT = 1000

/** GET /api/efectores/:id/runs?days=&limit= : the hospital's runs of the last days, newest first. */
export function registerApiEfectorRuns(app: FastifyInstance, context: MonitorContext): void {
  app.get<{ Params: { id: string }; Querystring: { days?: string; limit?: string } }>(
    '/api/efectores/:id/runs',
    async (request, reply) => {
      try {
        const id = efectorIdOf(request.params.id)
        const days = positiveInteger('days', request.query.days, context.monitor.historyDays, 3660)
        const limit = positiveInteger('limit', request.query.limit, 200, MAX_LIMIT)
        const history = await context.read(() => readEfectorRuns(context.source, id, { days, limit }))
        return { idEfector: id, days, ...history }
      } catch (error) {
        return sendJsonError(reply, error)
      }
    },
  )
}

function positiveInteger(name: string, raw: string | undefined, fallback: number, max: number): number {
  if (raw === undefined || raw === '') return fallback
  if (!/^\d{1,6}$/.test(raw) || Number(raw) < 1 || Number(raw) > max) {
    throw new LabsyncError(
      'LABSYNC_USAGE',
      `${name} must be an integer from 1 to ${max}, got ${JSON.stringify(raw.slice(0, 20))}`,
    )
  }
  return Number(raw)
}
