import { Writable } from 'node:stream'
import { createLogger, type Logger } from '../../src/core/logger.js'

/** A JSON-lines logger whose lines a test can read back. */
export function captureLogger(level: 'debug' | 'info' = 'debug'): {
  logger: Logger
  lines: () => Record<string, unknown>[]
  text: () => string
} {
  const chunks: string[] = []
  const sink = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(String(chunk))
      done()
    },
  })
  const logger = createLogger(level, sink)
  const text = () => chunks.join('')
  return {
    logger,
    text,
    lines: () =>
      text()
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  }
}
