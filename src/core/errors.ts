/**
 * The catalogue of labsync's coded errors. Every error a user can meet has a
 * code here, an exit status for the CLI, and an entry in docs/ERRORS.md (a
 * test keeps the two equal).
 *
 * Messages name rows by their keys (hospital, table, key columns, column),
 * never by patient data, and never include a password.
 */

export const ERROR_CODES = {
  /** The configuration file is missing, unreadable or invalid. */
  LABSYNC_CONFIG: { exitCode: 2, summary: 'invalid configuration' },
  /** A command-line option is missing or invalid. */
  LABSYNC_USAGE: { exitCode: 2, summary: 'invalid command-line usage' },
  /** A table or column name read from a table or the configuration is not a plain identifier. */
  LABSYNC_IDENTIFIER: { exitCode: 1, summary: 'invalid identifier' },
  /** A database could not be reached or refused the login. */
  LABSYNC_CONNECTION: { exitCode: 3, summary: 'database unreachable' },
  /** A table labsync needs does not exist (run the install command). */
  LABSYNC_TABLE_MISSING: { exitCode: 1, summary: 'table missing' },
  /** The hospital has no status row on the central server. */
  LABSYNC_EFECTOR_UNKNOWN: { exitCode: 1, summary: 'hospital not registered' },
  /** A hospital id or name is already registered with other values. */
  LABSYNC_EFECTOR_CONFLICT: { exitCode: 1, summary: 'hospital already registered differently' },
  /** A row does not fit its table: NULL in a NOT NULL column, too long, out of range, wrong type; or its key is staged twice. */
  LABSYNC_ROW_INVALID: { exitCode: 1, summary: 'invalid row' },
  /** Staged rows carry another hospital's idEfector. */
  LABSYNC_FOREIGN_ROWS: { exitCode: 1, summary: 'rows of another hospital' },
  /** The export step failed; nothing was uploaded. */
  LABSYNC_EXPORT: { exitCode: 1, summary: 'export failed' },
  /** The claim on the status row was taken over by another process while this one worked. */
  LABSYNC_CLAIM_LOST: { exitCode: 1, summary: 'claim lost' },
  /** An upload failed and was rolled back. */
  LABSYNC_UPLOAD: { exitCode: 1, summary: 'upload failed' },
  /** An import failed and was rolled back. */
  LABSYNC_IMPORT: { exitCode: 1, summary: 'import failed' },
  /** A database statement failed for a reason labsync did not foresee. */
  LABSYNC_DATABASE: { exitCode: 1, summary: 'database error' },
  /** HTTPS transport: the token is unknown, malformed or revoked (HTTP 401). */
  LABSYNC_TOKEN_REFUSED: { exitCode: 1, summary: 'token refused' },
  /** HTTPS transport: the token belongs to another hospital than the one named (HTTP 403). */
  LABSYNC_TOKEN_FORBIDDEN: { exitCode: 1, summary: 'token of another hospital' },
  /** HTTPS transport: the upload cannot be claimed now (importing, too soon, another upload) (HTTP 409). */
  LABSYNC_UPLOAD_BLOCKED: { exitCode: 1, summary: 'upload not claimable now' },
  /** HTTPS transport: the upload session is unknown, finished or abandoned (HTTP 404 / 409). */
  LABSYNC_UPLOAD_SESSION: { exitCode: 1, summary: 'upload session not open' },
  /** HTTPS transport: a request body or chunk is larger than the server allows (HTTP 413). */
  LABSYNC_TOO_LARGE: { exitCode: 1, summary: 'request too large' },
  /** HTTPS transport: a request is malformed (not gzip, not JSON, wrong shape) (HTTP 400). */
  LABSYNC_BAD_REQUEST: { exitCode: 1, summary: 'malformed request' },
  /** HTTPS transport: the server has as many uploads open as it allows (HTTP 503). */
  LABSYNC_SERVER_BUSY: { exitCode: 1, summary: 'server busy' },
  /** HTTPS transport: the server could not be reached, or kept dropping the connection. */
  LABSYNC_TRANSPORT: { exitCode: 3, summary: 'server unreachable' },
  /** Another labsync agent of the same hospital holds the agent lock; this one refuses to run. */
  LABSYNC_LOCKED: { exitCode: 1, summary: 'another agent is running' },
  /** The run was stopped by SIGINT or SIGTERM; its transaction was rolled back. */
  LABSYNC_INTERRUPTED: { exitCode: 1, summary: 'run interrupted' },
} as const

export type ErrorCode = keyof typeof ERROR_CODES

/** Where in the data an error happened; every field is a key, never a value of patient data. */
export interface ErrorLocation {
  efector?: number
  table?: string
  key?: Record<string, unknown>
  column?: string
}

export class LabsyncError extends Error {
  readonly code: ErrorCode
  readonly location: ErrorLocation

  constructor(code: ErrorCode, message: string, options: { location?: ErrorLocation; cause?: unknown } = {}) {
    super(withLocation(message, options.location), { cause: options.cause })
    this.name = 'LabsyncError'
    this.code = code
    this.location = options.location ?? {}
  }

  get exitCode(): number {
    return ERROR_CODES[this.code].exitCode
  }
}

function withLocation(message: string, location: ErrorLocation | undefined): string {
  if (!location) return message
  const parts: string[] = []
  if (location.efector !== undefined) parts.push(`efector ${location.efector}`)
  if (location.table) parts.push(`table ${location.table}`)
  if (location.key) parts.push(`key ${formatKey(location.key)}`)
  if (location.column) parts.push(`column ${location.column}`)
  return parts.length ? `${message} (${parts.join(', ')})` : message
}

export function formatKey(key: Record<string, unknown>): string {
  return Object.entries(key)
    .map(([name, value]) => `${name}=${value === null || value === undefined ? 'NULL' : String(value)}`)
    .join(' ')
}

/**
 * Turns anything thrown by a driver into a LabsyncError without copying the
 * driver's detail text: PostgreSQL's DETAIL ("Failing row contains ...")
 * and similar fields carry row values, which may be patient data.
 */
export function toLabsyncError(
  error: unknown,
  code: ErrorCode = 'LABSYNC_DATABASE',
  location?: ErrorLocation,
): LabsyncError {
  if (error instanceof LabsyncError) return error
  const message = driverMessage(error)
  if (isConnectionError(error)) return new LabsyncError('LABSYNC_CONNECTION', message, { location, cause: error })
  return new LabsyncError(code, message, { location, cause: error })
}

/** The driver's one-line message and SQLSTATE, never its detail fields. */
export function driverMessage(error: unknown): string {
  if (error instanceof Error) {
    const sqlState = (error as { code?: unknown }).code
    const firstLine = error.message.split('\n')[0]
    return typeof sqlState === 'string' && sqlState && !firstLine.includes(sqlState)
      ? `${firstLine} [${sqlState}]`
      : firstLine
  }
  return String(error)
}

const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EPIPE',
  'EHOSTUNREACH',
  '57P01', // admin_shutdown
  '57P03', // cannot_connect_now
  '08000',
  '08001',
  '08003',
  '08004',
  '08006',
  '28P01', // invalid_password
  '28000', // invalid_authorization_specification
  '3D000', // database does not exist
  'SQLITE_CANTOPEN',
])

export function isConnectionError(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code
  if (typeof code === 'string' && CONNECTION_CODES.has(code)) return true
  const message = error instanceof Error ? error.message : ''
  return /Connection terminated|connection timeout|socket hang up/i.test(message)
}
