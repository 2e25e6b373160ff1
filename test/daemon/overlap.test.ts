import { once } from 'node:events'
import { afterEach, describe, expect, it } from 'vitest'
import { configSchema, type LoadedConfig } from '../../src/core/config.js'
import { LabsyncError } from '../../src/core/errors.js'
import { newOwnerId } from '../../src/core/owner.js'
import { AgentLock } from '../../src/daemon/agent-lock.js'
import { EFECTOR_LOCK_NAME, runEfectorOnce } from '../../src/daemon/efector-agent.js'
import { Shutdown } from '../../src/daemon/shutdown.js'
import { usingSession } from '../../src/db/session.js'
import { Scheduler } from '../../src/scheduler/scheduler.js'
import { captureLogger } from '../support/capture-logger.js'
import { Scenario } from '../support/scenario.js'
import { DIALECTS } from '../support/test-databases.js'

describe('the scheduler', () => {
  let scheduler: Scheduler | undefined
  afterEach(async () => scheduler?.stop({ abort: true }))

  it('does not start a run while the previous one is still going, and goes on after it and after a failure', async () => {
    let release!: () => void
    const blocked = new Promise<void>((resolve) => (release = resolve))
    const started: number[] = []
    let concurrent = 0
    let maxConcurrent = 0
    scheduler = new Scheduler({
      schedule: '* * * * * *', // every second: far shorter than the first run
      timeZone: 'America/Argentina/Buenos_Aires',
      task: async ({ runNumber }) => {
        started.push(runNumber)
        concurrent += 1
        maxConcurrent = Math.max(maxConcurrent, concurrent)
        try {
          if (runNumber === 1) await blocked
          if (runNumber === 2) throw new Error('this run fails')
        } finally {
          concurrent -= 1
        }
      },
    })
    const overlaps: number[] = []
    scheduler.on('overlap', ({ runNumber }) => overlaps.push(runNumber))
    const errors: unknown[] = []
    scheduler.on('run-error', ({ error }) => errors.push(error))

    scheduler.start({ runNow: true })
    while (overlaps.length < 2) await once(scheduler, 'overlap')
    expect(started).toEqual([1])
    expect(overlaps).toEqual([1, 1])

    release()
    while (started.length < 3) await once(scheduler, 'run-start')
    expect(errors.map((error) => (error as Error).message)).toEqual(['this run fails'])
    expect(maxConcurrent).toBe(1)
  })

  it('refuses a schedule it cannot read, and a time zone that does not exist', () => {
    const task = async () => {}
    expect(() => new Scheduler({ schedule: 'every minute', timeZone: 'UTC', task })).toThrow()
    expect(() => new Scheduler({ schedule: '*/5 * * * *', timeZone: 'America/Nowhere', task })).toThrow()
  })

  it('reads the schedule in the configured time zone', () => {
    const atNine = new Scheduler({
      schedule: '0 9 * * *',
      timeZone: 'America/Argentina/Buenos_Aires',
      task: async () => {},
    })
    atNine.start()
    // 09:00 in Buenos Aires (UTC-03:00, no daylight saving) is 12:00 UTC.
    expect(atNine.nextRun()?.toISOString()).toMatch(/T12:00:00\.000Z$/)
    void atNine.stop()
  })
})

describe.each(DIALECTS)('the agent lock on %s', (dialect) => {
  let scenario: Scenario
  afterEach(async () => scenario?.drop())

  it('lets one agent per hospital run: a second one refuses and names the process that holds it', async () => {
    scenario = await Scenario.create(dialect, [{ id: 101, name: 'Norte' }])
    const local = scenario.hospitals.get(101)!.database
    const first = await AgentLock.acquire(local, {
      name: EFECTOR_LOCK_NAME,
      owner: 'hostA:1111:aaaa',
      leaseSeconds: 300,
      efector: 101,
    })

    const second = AgentLock.acquire(local, {
      name: EFECTOR_LOCK_NAME,
      owner: 'hostB:2222:bbbb',
      leaseSeconds: 300,
      efector: 101,
    })
    await expect(second).rejects.toMatchObject({ code: 'LABSYNC_LOCKED' })
    await expect(second).rejects.toThrow(/hospital 101 is running: hostA:1111:aaaa holds the agent lock/)

    // The one-shot command refuses too, while the daemon holds the lock.
    const loaded: LoadedConfig = {
      file: 'test.yaml',
      config: configSchema.parse({
        efector: { id: 101, url: scenario.hospitals.get(101)!.url },
        central: { url: scenario.central.url },
      }),
    }
    const shutdown = new Shutdown({ graceMs: 1000, signals: [] })
    await expect(runEfectorOnce(loaded, { logger: captureLogger().logger, shutdown })).rejects.toMatchObject({
      code: 'LABSYNC_LOCKED',
    })

    expect(await first.heartbeat()).toBe(true)
    await first.release()
    const taken = await AgentLock.acquire(local, {
      name: EFECTOR_LOCK_NAME,
      owner: 'hostB:2222:bbbb',
      leaseSeconds: 300,
    })
    expect(await first.heartbeat()).toBe(false)
    await taken.release()
  })

  it('takes over a lock whose holder stopped its heartbeat longer ago than the lease', async () => {
    scenario = await Scenario.create(dialect, [{ id: 101, name: 'Norte' }])
    const local = scenario.hospitals.get(101)!.database
    const dead = await AgentLock.acquire(local, { name: EFECTOR_LOCK_NAME, owner: 'hostA:1111:aaaa', leaseSeconds: 60 })
    await usingSession(local, (session) =>
      session.db
        .updateTable('labsync_lock')
        .set({ heartbeatAt: session.dialect.minutesAgo(2) })
        .execute(),
    )
    const owner = newOwnerId()
    const alive = await AgentLock.acquire(local, { name: EFECTOR_LOCK_NAME, owner, leaseSeconds: 60 })
    expect(await dead.heartbeat()).toBe(false)
    const holder = await usingSession(local, (session) =>
      AgentLock.holder(session, { name: 'labsync_lock' }, EFECTOR_LOCK_NAME),
    )
    expect(holder?.owner).toBe(owner)
    await alive.release()
  })

  it('says how to create the lock table when it is missing', async () => {
    scenario = await Scenario.create(dialect, [{ id: 101, name: 'Norte' }])
    const local = scenario.hospitals.get(101)!.database
    await usingSession(local, (session) =>
      session.connection.execute({ sql: 'DROP TABLE labsync_lock', parameters: [] }),
    )
    const error = await AgentLock.acquire(local, {
      name: EFECTOR_LOCK_NAME,
      owner: newOwnerId(),
      leaseSeconds: 60,
    }).catch((e) => e)
    expect(error).toBeInstanceOf(LabsyncError)
    expect(error).toMatchObject({ code: 'LABSYNC_TABLE_MISSING' })
    expect(error.message).toMatch(/labsync efector install/)
  })
})
