import { LabsyncError, type ErrorCode } from '../core/errors.js'

/**
 * Which failures are worth another attempt. A lost connection, a timeout,
 * a deadlock or a serialization failure can go away by themselves; bad
 * data, a wrong configuration or a missing table cannot, and retrying them
 * would only repeat the error (and the load) on a weak link.
 *
 * `connection`: the connection is gone; a new attempt needs a new one.
 * `contention`: the statement lost a race (deadlock, serialization, busy
 * lock, statement timeout) on a connection that is still usable.
 */
export type TransientKind = 'connection' | 'contention'

/** labsync's own errors that say the input or the setup is wrong: never retried, whatever caused them. */
const PERMANENT_CODES = new Set<ErrorCode>([
  'LABSYNC_CONFIG',
  'LABSYNC_USAGE',
  'LABSYNC_IDENTIFIER',
  'LABSYNC_TABLE_MISSING',
  'LABSYNC_EFECTOR_UNKNOWN',
  'LABSYNC_EFECTOR_CONFLICT',
  'LABSYNC_ROW_INVALID',
  'LABSYNC_FOREIGN_ROWS',
  'LABSYNC_CLAIM_LOST',
])

const CONNECTION_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'EAI_AGAIN',
  // tedious (SQL Server)
  'ESOCKET',
  'ECONNCLOSED',
  'ETIMEOUT',
  // PostgreSQL: the server is shutting down or restarting
  '57P01',
  '57P02',
  '57P03',
  '53300', // too_many_connections
])

const CONTENTION_CODES = new Set([
  '40001', // serialization_failure
  '40P01', // deadlock_detected
  '55P03', // lock_not_available
  '57014', // query_canceled (statement_timeout)
  'SQLITE_BUSY',
  'SQLITE_BUSY_SNAPSHOT',
  'SQLITE_BUSY_RECOVERY',
  'SQLITE_LOCKED',
  'SQLITE_LOCKED_SHAREDCACHE',
])

/** SQL Server error numbers: deadlock victim, lock timeout, and the Azure/failover "try again" family. */
const MSSQL_CONTENTION_NUMBERS = new Set([1205, 1222])
const MSSQL_CONNECTION_NUMBERS = new Set([-2, 233, 10053, 10054, 10060, 40197, 40501, 40613, 49918, 49919, 49920])

const CONNECTION_MESSAGE =
  /Connection terminated|connection (?:timeout|timed out)|timeout exceeded when trying to connect|socket hang up|not queryable|Connection is closed|read ECONNRESET/i

/**
 * The transient kind of an error, looking through its `cause` chain, or
 * undefined when it must not be retried.
 */
export function transientKind(error: unknown): TransientKind | undefined {
  let current: unknown = error
  let kind: TransientKind | undefined
  for (let depth = 0; current && depth < 10; depth++) {
    if (current instanceof LabsyncError && PERMANENT_CODES.has(current.code)) return undefined
    kind ??= kindOf(current)
    current = (current as { cause?: unknown }).cause
  }
  return kind
}

export function isTransientError(error: unknown): boolean {
  return transientKind(error) !== undefined
}

function kindOf(error: unknown): TransientKind | undefined {
  const { code, number } = error as { code?: unknown; number?: unknown }
  if (typeof code === 'string') {
    if (CONTENTION_CODES.has(code)) return 'contention'
    if (CONNECTION_CODES.has(code) || /^08[0-9A-Z]{3}$/.test(code)) return 'connection'
  }
  if (typeof number === 'number') {
    if (MSSQL_CONTENTION_NUMBERS.has(number)) return 'contention'
    if (MSSQL_CONNECTION_NUMBERS.has(number)) return 'connection'
  }
  if (error instanceof Error && !(error instanceof LabsyncError) && CONNECTION_MESSAGE.test(error.message))
    return 'connection'
  return undefined
}
