import { readFileSync } from 'node:fs'
import http from 'node:http'
import https from 'node:https'
import type { AddressInfo } from 'node:net'
import { gunzip } from 'node:zlib'
import { promisify } from 'node:util'
import type { CentralConfig, ServeConfig } from '../core/config.js'
import { LabsyncError, toLabsyncError, type ErrorCode } from '../core/errors.js'
import type { Logger } from '../core/logger.js'
import type { Database } from '../db/database.js'
import { IngestService } from './ingest-service.js'
import type { AbortRequest, BeginRequest, ChunkRequest, CommitRequest, ErrorBody } from './wire-format.js'

const gunzipAsync = promisify(gunzip)

/** HTTP status of each error a request can meet; anything else is a 500. */
const HTTP_STATUS: Partial<Record<ErrorCode, number>> = {
  LABSYNC_BAD_REQUEST: 400,
  LABSYNC_ROW_INVALID: 400,
  LABSYNC_FOREIGN_ROWS: 400,
  LABSYNC_IDENTIFIER: 400,
  LABSYNC_TOKEN_REFUSED: 401,
  LABSYNC_TOKEN_FORBIDDEN: 403,
  LABSYNC_EFECTOR_UNKNOWN: 404,
  LABSYNC_UPLOAD_BLOCKED: 409,
  LABSYNC_UPLOAD_SESSION: 409,
  LABSYNC_CLAIM_LOST: 409,
  LABSYNC_TOO_LARGE: 413,
  LABSYNC_SERVER_BUSY: 503,
  LABSYNC_CONNECTION: 503,
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost'])

export interface IngestServer {
  /** https://host:port (or http:// when plain HTTP was allowed). */
  readonly url: string
  readonly port: number
  close(): Promise<void>
}

export interface IngestServerOptions {
  database: Database
  central: CentralConfig
  serve: ServeConfig
  logger: Logger
  /** Override serve.host / serve.port (the CLI's --host / --port). */
  host?: string
  port?: number
}

/**
 * `labsync central serve`: the HTTPS endpoint of wire-format.ts. Each
 * request is authenticated by its bearer token and bound to that token's
 * hospital; the protocol work is IngestService's. Each request is logged
 * once with hospital, route, status, code, bytes and duration, never with
 * its body or its token.
 */
export async function startIngestServer(options: IngestServerOptions): Promise<IngestServer> {
  const { serve } = options
  const host = options.host ?? serve.host
  const port = options.port ?? serve.port
  if (!serve.tls && !serve.allowPlainHttp) {
    throw new LabsyncError(
      'LABSYNC_CONFIG',
      'central.serve.tls (cert and key) is required; plain HTTP needs central.serve.allowPlainHttp',
    )
  }
  if (!serve.tls && !LOOPBACK.has(host)) {
    throw new LabsyncError(
      'LABSYNC_CONFIG',
      `plain HTTP is only served on a loopback address, not on ${host}; set central.serve.tls`,
    )
  }
  const service = new IngestService(options.database, options.central, serve)
  await service.prepare()

  const handler = (request: http.IncomingMessage, response: http.ServerResponse) => {
    void handle(service, serve, options.logger, request, response)
  }
  const server = serve.tls ? https.createServer(readTls(serve.tls), handler) : http.createServer(handler)
  server.requestTimeout = serve.requestTimeoutSeconds * 1000
  server.headersTimeout = Math.min(60_000, server.requestTimeout)
  server.keepAliveTimeout = 5_000

  await new Promise<void>((resolve, reject) => {
    server.once('error', (error) =>
      reject(new LabsyncError('LABSYNC_CONFIG', `cannot listen on ${host}:${port}: ${error.message}`)),
    )
    server.listen(port, host, () => resolve())
  })
  const sweeper = setInterval(() => {
    service
      .expireIdle()
      .catch((error) => options.logger.warn({ code: toLabsyncError(error).code }, 'idle session sweep failed'))
  }, 60_000)
  sweeper.unref()

  const bound = (server.address() as AddressInfo).port
  const shown = host.includes(':') ? `[${host}]` : host
  return {
    url: `${serve.tls ? 'https' : 'http'}://${shown}:${bound}`,
    port: bound,
    close: () =>
      new Promise<void>((resolve) => {
        clearInterval(sweeper)
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}

function readTls(tls: { cert: string; key: string }): https.ServerOptions {
  try {
    return { cert: readFileSync(tls.cert), key: readFileSync(tls.key) }
  } catch (error) {
    throw new LabsyncError('LABSYNC_CONFIG', `cannot read central.serve.tls: ${(error as Error).message}`)
  }
}

interface RequestLog {
  hospital?: number
  tokenId?: string
  session?: string
  chunk?: number
  bytesIn: number
  /** The body's Content-Encoding (gzip from labsync's agent). */
  encoding?: string
}

async function handle(
  service: IngestService,
  serve: ServeConfig,
  logger: Logger,
  request: http.IncomingMessage,
  response: http.ServerResponse,
): Promise<void> {
  const started = performance.now()
  const entry: RequestLog = { bytesIn: 0 }
  const url = new URL(request.url ?? '/', 'http://labsync')
  const route = routeOf(request.method ?? 'GET', url.pathname)
  let status = 200
  let code: string | undefined
  let body: unknown
  try {
    if (!route)
      throw Object.assign(new LabsyncError('LABSYNC_BAD_REQUEST', `no such route: ${request.method} ${url.pathname}`), {
        status: 404,
      })
    entry.session = route.session
    entry.chunk = route.seq
    if (route.name === 'health') {
      body = { ok: true }
    } else {
      const identity = await service.authenticate(bearer(request))
      entry.hospital = identity.idEfector
      entry.tokenId = identity.tokenId
      if (route.hasBody) entry.encoding = (request.headers['content-encoding'] ?? 'identity').toLowerCase()
      const raw = route.hasBody ? await readBody(request, serve.maxBodyBytes, entry) : Buffer.alloc(0)
      const message = route.hasBody ? await parseBody(request, raw, serve.maxChunkBytes) : {}
      body = await dispatch(service, route, identity.idEfector, message)
    }
  } catch (thrown) {
    const error = toLabsyncError(thrown, 'LABSYNC_UPLOAD')
    code = error.code
    status = (thrown as { status?: number }).status ?? HTTP_STATUS[error.code] ?? 500
    if (error.code === 'LABSYNC_UPLOAD_SESSION' && /is unknown$/.test(error.message)) status = 404
    body = { error: { code: error.code, message: error.message } } satisfies ErrorBody
  }

  const text = JSON.stringify(body)
  const headers: http.OutgoingHttpHeaders = {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  }
  // After a refused body the rest of it may still be on the way: close rather than read it.
  if (status === 413) headers.connection = 'close'
  if (!response.headersSent && !response.destroyed) response.writeHead(status, headers).end(text)
  const fields = {
    ...entry,
    method: request.method,
    route: route?.name,
    status,
    code,
    bytesOut: Buffer.byteLength(text),
    durationMs: Math.round(performance.now() - started),
  }
  if (status >= 500) logger.error(fields, 'request')
  else logger.info(fields, 'request')
}

interface Route {
  name: 'health' | 'begin' | 'view' | 'chunk' | 'commit' | 'abort'
  hasBody: boolean
  session?: string
  seq?: number
}

const SESSION = '([A-Za-z0-9-]{1,64})'

function routeOf(method: string, path: string): Route | undefined {
  if (method === 'GET' && path === '/v1/health') return { name: 'health', hasBody: false }
  if (method === 'POST' && path === '/v1/uploads') return { name: 'begin', hasBody: true }
  let match = new RegExp(`^/v1/uploads/${SESSION}/chunks/(\\d{1,9})$`).exec(path)
  if (match && method === 'PUT') return { name: 'chunk', hasBody: true, session: match[1], seq: Number(match[2]) }
  match = new RegExp(`^/v1/uploads/${SESSION}/commit$`).exec(path)
  if (match && method === 'POST') return { name: 'commit', hasBody: true, session: match[1] }
  match = new RegExp(`^/v1/uploads/${SESSION}$`).exec(path)
  if (match && method === 'GET') return { name: 'view', hasBody: false, session: match[1] }
  if (match && method === 'DELETE') return { name: 'abort', hasBody: true, session: match[1] }
  return undefined
}

async function dispatch(
  service: IngestService,
  route: Route,
  idEfector: number,
  message: Record<string, unknown>,
): Promise<unknown> {
  if (route.name === 'view') return service.view(idEfector, route.session!)
  // The token decides the hospital; a body that names another one is refused, never obeyed.
  if (message.idEfector !== idEfector) {
    throw new LabsyncError(
      'LABSYNC_TOKEN_FORBIDDEN',
      `the token belongs to hospital ${idEfector}, the request names ${String(message.idEfector)}`,
    )
  }
  switch (route.name) {
    case 'begin': {
      const begin = message as unknown as BeginRequest
      if (typeof begin.sessionId !== 'string' || !/^[A-Za-z0-9-]{1,64}$/.test(begin.sessionId))
        throw badRequest('sessionId must be 1 to 64 letters, digits or dashes')
      return service.begin(idEfector, begin)
    }
    case 'chunk': {
      const chunk = message as unknown as ChunkRequest
      if (chunk.kind !== 'header' && chunk.kind !== 'detail') throw badRequest('kind must be header or detail')
      if (!Array.isArray(chunk.rows) || !chunk.rows.every(Array.isArray))
        throw badRequest('rows must be an array of arrays')
      return service.putChunk(idEfector, route.session!, route.seq!, chunk.kind, chunk.rows)
    }
    case 'commit': {
      const commit = message as unknown as CommitRequest
      for (const key of ['chunks', 'headers', 'details'] as const) {
        if (!Number.isInteger(commit[key]) || commit[key] < 0) throw badRequest(`${key} must be a whole number`)
      }
      return service.commit(idEfector, route.session!, commit)
    }
    case 'abort':
      return service.abort(idEfector, route.session!, message as unknown as AbortRequest)
    default:
      throw badRequest(`no such route: ${route.name}`)
  }
}

function badRequest(message: string): LabsyncError {
  return new LabsyncError('LABSYNC_BAD_REQUEST', message)
}

function bearer(request: http.IncomingMessage): string | undefined {
  const match = /^Bearer (\S+)$/.exec(request.headers.authorization ?? '')
  return match?.[1]
}

function readBody(request: http.IncomingMessage, limit: number, entry: RequestLog): Promise<Buffer> {
  const declared = Number(request.headers['content-length'] ?? 0)
  // A refused body is read and dropped (until the request timeout), so that the client gets to read the 413.
  const discard = () => request.on('data', (part: Buffer) => (entry.bytesIn += part.length))
  if (declared > limit) {
    discard()
    return Promise.reject(tooLarge(`request body of ${declared} bytes is over the limit of ${limit}`))
  }
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = []
    const collect = (part: Buffer) => {
      entry.bytesIn += part.length
      if (entry.bytesIn > limit) {
        request.off('data', collect)
        discard()
        reject(tooLarge(`request body is over the limit of ${limit} bytes`))
        return
      }
      parts.push(part)
    }
    request.on('data', collect)
    request.on('end', () => resolve(Buffer.concat(parts)))
    request.on('error', reject)
    request.on('aborted', () =>
      reject(new LabsyncError('LABSYNC_BAD_REQUEST', 'the client closed the connection mid-body')),
    )
  })
}

async function parseBody(
  request: http.IncomingMessage,
  raw: Buffer,
  maxChunkBytes: number,
): Promise<Record<string, unknown>> {
  const encoding = (request.headers['content-encoding'] ?? 'identity').toLowerCase()
  let plain: Buffer
  if (encoding === 'gzip') {
    try {
      plain = await gunzipAsync(raw, { maxOutputLength: maxChunkBytes })
    } catch (error) {
      if ((error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE' || error instanceof RangeError) {
        throw tooLarge(`the decompressed body is over the limit of ${maxChunkBytes} bytes`)
      }
      throw badRequest('the body is not valid gzip')
    }
  } else if (encoding === 'identity') {
    if (raw.length > maxChunkBytes) throw tooLarge(`the body is over the limit of ${maxChunkBytes} bytes`)
    plain = raw
  } else {
    throw badRequest(`unsupported content-encoding ${encoding}`)
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(plain.toString('utf8'))
  } catch {
    throw badRequest('the body is not valid JSON')
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw badRequest('the body must be a JSON object')
  return parsed as Record<string, unknown>
}

function tooLarge(message: string): LabsyncError {
  return new LabsyncError('LABSYNC_TOO_LARGE', message)
}
