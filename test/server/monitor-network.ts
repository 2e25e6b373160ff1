import type { FastifyInstance } from 'fastify'
import { configSchema, type MonitorConfig } from '../../src/core/config.js'
import type { Database } from '../../src/db/database.js'
import { HISTORY_TABLE_NAME } from '../../src/db/tables/history-table.js'
import { STATUS_TABLE_NAME } from '../../src/db/tables/status-table.js'
import { addMinutes } from '../../src/protocol/efector-state.js'
import { build } from '../../src/server/build-monitor.js'
import { centralNow } from '../../src/status/status-store.js'
import { Scenario } from '../support/scenario.js'
import { detail, header } from '../support/staging-fixtures.js'
import type { TestDialect } from '../support/test-databases.js'

/**
 * A network with one hospital in each state the monitor shows, reached
 * through real cycles and passes, then direct status-row (and history)
 * updates where a state needs a dead process or the passing of time:
 *
 *   101 idle       imported a moment ago
 *   102 pending    uploaded again after its import
 *   103 uploading  an upload claimed 5 minutes ago, not finished
 *   104 importing  an import claimed 5 minutes ago, not finished
 *   105 stale      an import claimed 2 hours ago by a process that died; last good import 2.5 h ago
 *   106 failed     its import failed (its staging table is missing)
 *   107 idle       but its last import was 3 hours ago: overdue
 *   108 idle       registered, never uploaded: overdue (never imported)
 */
export const EXPECTED_STATUS: Record<number, string> = {
  101: 'idle',
  102: 'pending',
  103: 'uploading',
  104: 'importing',
  105: 'stale',
  106: 'failed',
  107: 'idle',
  108: 'idle',
}
export const EXPECTED_OVERDUE = new Set([105, 107, 108])
export const TIME_ZONE = 'America/Argentina/Buenos_Aires'

const NAMES: Record<number, string> = {
  101: 'HospitalNorte',
  102: 'HospitalSur',
  103: 'HospitalEste',
  104: 'HospitalOeste',
  105: 'HospitalCentro',
  106: 'HospitalRio',
  107: 'HospitalLago',
  108: 'HospitalNuevo',
}

/** Rows each hospital stages: id*10 protocols with two details each. */
export function stagedCounts(id: number): { headers: number; details: number } {
  return { headers: id % 100, details: (id % 100) * 2 }
}

export async function createMonitorNetwork(dialect: TestDialect): Promise<Scenario> {
  const scenario = await Scenario.create(
    dialect,
    Object.entries(NAMES).map(([id, name]) => ({ id: Number(id), name })),
  )
  for (const id of [101, 102, 103, 104, 105, 106, 107]) {
    const { headers } = stagedCounts(id)
    const rows = Array.from({ length: headers }, (_, index) => index + 1)
    await scenario.stageLocally(
      id,
      rows.map((idProtocolo) => header({ idProtocolo, idEfector: id })),
      rows.flatMap((idProtocolo) =>
        [1, 2].map((n) => detail({ idProtocolo, idEfector: id, idDetalleProtocolo: idProtocolo * 10 + n })),
      ),
    )
    await expectOutcome(scenario.runCycle(id), 'uploaded')
  }
  await scenario.runPass()

  // 106: a new upload, then an import that fails because its staging table is gone.
  await expectOutcome(scenario.runCycle(106), 'uploaded')
  await updateStatus(scenario, 106, () => ({ tablaEncabezado: 'LAB_Temp_NoSuchTable' }))
  const failing = await scenario.runPass()
  if (failing.outcomes.find((outcome) => outcome.idEfector === 106)?.outcome !== 'failed')
    throw new Error('106 did not fail')

  await expectOutcome(scenario.runCycle(102), 'uploaded')
  await updateStatus(scenario, 103, (now) => ({
    ultimoUpdateEfectorInicio: addMinutes(now, -5),
    ultimoUpdateEfectorFin: null,
  }))
  await updateStatus(scenario, 104, (now) => ({ ultimoSyncFechaInicio: addMinutes(now, -5), ultimoSyncFechaFin: null }))
  await backdate(scenario, 105, 150)
  await updateStatus(scenario, 105, (now) => ({
    ultimoSyncFechaInicio: addMinutes(now, -120),
    ultimoSyncFechaFin: null,
  }))
  await backdate(scenario, 107, 180)
  return scenario
}

async function expectOutcome(result: Promise<{ outcome: string }>, outcome: string): Promise<void> {
  const got = (await result).outcome
  if (got !== outcome) throw new Error(`expected ${outcome}, got ${got}`)
}

export async function updateStatus(
  scenario: Scenario,
  id: number,
  values: (now: string) => Record<string, unknown>,
): Promise<void> {
  await scenario.onCentral(async (session) => {
    const now = await centralNow(session)
    await session.db.updateTable(STATUS_TABLE_NAME).set(values(now)).where('idEfector', '=', id).execute()
  })
}

/** Moves a hospital's upload, import and run history `minutes` into the past, as if no run had happened since. */
async function backdate(scenario: Scenario, id: number, minutes: number): Promise<void> {
  await scenario.onCentral(async (session) => {
    const now = await centralNow(session)
    const at = (offset: number) => addMinutes(now, -minutes - offset)
    await session.db
      .updateTable(STATUS_TABLE_NAME)
      .set({
        ultimoUpdateEfectorInicio: at(2),
        ultimoUpdateEfectorFin: at(1.5),
        labsyncUploadFin: at(1.5),
        ultimoSyncFechaInicio: at(1),
        ultimoSyncFechaFin: at(0),
      })
      .where('idEfector', '=', id)
      .execute()
    await session.db
      .updateTable(HISTORY_TABLE_NAME)
      .set({ startedAt: at(1), finishedAt: at(0) })
      .where('idEfector', '=', id)
      .execute()
  })
}

export function monitorConfig(overrides: Partial<Record<keyof MonitorConfig, unknown>> = {}): MonitorConfig {
  return configSchema.parse({ monitor: overrides }).monitor
}

export function buildMonitor(
  scenario: Scenario,
  options: { monitor?: MonitorConfig; database?: Database; importerSchedule?: string } = {},
): Promise<FastifyInstance> {
  return build({
    database: options.database ?? scenario.central.database,
    central: scenario.centralConfig,
    monitor: options.monitor ?? monitorConfig(),
    timeZone: TIME_ZONE,
    importerSchedule: options.importerSchedule ?? '*/15 * * * *',
    readTimeoutSeconds: 10,
  })
}
