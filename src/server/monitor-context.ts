import type { FastifyReply, FastifyRequest } from 'fastify'
import type { MonitorConfig } from '../core/config.js'
import { LabsyncError, toLabsyncError } from '../core/errors.js'
import { pickLang, type Lang } from './i18n.js'
import type { MonitorSource } from './monitor-data.js'
import type { MonitorMetrics } from './monitor-metrics.js'
import { databaseDownBody, notFoundBody } from './views/dashboard-view.js'
import { layout } from './views/layout.js'
import { MESSAGES } from './i18n.js'

/** What every route of the monitor gets from build(). */
export interface MonitorContext {
  source: MonitorSource
  monitor: MonitorConfig
  metrics: MonitorMetrics
  /** Runs a read of the central database, failing with LABSYNC_CONNECTION when it takes longer than the timeout. */
  read<T>(work: () => Promise<T>): Promise<T>
}

export function langOf(request: FastifyRequest): Lang {
  return pickLang((request.query as Record<string, unknown> | undefined)?.lang, request.headers['accept-language'])
}

/** A path parameter that names a hospital: a positive integer, else a 400 LABSYNC_USAGE. */
export function efectorIdOf(raw: string): number {
  if (!/^\d{1,9}$/.test(raw) || Number(raw) === 0) {
    throw new LabsyncError(
      'LABSYNC_USAGE',
      `efector id must be a positive integer, got ${JSON.stringify(raw.slice(0, 40))}`,
    )
  }
  return Number(raw)
}

/** The HTTP status of an error the monitor met: unknown hospital 404, bad input 400, anything about the database 503. */
export function statusOf(error: LabsyncError): number {
  if (error.code === 'LABSYNC_EFECTOR_UNKNOWN') return 404
  if (error.code === 'LABSYNC_USAGE') return 400
  return 503
}

export async function sendJsonError(reply: FastifyReply, thrown: unknown): Promise<FastifyReply> {
  const error = toLabsyncError(thrown)
  return reply.code(statusOf(error)).send({ error: error.code, message: error.message })
}

export async function sendPageError(
  request: FastifyRequest,
  reply: FastifyReply,
  thrown: unknown,
  context: MonitorContext,
  page: { path: string; id?: string },
): Promise<FastifyReply> {
  const error = toLabsyncError(thrown)
  const lang = langOf(request)
  const status = statusOf(error)
  const body =
    status === 503 ? databaseDownBody(`${error.code}: ${error.message}`, lang) : notFoundBody(page.id ?? '', lang)
  if (status === 503) request.log.warn({ code: error.code }, 'central database unreadable')
  const title = status === 503 ? MESSAGES[lang].databaseDown : MESSAGES[lang].title
  return reply
    .code(status)
    .type('text/html; charset=utf-8')
    .send(layout({ lang, title, path: page.path, refreshSeconds: context.monitor.refreshSeconds, body }))
}
