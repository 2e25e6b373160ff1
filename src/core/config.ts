import { readFileSync } from 'node:fs'
import path from 'node:path'
import { parse as parseYaml } from 'yaml'
import { z } from 'zod'
import { LabsyncError } from './errors.js'

/**
 * The configuration file of one labsync installation. A file may hold the
 * central side, the efector side, or both (the demo and tests use both).
 * Values written as `${NAME}` are read from the environment, so that no
 * password has to live in the file.
 */

const databaseUrl = z
  .string()
  .min(1)
  .refine((url) => /^(postgres|postgresql|sqlite|mssql):/.test(url), {
    message: 'must start with postgres://, sqlite: or mssql://',
  })

const retrySchema = z
  .object({
    /** Minutes to wait before retrying a hospital whose import failed once; doubles per failure. Default 5. */
    firstMinutes: z.number().min(0).default(5),
    /** Upper bound of that wait. Default 240. */
    maxMinutes: z.number().min(0).default(240),
  })
  .strict()
  .default({ firstMinutes: 5, maxMinutes: 240 })

const serveSchema = z
  .object({
    /** Address `labsync central serve` listens on; default 127.0.0.1 (use --host to face the network). */
    host: z.string().default('127.0.0.1'),
    /** TCP port; default 8443. */
    port: z.number().int().min(0).max(65535).default(8443),
    /** PEM files of the server's TLS certificate (with its chain) and private key; required unless allowPlainHttp. */
    tls: z.object({ cert: z.string(), key: z.string() }).strict().optional(),
    /** Serve plain HTTP instead of HTTPS; refused unless the host is a loopback address (a TLS proxy in front). Default false. */
    allowPlainHttp: z.boolean().default(false),
    /** Largest request body on the wire (compressed), in bytes. Default 8 MiB. */
    maxBodyBytes: z
      .number()
      .int()
      .positive()
      .default(8 * 1024 * 1024),
    /** Largest chunk once decompressed, in bytes. Default 32 MiB. */
    maxChunkBytes: z
      .number()
      .int()
      .positive()
      .default(32 * 1024 * 1024),
    /** Upload sessions open at once on this server; more get 503. Default 8. */
    maxConcurrentUploads: z.number().int().positive().default(8),
    /** Seconds a request may take, body included. Default 120. */
    requestTimeoutSeconds: z.number().positive().default(120),
    /** Minutes without a request after which an open upload session is abandoned and its claim released as failed. Default 15. */
    sessionIdleMinutes: z.number().positive().default(15),
  })
  .strict()

const transientRetrySchema = z
  .object({
    /** Attempts of one run when it fails for a lost connection, a timeout or a deadlock (1 = no retry). Default 5. */
    attempts: z.number().int().min(1).max(100).default(5),
    /** Wait before the second attempt, in milliseconds; doubles per attempt, with jitter. Default 1000. */
    firstDelayMs: z.number().int().min(0).default(1000),
    /** Upper bound of that wait. Default 60000. */
    maxDelayMs: z.number().int().min(0).default(60_000),
  })
  .strict()
  .default({ attempts: 5, firstDelayMs: 1000, maxDelayMs: 60_000 })

const centralSchema = z
  .object({
    /** The central database. */
    url: databaseUrl,
    /** Schema that holds the central tables (PostgreSQL `public`, SQL Server `dbo`); default the connection's own. */
    schema: z
      .string()
      .regex(/^[A-Za-z0-9_]{1,128}$/)
      .optional(),
    /** Minutes after which an upload or import that never finished is presumed dead. Default 60. */
    leaseMinutes: z.number().positive().default(60),
    /** `labsync central serve`: the HTTPS ingestion endpoint (docs/TRANSPORT.md). */
    serve: serveSchema.optional(),
  })
  .strict()

const exportSchema = z
  .object({
    /** none: another tool fills the local staging tables; sql: two SELECT files; builtin: labsync's own export; procedure: the hospital's stored procedure. */
    mode: z.enum(['none', 'sql', 'builtin', 'procedure']).default('none'),
    /** Database of the laboratory system the export reads; default the efector's own database. */
    sourceUrl: databaseUrl.optional(),
    /** Days of validations to export; default read from LAB_SyncConfig.diasASincronizar, else 7. */
    days: z.number().int().min(0).max(3650).optional(),
    /** mode sql: file with the SELECT that returns the header rows (staging columns). */
    headersSql: z.string().optional(),
    /** mode sql: file with the SELECT that returns the detail rows (staging columns). */
    detailsSql: z.string().optional(),
    /** mode procedure: the stored procedure to call. */
    procedure: z.string().default('LAB_ExportaResultadosValidados'),
  })
  .strict()
  .superRefine((value, ctx) => {
    if (value.mode === 'sql') {
      for (const key of ['headersSql', 'detailsSql'] as const) {
        if (!value[key]) ctx.addIssue({ code: 'custom', path: [key], message: 'is required when mode is sql' })
      }
    }
  })

const httpsTransportSchema = z
  .object({
    /** Base URL of `labsync central serve`, e.g. https://labsync.central.example:8443 */
    url: z.string().regex(/^https?:\/\/[^/]+/, 'must be an http(s):// URL'),
    /** This hospital's token from `labsync central token issue`; write it as `${NAME}`. */
    token: z.string().min(1),
    /** PEM file of the CA (or the self-signed certificate) that signed the server's certificate; default the system's CAs. */
    caFile: z.string().optional(),
    /** Most rows per chunk. Default 2000. */
    chunkRows: z.number().int().positive().default(2000),
    /** Most bytes of JSON per chunk before compression. Default 4 MiB. */
    chunkBytes: z
      .number()
      .int()
      .positive()
      .default(4 * 1024 * 1024),
    /** Seconds one request may take. Default 120. */
    timeoutSeconds: z.number().positive().default(120),
    /** Attempts of one request after a dropped connection or timeout, resuming where the server acknowledged. Default 5. */
    retries: z.number().int().min(0).default(5),
  })
  .strict()

const efectorSchema = z
  .object({
    /** This hospital's idEfector; default read from the legacy LAB_SyncConfig table. */
    id: z.number().int().positive().optional(),
    /** The hospital's local database (LAB_SyncStatus and the local staging tables). */
    url: databaseUrl,
    export: exportSchema.default({ mode: 'none', procedure: 'LAB_ExportaResultadosValidados' }),
    /** Cron expression of the efector cycle when run by `labsync efector start`. */
    schedule: z.string().default('*/15 * * * *'),
    /** Seconds after which the agent lock of a process that stopped its heartbeat is presumed dead. Default 300. */
    lockLeaseSeconds: z.number().int().min(1).default(300),
    /** direct: the agent writes the central database itself; https: it pushes to `labsync central serve`. Default direct. */
    transport: z.enum(['direct', 'https']).default('direct'),
    /** transport https: the server, this hospital's token and the CA file. */
    https: httpsTransportSchema.optional(),
  })
  .strict()
  .superRefine((value, ctx) => {
    if (value.transport === 'https' && !value.https)
      ctx.addIssue({ code: 'custom', path: ['https'], message: 'is required when transport is https' })
  })

const importerSchema = z
  .object({
    /** Cron expression of the central pass when run by `labsync central start`. */
    schedule: z.string().default('*/15 * * * *'),
    retry: retrySchema,
  })
  .strict()

const monitorSchema = z
  .object({
    /** Port of `labsync monitor` when --port is not given. Default 8470. */
    port: z.number().int().min(1).max(65535).default(8470),
    /** Address to bind when --host is not given. Default 127.0.0.1; without `token` or `basicAuth` only loopback is allowed. */
    host: z.string().min(1).default('127.0.0.1'),
    /** Accept `Authorization: Bearer <token>` (for scrapers and scripts). Write it as `${ENV}`. */
    token: z.string().min(16).optional(),
    /** Accept these basic-auth credentials (for browsers). Write the password as `${ENV}`. */
    basicAuth: z
      .object({ username: z.string().min(1), password: z.string().min(8) })
      .strict()
      .optional(),
    /** A hospital is marked red after this many times its schedule without a successful import. Default 2. */
    alertFactor: z.number().positive().default(2),
    /** Alert thresholds in minutes by idEfector, replacing alertFactor times the schedule for those hospitals. */
    alertMinutes: z.record(z.string().regex(/^\d+$/), z.number().positive()).default({}),
    /** Seconds between two automatic refreshes of the pages. Default 30. */
    refreshSeconds: z.number().int().min(5).default(30),
    /** Days of run history drawn on a hospital's chart. Default 7. */
    historyDays: z.number().int().min(1).max(366).default(7),
  })
  .strict()

export const configSchema = z
  .object({
    central: centralSchema.optional(),
    efector: efectorSchema.optional(),
    importer: importerSchema.default({ schedule: '*/15 * * * *', retry: { firstMinutes: 5, maxMinutes: 240 } }),
    /** `labsync monitor`: the read-only dashboard, JSON API and metrics. */
    monitor: monitorSchema.default(() => monitorSchema.parse({})),
    /** Retries of a run that failed for a transient reason (never for bad data). */
    retries: transientRetrySchema,
    /** Seconds a stopping process waits for its run to commit or roll back before it exits anyway. Default 60. */
    shutdownSeconds: z.number().positive().default(60),
    /** Time zone of schedules; stored timestamps are never shifted. */
    timeZone: z
      .string()
      .refine(isKnownTimeZone, {
        message: 'is not a time zone this machine knows (an IANA name such as America/Argentina/Buenos_Aires)',
      })
      .default('America/Argentina/Buenos_Aires'),
    log: z
      .object({ level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info') })
      .strict()
      .default({ level: 'info' }),
  })
  .strict()

function isKnownTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone })
    return true
  } catch {
    return false
  }
}

export type LabsyncConfig = z.infer<typeof configSchema>
export type CentralConfig = NonNullable<LabsyncConfig['central']>
export type EfectorConfig = NonNullable<LabsyncConfig['efector']>
export type ExportConfig = EfectorConfig['export']
export type TransientRetryConfig = LabsyncConfig['retries']
export type MonitorConfig = LabsyncConfig['monitor']
export type ServeConfig = NonNullable<CentralConfig['serve']>
export type HttpsTransportConfig = NonNullable<EfectorConfig['https']>

export interface LoadedConfig {
  config: LabsyncConfig
  /** The file it came from; relative paths inside it are resolved against its folder. */
  file: string
}

export function loadConfigFile(file: string, env: NodeJS.ProcessEnv = process.env): LoadedConfig {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (error) {
    throw new LabsyncError('LABSYNC_CONFIG', `cannot read configuration file ${file}: ${(error as Error).message}`)
  }
  return { config: parseConfig(text, file, env), file: path.resolve(file) }
}

export function parseConfig(text: string, file: string, env: NodeJS.ProcessEnv = process.env): LabsyncConfig {
  let raw: unknown
  try {
    raw = parseYaml(text)
  } catch (error) {
    throw new LabsyncError('LABSYNC_CONFIG', `${file}: not valid YAML: ${(error as Error).message.split('\n')[0]}`)
  }
  const expanded = expandEnvironment(raw ?? {}, env, file)
  const result = configSchema.safeParse(expanded)
  if (!result.success) {
    const issue = result.error.issues[0]
    const key = issue.path.join('.') || '(top level)'
    throw new LabsyncError('LABSYNC_CONFIG', `${file}: ${key}: ${issue.message}`)
  }
  return resolveRelativePaths(result.data, path.dirname(path.resolve(file)))
}

/** `${NAME}` in a configuration value: the environment variable NAME. */
const ENVIRONMENT_REFERENCE = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g

/** Whether a configuration value takes (part of) itself from the environment. */
export function usesEnvironment(text: string): boolean {
  return new RegExp(ENVIRONMENT_REFERENCE.source).test(text)
}

/** A parsed YAML value with every string in it mapped, given the key path that leads to it. */
export function mapStrings(
  value: unknown,
  map: (text: string, keyPath: string[]) => string,
  keyPath: string[] = [],
): unknown {
  if (typeof value === 'string') return map(value, keyPath)
  if (Array.isArray(value)) return value.map((item, index) => mapStrings(item, map, [...keyPath, String(index)]))
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, mapStrings(item, map, [...keyPath, key])]),
    )
  }
  return value
}

function expandEnvironment(value: unknown, env: NodeJS.ProcessEnv, file: string): unknown {
  return mapStrings(value, (text, keyPath) =>
    text.replace(ENVIRONMENT_REFERENCE, (_match, name: string) => {
      const found = env[name]
      if (found === undefined) {
        throw new LabsyncError(
          'LABSYNC_CONFIG',
          `${file}: ${keyPath.join('.')}: environment variable ${name} is not set`,
        )
      }
      return found
    }),
  )
}

/** SQLite files and SQL files named relative to the configuration file are found beside it. */
function resolveRelativePaths(config: LabsyncConfig, baseDir: string): LabsyncConfig {
  const resolveUrl = (url: string) => {
    const match = /^sqlite:(.*)$/.exec(url)
    if (!match || match[1] === ':memory:' || path.isAbsolute(match[1])) return url
    return `sqlite:${path.resolve(baseDir, match[1])}`
  }
  const resolveFile = (file: string | undefined) => (file ? path.resolve(baseDir, file) : file)
  const serve = config.central?.serve
  const central = config.central
    ? {
        ...config.central,
        url: resolveUrl(config.central.url),
        serve: serve && {
          ...serve,
          tls: serve.tls && { cert: resolveFile(serve.tls.cert)!, key: resolveFile(serve.tls.key)! },
        },
      }
    : undefined
  const efector = config.efector
    ? {
        ...config.efector,
        url: resolveUrl(config.efector.url),
        export: {
          ...config.efector.export,
          sourceUrl: config.efector.export.sourceUrl ? resolveUrl(config.efector.export.sourceUrl) : undefined,
          headersSql: resolveFile(config.efector.export.headersSql),
          detailsSql: resolveFile(config.efector.export.detailsSql),
        },
        https: config.efector.https && { ...config.efector.https, caFile: resolveFile(config.efector.https.caFile) },
      }
    : undefined
  return { ...config, central, efector }
}

export function requireCentral(loaded: LoadedConfig): CentralConfig {
  if (!loaded.config.central) {
    throw new LabsyncError('LABSYNC_CONFIG', `${loaded.file}: central: is required for this command (central.url)`)
  }
  return loaded.config.central
}

export function requireEfector(loaded: LoadedConfig): EfectorConfig {
  if (!loaded.config.efector) {
    throw new LabsyncError('LABSYNC_CONFIG', `${loaded.file}: efector: is required for this command (efector.url)`)
  }
  return loaded.config.efector
}

/**
 * Where a database URL holds a password: after `user:` up to the last '@'
 * (a password may hold an unencoded '@' or '/'; taking too much is the safe
 * side), and in `password=` / `pwd=` options.
 */
const URL_PASSWORD = /^([a-z]+:\/\/[^:/@]*):(.*)@/i
const OPTION_PASSWORD = /(password|pwd)=([^;&]*)/gi

/** Hides the password of a database URL, for logs and messages. */
export function redactUrl(url: string): string {
  return url.replace(URL_PASSWORD, '$1:***@').replace(OPTION_PASSWORD, '$1=***')
}

/** The passwords a database URL holds, as written. */
export function urlPasswords(url: string): string[] {
  const inUser = URL_PASSWORD.exec(url)?.[2]
  const inOptions = [...url.matchAll(OPTION_PASSWORD)].map((match) => match[2])
  return [...(inUser === undefined ? [] : [inUser]), ...inOptions]
}
