import { pino, type Logger, type LevelWithSilent } from 'pino'

export type { Logger }

/**
 * The process logger: JSON lines on standard error, or readable lines when
 * standard error is a terminal. Lower layers never log; they return results
 * and the CLI or daemon logs them with a child logger carrying run ids.
 *
 * Fields that may hold secrets are redacted whatever the caller passes.
 */
export function createLogger(
  level: LevelWithSilent = 'info',
  destination: NodeJS.WritableStream = process.stderr,
): Logger {
  const options = {
    level,
    base: undefined,
    redact: {
      // Database URLs are logged only through redactUrl(); a field named databaseUrl is hidden whole all the same.
      paths: [
        'password',
        '*.password',
        'token',
        '*.token',
        'databaseUrl',
        '*.databaseUrl',
        'req.headers.authorization',
        'headers.authorization',
      ],
      censor: '***',
    },
  }
  if (destination === process.stderr && process.stderr.isTTY && process.env.LABSYNC_LOG_FORMAT !== 'json') {
    return pino({
      ...options,
      transport: { target: 'pino-pretty', options: { destination: 2, translateTime: 'SYS:HH:MM:ss' } },
    })
  }
  return pino(options, destination as pino.DestinationStream)
}
