import https from 'node:https'
import { gzipSync } from 'node:zlib'

/** One request to the ingestion server exactly as given, to test what a faulty or hostile client gets. */
export async function rawRequest(options: {
  url: string
  ca: Buffer
  method: string
  path: string
  token?: string
  /** An object is sent as gzip JSON; a Buffer as is. */
  body?: unknown
  encoding?: 'gzip' | 'identity'
}): Promise<{ status: number; body: any }> {
  const encoding = options.encoding ?? 'gzip'
  const payload =
    options.body === undefined
      ? Buffer.alloc(0)
      : Buffer.isBuffer(options.body)
        ? options.body
        : encoding === 'gzip'
          ? gzipSync(JSON.stringify(options.body))
          : Buffer.from(JSON.stringify(options.body))
  return new Promise((resolve, reject) => {
    const request = https.request(new URL(options.path, options.url), {
      method: options.method,
      ca: options.ca,
      agent: false,
      headers: {
        ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
        'content-type': 'application/json',
        'content-encoding': encoding,
        'content-length': payload.length,
      },
    })
    request.on('error', reject)
    request.on('response', (response) => {
      const parts: Buffer[] = []
      response.on('data', (part: Buffer) => parts.push(part))
      response.on('end', () => {
        const text = Buffer.concat(parts).toString('utf8')
        resolve({ status: response.statusCode ?? 0, body: text ? JSON.parse(text) : undefined })
      })
    })
    request.end(payload)
  })
}
