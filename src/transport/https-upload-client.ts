import { randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import http from 'node:http'
import https from 'node:https'
import { promisify } from 'node:util'
import { gzip } from 'node:zlib'
import type { CycleOptions } from '../agent/efector-cycle.js'
import { localStagingSources, type UploadCounts } from '../agent/upload.js'
import type { HttpsTransportConfig } from '../core/config.js'
import { ERROR_CODES, LabsyncError, toLabsyncError, type ErrorCode } from '../core/errors.js'
import type { Row } from '../db/row-validator.js'
import type { Session } from '../db/session.js'
import { DETAIL_COLUMNS, HEADER_COLUMNS } from '../db/tables/staging-tables.js'
import type { BeginRequest, ChunkAck, ChunkKind, CommitResult, ErrorBody, SessionView } from './wire-format.js'

const gzipAsync = promisify(gzip)

/** What the upload step of the efector cycle returns (the same three outcomes as the direct mode). */
export type HttpsUploadResult =
  | { outcome: 'skipped'; message: string }
  | { outcome: 'uploaded'; uploaded: UploadCounts }
  | { outcome: 'failed'; message: string; error: LabsyncError }

/**
 * PROTOCOL.md efector steps 4 and 5 through `labsync central serve`: open
 * a session (the server claims), stream the local staging rows as gzip
 * chunks, then ask for the commit, which the server runs in one central
 * transaction. A dropped connection or a timeout repeats the request that
 * was under way, up to `retries` times: the server acknowledges a chunk
 * it already holds without storing it twice, and answers a repeated commit
 * with the first result, so the upload resumes where it stopped.
 */
export async function uploadOverHttps(
  local: Session,
  settings: HttpsTransportConfig,
  idEfector: number,
  options: Pick<CycleOptions, 'onStep' | 'signal' | 'wrapSources'>,
): Promise<HttpsUploadResult> {
  const client = new IngestClient(settings, idEfector)
  const sessionId = randomUUID()
  try {
    options.signal?.throwIfAborted()
    await options.onStep?.('claim')
    const begin: BeginRequest = {
      idEfector,
      sessionId,
      headerColumns: HEADER_COLUMNS.map((column) => column.name),
      detailColumns: DETAIL_COLUMNS.map((column) => column.name),
    }
    try {
      await client.send<SessionView>('POST', '/v1/uploads', begin)
    } catch (error) {
      if (
        error instanceof LabsyncError &&
        (error.code === 'LABSYNC_UPLOAD_BLOCKED' || error.code === 'LABSYNC_SERVER_BUSY')
      ) {
        return { outcome: 'skipped', message: error.message }
      }
      throw error
    }

    await options.onStep?.('upload', { sessionId })
    const staged = await localStagingSources(local, idEfector)
    const sources = options.wrapSources ? options.wrapSources(staged) : staged
    let seq = 0
    const counts = { header: 0, detail: 0 }
    try {
      for (const [kind, batches] of [
        ['header', sources.headers],
        ['detail', sources.details],
      ] as const) {
        for await (const rows of chunked(batches, settings.chunkRows, settings.chunkBytes)) {
          await client.send<ChunkAck>('PUT', `/v1/uploads/${sessionId}/chunks/${seq}`, { idEfector, kind, rows })
          counts[kind as ChunkKind] += rows.length
          seq += 1
        }
      }
    } catch (error) {
      // A local read error leaves the session open on the server: close it as failed so the next run may claim at once.
      if (!(error instanceof RemoteError))
        await client.abort(sessionId, toLabsyncError(error, 'LABSYNC_UPLOAD', { efector: idEfector }))
      throw error
    }
    const result = await client.send<CommitResult>('POST', `/v1/uploads/${sessionId}/commit`, {
      idEfector,
      chunks: seq,
      headers: counts.header,
      details: counts.detail,
    })
    return { outcome: 'uploaded', uploaded: result }
  } catch (thrown) {
    const error = toLabsyncError(thrown, 'LABSYNC_UPLOAD', { efector: idEfector })
    return { outcome: 'failed', message: error.message, error }
  } finally {
    client.close()
  }
}

/** Re-cuts the local batches into chunks of at most `maxRows` rows and about `maxBytes` bytes of JSON. */
async function* chunked(batches: AsyncIterable<Row[]>, maxRows: number, maxBytes: number): AsyncIterable<Row[]> {
  let chunk: Row[] = []
  let bytes = 0
  for await (const batch of batches) {
    for (const row of batch) {
      const size = JSON.stringify(row).length + 1
      if (chunk.length > 0 && (chunk.length >= maxRows || bytes + size > maxBytes)) {
        yield chunk
        chunk = []
        bytes = 0
      }
      chunk.push(row)
      bytes += size
    }
  }
  if (chunk.length > 0) yield chunk
}

/** An error answered by the server (as opposed to a dropped connection). */
class RemoteError extends LabsyncError {}

class IngestClient {
  readonly #base: URL
  readonly #token: string
  readonly #settings: HttpsTransportConfig
  readonly #agent: http.Agent
  readonly #idEfector: number

  constructor(settings: HttpsTransportConfig, idEfector: number) {
    this.#idEfector = idEfector
    this.#base = new URL(settings.url)
    this.#token = settings.token
    this.#settings = settings
    if (this.#base.protocol === 'https:') {
      let ca: Buffer | undefined
      try {
        ca = settings.caFile ? readFileSync(settings.caFile) : undefined
      } catch (error) {
        throw new LabsyncError('LABSYNC_CONFIG', `cannot read efector.https.caFile: ${(error as Error).message}`, {
          location: { efector: idEfector },
        })
      }
      this.#agent = new https.Agent({ keepAlive: true, ca })
    } else {
      this.#agent = new http.Agent({ keepAlive: true })
    }
  }

  /** One request, repeated after a dropped connection or timeout; an error answer is thrown as a LabsyncError of its code. */
  async send<T>(method: string, path: string, body: unknown): Promise<T> {
    const payload = await gzipAsync(Buffer.from(JSON.stringify(body), 'utf8'))
    let attempt = 0
    while (true) {
      try {
        return await this.#once<T>(method, path, payload)
      } catch (error) {
        if (error instanceof RemoteError || attempt >= this.#settings.retries) {
          if (error instanceof RemoteError) throw error
          throw new LabsyncError(
            'LABSYNC_TRANSPORT',
            `${method} ${path} failed after ${attempt + 1} attempts: ${(error as Error).message}`,
          )
        }
        attempt += 1
        await new Promise((resolve) => setTimeout(resolve, Math.min(5_000, 200 * 2 ** (attempt - 1))))
      }
    }
  }

  async abort(sessionId: string, error: LabsyncError): Promise<void> {
    try {
      await this.send('DELETE', `/v1/uploads/${sessionId}`, {
        idEfector: this.#idEfector,
        code: error.code,
        message: error.message,
      })
    } catch {
      // The server will abandon the session after sessionIdleMinutes anyway.
    }
  }

  close(): void {
    this.#agent.destroy()
  }

  #once<T>(method: string, path: string, payload: Buffer): Promise<T> {
    const url = new URL(path, this.#base)
    const transport = url.protocol === 'https:' ? https : http
    return new Promise<T>((resolve, reject) => {
      const request = transport.request(url, {
        method,
        agent: this.#agent,
        timeout: this.#settings.timeoutSeconds * 1000,
        headers: {
          authorization: `Bearer ${this.#token}`,
          'content-type': 'application/json',
          'content-encoding': 'gzip',
          'content-length': payload.length,
          accept: 'application/json',
        },
      })
      request.on('timeout', () => request.destroy(new Error(`no answer within ${this.#settings.timeoutSeconds} s`)))
      request.on('error', reject)
      request.on('response', (response) => {
        const parts: Buffer[] = []
        response.on('data', (part: Buffer) => parts.push(part))
        response.on('error', reject)
        response.on('aborted', () => reject(new Error('the connection closed mid-answer')))
        response.on('end', () => {
          if (!response.complete) return reject(new Error('the connection closed mid-answer'))
          let parsed: unknown
          try {
            parsed = JSON.parse(Buffer.concat(parts).toString('utf8'))
          } catch {
            return reject(
              new RemoteError(
                'LABSYNC_TRANSPORT',
                `the server answered ${response.statusCode} with a body that is not JSON`,
              ),
            )
          }
          if (response.statusCode === 200) return resolve(parsed as T)
          reject(remoteError(response.statusCode ?? 0, parsed as ErrorBody))
        })
      })
      request.end(payload)
    })
  }
}

function remoteError(status: number, body: ErrorBody): RemoteError {
  const code = body?.error?.code
  const known = typeof code === 'string' && code in ERROR_CODES ? (code as ErrorCode) : 'LABSYNC_UPLOAD'
  return new RemoteError(known, `${body?.error?.message ?? 'no message'} [HTTP ${status}]`)
}
