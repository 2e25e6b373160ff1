import type { ConnectionConfiguration } from 'tedious'
import { LabsyncError } from '../../../core/errors.js'
import { isPlainIdentifier } from '../../../core/identifiers.js'

/**
 * What an `mssql://` URL names: the tedious connection settings and the
 * schema labsync uses for names it does not qualify itself.
 *
 *   mssql://user:pass@host:1433/database?encrypt=true&trustServerCertificate=true&schema=dbo
 *   mssql://user:pass@host/database?instanceName=SQLEXPRESS      (port from the SQL Browser)
 *   mssql://DOMAIN%5Cuser:pass@host/database                       (Windows login, NTLM)
 *
 * Query options: encrypt (true, false or strict; default true, as tedious),
 * trustServerCertificate (default false), instanceName, schema,
 * connectTimeout and requestTimeout (milliseconds; requestTimeout default 0,
 * none: a merge or a bulk load may take long), appName (default labsync).
 */
export interface MssqlTarget {
  config: ConnectionConfiguration
  /** Schema of names labsync does not qualify; undefined: the login's default schema. */
  schema?: string
}

const OPTIONS = new Set([
  'encrypt',
  'trustServerCertificate',
  'instanceName',
  'schema',
  'connectTimeout',
  'requestTimeout',
  'appName',
])

export function parseMssqlUrl(url: string, displayUrl: string): MssqlTarget {
  const fail = (problem: string): never => {
    throw new LabsyncError('LABSYNC_CONFIG', `${displayUrl}: ${problem}`)
  }
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return fail('not a valid mssql:// URL (mssql://user:password@host:port/database?options)')
  }
  if (parsed.protocol !== 'mssql:') fail('not an mssql:// URL')
  if (!parsed.hostname) fail('the URL names no host')
  const decode = (text: string, what: string) => {
    try {
      return decodeURIComponent(text)
    } catch {
      return fail(`the ${what} is not validly percent-encoded`)
    }
  }
  const user = decode(parsed.username, 'user name')
  const password = decode(parsed.password, 'password')
  if (!user) fail('the URL names no user (mssql://user:password@host/database)')
  const database = decode(parsed.pathname.replace(/^\//, ''), 'database name')
  if (!database) fail('the URL names no database (mssql://user:password@host/database)')
  if (database.includes('/')) fail('the database name cannot contain "/"')

  const params = parsed.searchParams
  for (const key of params.keys()) {
    if (!OPTIONS.has(key)) fail(`unknown option ${JSON.stringify(key)} (known: ${[...OPTIONS].join(', ')})`)
  }
  const flag = (key: string, fallback: boolean) => {
    const value = params.get(key)
    if (value === null) return fallback
    if (value === 'true' || value === '1' || value === 'yes') return true
    if (value === 'false' || value === '0' || value === 'no') return false
    return fail(`option ${key} must be true or false`)
  }
  const millis = (key: string, fallback: number) => {
    const value = params.get(key)
    if (value === null) return fallback
    if (!/^\d{1,9}$/.test(value)) return fail(`option ${key} must be a number of milliseconds`)
    return Number(value)
  }
  const encryptText = params.get('encrypt')
  const encrypt: boolean | 'strict' = encryptText === 'strict' ? 'strict' : flag('encrypt', true)

  const instanceName = params.get('instanceName') ?? undefined
  if (instanceName !== undefined && !/^[A-Za-z0-9_$#-]{1,16}$/.test(instanceName))
    fail('instanceName is not a valid instance name')
  if (instanceName !== undefined && parsed.port)
    fail('give either a port or instanceName, not both (tedious asks the SQL Browser for the port of an instance)')
  const schema = params.get('schema') ?? undefined
  if (schema !== undefined && !isPlainIdentifier(schema))
    fail('schema is not a plain identifier (letters, digits and underscore)')
  const appName = params.get('appName') ?? 'labsync'

  const domainSplit = /^([^\\]+)\\(.+)$/.exec(user)
  const authentication: ConnectionConfiguration['authentication'] = domainSplit
    ? { type: 'ntlm', options: { domain: domainSplit[1], userName: domainSplit[2], password } }
    : { type: 'default', options: { userName: user, password } }

  const config: ConnectionConfiguration = {
    server: parsed.hostname.replace(/^\[(.*)\]$/, '$1'),
    authentication,
    options: {
      database,
      ...(instanceName !== undefined ? { instanceName } : { port: parsed.port ? Number(parsed.port) : 1433 }),
      encrypt,
      trustServerCertificate: flag('trustServerCertificate', false),
      appName,
      connectTimeout: millis('connectTimeout', 15_000),
      requestTimeout: millis('requestTimeout', 0),
      // Datetimes cross the driver as their wall-clock value: Date objects whose UTC fields are the
      // stored value (mssql-values.ts), whatever the time zone of the process.
      useUTC: true,
      // Strings that reach a datetime unconverted are read year-month-day whatever the login's language.
      dateFormat: 'ymd',
      // SET XACT_ABORT ON: any error inside a transaction rolls the whole transaction back.
      abortTransactionOnError: true,
      // Kysely's MssqlQueryCompiler quotes identifiers with double quotes.
      enableQuotedIdentifier: true,
      rowCollectionOnRequestCompletion: false,
      useColumnNames: false,
      camelCaseColumns: false,
    },
  }
  return { config, schema }
}
