import type { UploadSources } from '../agent/upload.js'
import type { Row } from '../db/row-validator.js'

/**
 * Upload sources that report each batch as it is consumed and stop between
 * batches once `signal` aborts: the error thrown is the signal's reason,
 * so the upload transaction rolls back and its claim is marked failed the
 * usual way.
 */
export function instrumentSources(
  sources: UploadSources,
  options: { signal?: AbortSignal; onRows?: (rows: number) => void },
): UploadSources {
  return { headers: instrument(sources.headers, options), details: instrument(sources.details, options) }
}

async function* instrument(
  batches: AsyncIterable<Row[]>,
  options: { signal?: AbortSignal; onRows?: (rows: number) => void },
): AsyncIterable<Row[]> {
  for await (const batch of batches) {
    options.signal?.throwIfAborted()
    yield batch
    options.onRows?.(batch.length)
  }
  options.signal?.throwIfAborted()
}
