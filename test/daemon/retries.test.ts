import { sql } from 'kysely'
import { afterEach, describe, expect, it } from 'vitest'
import { newOwnerId } from '../../src/core/owner.js'
import type { Database } from '../../src/db/database.js'
import { openDatabase } from '../../src/db/open-database.js'
import { transientKind } from '../../src/db/transient-errors.js'
import { runResilientCentralPass } from '../../src/daemon/resilient-central-pass.js'
import { runResilientEfectorCycle } from '../../src/daemon/resilient-efector-cycle.js'
import { captureLogger } from '../support/capture-logger.js'
import { generatedStaging } from '../support/generated-staging.js'
import { Scenario } from '../support/scenario.js'
import { header } from '../support/staging-fixtures.js'
import { TcpProxy } from '../support/tcp-proxy.js'
import { usingSession } from '../../src/db/session.js'

/**
 * A hospital uploads to a central PostgreSQL server reached through a TCP
 * proxy on 127.0.0.1 that cuts the connection in the middle of the COPY.
 */
describe('retries of an upload whose connection is cut (central PostgreSQL behind a proxy)', () => {
  let scenario: Scenario
  let proxy: TcpProxy
  let proxied: Database | undefined
  afterEach(async () => {
    await proxied?.close()
    await proxy?.close()
    await scenario?.drop()
  })

  const policy = (attempts: number) => ({ attempts, firstDelayMs: 10, maxDelayMs: 50 })
  const statusRow = async () => (await scenario.centralRows('LAB_EstadoSyncGeneral', ['idEfector']))[0]
  const stagedCount = async () =>
    (await scenario.centralRows('LAB_Temp_NorteResultadoEncabezado', ['idProtocolo'])).length

  async function setUp() {
    scenario = await Scenario.create('postgres', [{ id: 101, name: 'Norte' }])
    // A first, good upload: the staging the failed attempts must leave in place.
    await scenario.stageLocally(
      101,
      [header({ idProtocolo: 1, idEfector: 101 }), header({ idProtocolo: 2, idEfector: 101 })],
      [],
    )
    expect((await scenario.runCycle(101)).outcome).toBe('uploaded')
    // The hospital may upload at most every 10 minutes; the last upload "was" an hour ago.
    await scenario.onCentral((session) =>
      session.run(sql`UPDATE ${sql.table('LAB_EstadoSyncGeneral')} SET ${sql.ref('minutosMinimoSyncEfector')} = 10,
        ${sql.ref('ultimoUpdateEfectorInicio')} = ${session.dialect.minutesAgo(60)}`),
    )
    const big = generatedStaging(101, 3000, 3, 300)
    await scenario.stageLocally(101, big.headers, big.details)

    const target = new URL(scenario.central.url)
    proxy = await TcpProxy.start({ host: target.hostname, port: Number(target.port || 5432) })
    const through = new URL(scenario.central.url)
    through.port = String(proxy.port)
    proxied = openDatabase(through.toString())
    return { ...scenario.centralConfig, url: through.toString() }
  }

  it('retries after the cut, on a fresh connection, and the central state ends correct', async () => {
    const central = await setUp()
    proxy.cutAfter(512 * 1024, 1)
    const { logger, lines } = captureLogger()
    const owner = newOwnerId()

    const result = await runResilientEfectorCycle(
      scenario.hospitals.get(101)!.database,
      proxied,
      scenario.efectorConfig(101),
      central,
      {
        owner,
        retries: policy(4),
        logger,
      },
    )

    expect(proxy.cuts).toBe(1)
    expect(result).toMatchObject({ outcome: 'uploaded', attempts: 2, uploaded: { headers: 3000, details: 9000 } })
    expect(await stagedCount()).toBe(3000)
    const row = await statusRow()
    expect(row).toMatchObject({
      labsyncUploadSeq: 2,
      labsyncUploadOwner: null,
      labsyncUploadError: null,
      labsyncUploadFailedInicio: null,
    })
    expect(row.ultimoUpdateEfectorFin).not.toBeNull()
    const history = await scenario.centralRows('labsync_run', ['id'])
    expect(history.map((run) => [run.outcome, run.owner === owner])).toEqual([
      ['ok', false],
      ['failed', true],
      ['ok', true],
    ])
    const retry = lines().find((line) => String(line.msg).includes('retrying'))
    expect(retry).toMatchObject({ level: 40, attempt: 1, kind: 'connection', code: expect.stringMatching(/^LABSYNC_/) })
    // The retry carried on the same cycle: exported once, one LAB_SyncStatus row for both attempts.
    expect(lines().filter((line) => line.msg === 'export started')).toHaveLength(1)
    const localRuns = await usingSession(scenario.hospitals.get(101)!.database, (session) =>
      session.db.selectFrom('LAB_SyncStatus').selectAll().orderBy('id').execute(),
    )
    expect(localRuns.slice(-1)).toMatchObject([{ labsyncOutcome: 'uploaded', cantidadRegistrosEncabezado: 3000 }])
    expect(localRuns.filter((run) => run.labsyncOutcome !== 'uploaded' || run.fechaFinUpload === null)).toEqual([])
    // The import now takes the new upload.
    const pass = await scenario.runPass()
    expect(pass.outcomes.map((outcome) => outcome.outcome)).toEqual(['ok'])
    expect((await scenario.centralRows('LAB_ResultadoEncabezado', ['idProtocolo'])).length).toBe(3000)
  })

  it('gives up after the configured number of attempts, with the last error, leaving the previous staging', async () => {
    const central = await setUp()
    proxy.cutAfter(512 * 1024)
    const { logger } = captureLogger()

    const result = await runResilientEfectorCycle(
      scenario.hospitals.get(101)!.database,
      proxied,
      scenario.efectorConfig(101),
      central,
      {
        owner: newOwnerId(),
        retries: policy(3),
        logger,
      },
    )

    expect(proxy.cuts).toBe(3)
    expect(result).toMatchObject({ outcome: 'failed', attempts: 3 })
    expect(transientKind(result.error)).toBe('connection')
    expect(await stagedCount()).toBe(2)
    const row = await statusRow()
    // Not importable (the upload never finished), yet free for the next run to take at once.
    expect(row.ultimoUpdateEfectorFin).toBeNull()
    expect(row.labsyncUploadOwner).toBeNull()
    expect(row.labsyncUploadFailedInicio).toEqual(row.ultimoUpdateEfectorInicio)
    expect(row.labsyncUploadSeq).toBe(1)
    const history = await scenario.centralRows('labsync_run', ['id'])
    expect(history.map((run) => run.outcome)).toEqual(['ok', 'failed', 'failed', 'failed'])

    proxy.cutAfter(0, 0)
    const next = await scenario.runCycle(101)
    expect(next.outcome).toBe('uploaded')
    expect(await stagedCount()).toBe(3000)
  })

  it('does not retry bad data', async () => {
    const central = await setUp()
    await scenario.stageLocally(
      101,
      [header({ idProtocolo: 1, idEfector: 101 }), header({ idProtocolo: 2, idEfector: 999 })],
      [],
    )
    const { logger } = captureLogger()
    const result = await runResilientEfectorCycle(
      scenario.hospitals.get(101)!.database,
      proxied,
      scenario.efectorConfig(101),
      central,
      {
        owner: newOwnerId(),
        retries: policy(5),
        logger,
      },
    )
    expect(result).toMatchObject({ outcome: 'failed', attempts: 1, error: { code: 'LABSYNC_FOREIGN_ROWS' } })
    expect(proxy.cuts).toBe(0)
    expect(await stagedCount()).toBe(2)
  })
})

describe('retries of a central pass whose connection is cut in the middle of a merge (PostgreSQL behind a proxy)', () => {
  let scenario: Scenario
  let proxy: TcpProxy
  let proxied: Database | undefined
  afterEach(async () => {
    await proxied?.close()
    await proxy?.close()
    await scenario?.drop()
  })

  it('releases the import claim on a fresh connection, imports on the next attempt, and ends correct', async () => {
    scenario = await Scenario.create('postgres', [
      { id: 101, name: 'Norte' },
      { id: 202, name: 'Sur' },
    ])
    for (const id of [101, 202]) {
      await scenario.stageLocally(
        id,
        [header({ idProtocolo: 1, idEfector: id }), header({ idProtocolo: 2, idEfector: id })],
        [],
      )
      expect((await scenario.runCycle(id)).outcome).toBe('uploaded')
    }
    const target = new URL(scenario.central.url)
    proxy = await TcpProxy.start({ host: target.hostname, port: Number(target.port || 5432) })
    const through = new URL(scenario.central.url)
    through.port = String(proxy.port)
    proxied = openDatabase(through.toString())
    // The first statement that writes the central headers never reaches the server.
    proxy.cutWhen('INSERT INTO "LAB_ResultadoEncabezado"', 1)
    const { logger, lines } = captureLogger()
    const owner = newOwnerId()

    const pass = await runResilientCentralPass(
      proxied,
      { ...scenario.centralConfig, url: through.toString() },
      scenario.retry,
      {
        owner,
        retries: { attempts: 3, firstDelayMs: 10, maxDelayMs: 50 },
        logger,
      },
    )

    expect(proxy.cuts).toBe(1)
    expect(pass.attempts).toBe(2)
    expect(pass.outcomes.map((outcome) => [outcome.idEfector, outcome.outcome])).toEqual([
      [101, 'ok'],
      [202, 'ok'],
    ])
    const rows = await scenario.centralRows('LAB_EstadoSyncGeneral', ['idEfector'])
    for (const row of rows) {
      expect(row).toMatchObject({
        labsyncImportOwner: null,
        labsyncImportError: null,
        labsyncImportFailures: 0,
        labsyncImportedSeq: 1,
      })
      expect(row.ultimoSyncFechaFin).not.toBeNull()
    }
    expect(
      (await scenario.centralRows('LAB_ResultadoEncabezado', ['idEfector', 'idProtocolo'])).map((row) => [
        row.idEfector,
        row.idProtocolo,
      ]),
    ).toEqual([
      [101, 1],
      [101, 2],
      [202, 1],
      [202, 2],
    ])
    const imports = (await scenario.centralRows('labsync_run', ['id'])).filter((run) => run.kind === 'import')
    expect(imports.map((run) => [run.idEfector, run.outcome])).toEqual([
      [101, 'failed'],
      [101, 'ok'],
      [202, 'ok'],
    ])
    expect(lines().some((line) => line.msg === 'released the import claim the failed attempt left')).toBe(true)
  })
})
