import type { LoadedConfig } from '../core/config.js'
import { driverMessage, LabsyncError } from '../core/errors.js'
import type { TableSpec } from '../db/column-spec.js'
import type { Database, TableName } from '../db/database.js'
import { openDatabase } from '../db/open-database.js'
import { usingSession, type Session } from '../db/session.js'
import { HISTORY_TABLE } from '../db/tables/history-table.js'
import { LOCAL_STATUS_TABLE } from '../db/tables/local-tables.js'
import { LOCK_TABLE } from '../db/tables/lock-table.js'
import {
  CENTRAL_DETAIL_TABLE,
  CENTRAL_HEADER_TABLE,
  detailTable,
  headerTable,
  LOCAL_DETAIL_TABLE,
  LOCAL_HEADER_TABLE,
} from '../db/tables/staging-tables.js'
import { STATUS_TABLE } from '../db/tables/status-table.js'
import { AgentLock } from '../daemon/agent-lock.js'
import { EFECTOR_LOCK_NAME } from '../daemon/efector-agent.js'
import { Scheduler } from '../scheduler/scheduler.js'
import { checkClock } from './check-clock.js'
import { checkRights, type Privilege } from './check-rights.js'
import { checkLiteralSecrets } from './check-secrets.js'
import { checkTables } from './check-schema.js'
import { checkStatusRows, type StagingTable } from './check-status-rows.js'
import { ok, problem, type Finding } from './finding.js'

export interface DoctorOptions {
  /** This machine's clock; default Date.now. */
  now?: () => number
  /** Clock difference with the central server that is still fine. Default 120 s. */
  maxClockSkewSeconds?: number
}

/**
 * `labsync doctor`: checks a configuration against the databases it names,
 * reading only (rights are probed with statements that touch no row, in
 * transactions that are rolled back). Every finding that is not ok says how
 * to fix it.
 */
export async function runDoctor(loaded: LoadedConfig, options: DoctorOptions = {}): Promise<Finding[]> {
  const { config } = loaded
  const findings: Finding[] = [ok('configuration', `${loaded.file} is valid`), ...checkLiteralSecrets(loaded.file)]
  const efector = config.efector
  const central = config.central
  const direct = efector?.transport !== 'https'
  const importer = central !== undefined && efector === undefined

  if (!efector && !central) {
    findings.push(
      problem(
        'configuration',
        'neither an efector nor a central section',
        'labsync init writes an example to start from',
        'config',
      ),
    )
    return findings
  }
  if (efector && direct && !central) {
    findings.push(
      problem(
        'configuration',
        'an efector with transport direct needs the central section (central.url)',
        'add central: url: ... to the file',
        'config',
      ),
    )
  }
  const schedules: Array<[string, string]> = []
  if (efector) schedules.push(['efector.schedule', efector.schedule])
  if (importer) schedules.push(['importer.schedule', config.importer.schedule])
  for (const [key, schedule] of schedules) {
    try {
      new Scheduler({ schedule, timeZone: config.timeZone, task: async () => {} })
      findings.push(ok('configuration', `${key} ${JSON.stringify(schedule)} in ${config.timeZone}`))
    } catch (error) {
      findings.push(
        problem(
          'configuration',
          `${key} ${JSON.stringify(schedule)} in time zone ${config.timeZone}: ${(error as Error).message}`,
          'write a cron expression such as "*/15 * * * *" and an IANA time zone such as America/Argentina/Buenos_Aires',
          'config',
        ),
      )
    }
  }

  if (efector) {
    const area = 'efector database'
    await withDatabase(findings, area, 'efector.url', efector.url, async (session) => {
      const staging: Privilege[] =
        efector.export.mode === 'sql' || efector.export.mode === 'builtin' ? ['SELECT', 'INSERT', 'DELETE'] : ['SELECT']
      const needs: Array<[TableSpec, Privilege[]]> = [
        [LOCAL_STATUS_TABLE, ['SELECT', 'INSERT', 'UPDATE']],
        [headerTable(LOCAL_HEADER_TABLE), staging],
        [detailTable(LOCAL_DETAIL_TABLE), staging],
        [LOCK_TABLE, ['SELECT', 'INSERT', 'UPDATE']],
      ]
      const tables = await checkTables(
        session,
        area,
        needs.map(([spec]) => spec),
        { install: 'labsync efector install', warnUntyped: true },
      )
      findings.push(...tables.findings)
      for (const [spec, privileges] of needs) {
        const table = tables.found.get(spec.name)
        if (table) findings.push(...(await checkRights(session, area, table, spec, privileges)))
      }
      const lockTable = tables.found.get(LOCK_TABLE.name)
      const holder = lockTable ? await AgentLock.holder(session, lockTable, EFECTOR_LOCK_NAME) : undefined
      if (holder?.owner)
        findings.push(ok(area, `the agent lock is held by ${holder.owner} (last heartbeat ${holder.heartbeatAt})`))
    })
    if (efector.export.sourceUrl && efector.export.mode !== 'none') {
      await withDatabase(
        findings,
        'laboratory database',
        'efector.export.sourceUrl',
        efector.export.sourceUrl,
        async () => {},
      )
    }
  }

  if (central && direct) {
    const area = 'central database'
    await withDatabase(findings, area, 'central.url', central.url, async (session) => {
      const specs = [STATUS_TABLE, CENTRAL_HEADER_TABLE, CENTRAL_DETAIL_TABLE, HISTORY_TABLE]
      const tables = await checkTables(session, area, specs, {
        schema: central.schema,
        install: 'labsync central install',
      })
      findings.push(...tables.findings)
      findings.push(
        ...(await checkClock(session, area, {
          now: options.now ?? Date.now,
          maxSkewMs: (options.maxClockSkewSeconds ?? 120) * 1000,
          timeZone: config.timeZone,
        })),
      )
      const status = tables.found.get(STATUS_TABLE.name)
      if (!status) return
      const rows = await checkStatusRows(session, area, status, central, importer ? undefined : efector?.id)
      findings.push(...rows.findings)
      findings.push(...(await checkCentralRights(session, area, tables.found, rows.staging, importer)))
    })
  }
  return findings
}

async function checkCentralRights(
  session: Session,
  area: string,
  found: Map<string, TableName>,
  staging: StagingTable[],
  importer: boolean,
): Promise<Finding[]> {
  const findings: Finding[] = []
  const check = async (spec: TableSpec, table: TableName | undefined, privileges: Privilege[]) => {
    if (table) findings.push(...(await checkRights(session, area, table, spec, privileges)))
  }
  await check(STATUS_TABLE, found.get(STATUS_TABLE.name), ['SELECT', 'UPDATE'])
  await check(HISTORY_TABLE, found.get(HISTORY_TABLE.name), importer ? ['SELECT', 'INSERT'] : ['INSERT'])
  if (importer) {
    for (const spec of [CENTRAL_HEADER_TABLE, CENTRAL_DETAIL_TABLE])
      await check(spec, found.get(spec.name), ['SELECT', 'INSERT', 'UPDATE', 'DELETE'])
  }
  const emptying: Privilege[] = session.dialect.name === 'postgres' ? ['TRUNCATE'] : ['DELETE']
  for (const item of staging)
    await check(item.spec, item.table, importer ? ['SELECT'] : ['SELECT', 'INSERT', ...emptying])
  return findings
}

/** Opens a database for the checks, or reports why it cannot be reached and what to do. */
async function withDatabase(
  findings: Finding[],
  area: string,
  key: string,
  url: string,
  checks: (session: Session) => Promise<void>,
) {
  let database: Database
  try {
    // A SQLite path with a typo must be reported, not created empty (install creates new files).
    database = openDatabase(url, { mustExist: true })
  } catch (error) {
    findings.push(problem(area, (error as Error).message, `correct ${key}`, 'config'))
    return
  }
  let reached = false
  try {
    await usingSession(database, async (session) => {
      reached = true
      findings.push(ok(area, `reached ${database.displayUrl}`))
      await checks(session)
    })
  } catch (error) {
    if (!reached) findings.push(unreachable(area, key, database.displayUrl, error))
    else
      findings.push(
        problem(
          area,
          `a check failed: ${error instanceof LabsyncError ? `${error.code}: ${error.message}` : driverMessage(error)}`,
        ),
      )
  } finally {
    await database.close().catch(() => {})
  }
}

function unreachable(area: string, key: string, displayUrl: string, error: unknown): Finding {
  let cause: unknown = error
  while (cause instanceof LabsyncError && cause.cause) cause = cause.cause
  const code = String((cause as { code?: unknown })?.code ?? '')
  const message = driverMessage(cause)
  const fixes: Record<string, string> = {
    '28P01': `the password is wrong: correct the password in ${key} (or the environment variable it names)`,
    '28000': `the login is refused (no such role, or pg_hba.conf does not let it in from here): correct the user in ${key}, or on the server: CREATE ROLE <user> LOGIN PASSWORD '<password>';`,
    '3D000': `the database does not exist: correct ${key}, or on the server: CREATE DATABASE <name>;`,
    ECONNREFUSED: `nothing listens there: check the host and port in ${key}, that the server runs, and that the firewall lets this machine in`,
    ENOTFOUND: `the host name is unknown: correct the host in ${key}`,
    ETIMEDOUT: `the server does not answer: check the network, the VPN and the firewall between this machine and the host in ${key}`,
    SQLITE_CANTOPEN: `the file does not exist or cannot be opened: check the path in ${key} and the file's rights (install creates a new file)`,
  }
  return problem(
    area,
    `cannot reach ${displayUrl}: ${message}`,
    fixes[code] ?? `check ${key}: host, port, database, user and password`,
    'unreachable',
  )
}
