import { sql } from 'kysely'
import { LabsyncError } from '../core/errors.js'
import { requireTable } from '../db/catalog.js'
import type { Database, TableName } from '../db/database.js'
import { normaliseDatetime } from '../db/row-validator.js'
import { usingSession, type Session } from '../db/session.js'
import { LOCK_TABLE } from '../db/tables/lock-table.js'
import { kyselyTable } from '../status/status-store.js'

/** Who holds a lock, as the lock row says. */
export interface LockHolder {
  owner: string | null
  acquiredAt: string | null
  heartbeatAt: string | null
}

/**
 * An agent lock in the hospital's own database (table `labsync_lock`),
 * which every process that runs that hospital's agent reaches, on any
 * machine and any supported database. It is taken with one conditional
 * UPDATE (free, ours, or its heartbeat older than the lease), kept with a
 * heartbeat, and released on a clean stop. Timestamps are that database's
 * clock, so the machines' clocks do not matter.
 */
export class AgentLock {
  readonly #database: Database
  readonly #table: TableName
  readonly name: string
  readonly owner: string
  readonly leaseSeconds: number

  private constructor(database: Database, table: TableName, name: string, owner: string, leaseSeconds: number) {
    this.#database = database
    this.#table = table
    this.name = name
    this.owner = owner
    this.leaseSeconds = leaseSeconds
  }

  /**
   * Takes the lock or throws LABSYNC_LOCKED naming the process that holds
   * it. `efector` only names the hospital in messages.
   */
  static async acquire(
    database: Database,
    options: { name: string; owner: string; leaseSeconds: number; efector?: number },
  ): Promise<AgentLock> {
    return usingSession(database, async (session) => {
      const table = await requireTable(session, LOCK_TABLE.name, {
        efector: options.efector,
        hint: 'run `labsync efector install` (it adds the agent lock table)',
      })
      const lock = new AgentLock(database, table, options.name, options.owner, options.leaseSeconds)
      await lock.#ensureRow(session)
      if (await lock.#take(session)) return lock

      const holder = (await lock.#readHolder(session)) ?? { owner: null, acquiredAt: null, heartbeatAt: null }
      const who = options.efector === undefined ? 'this hospital' : `hospital ${options.efector}`
      throw new LabsyncError(
        'LABSYNC_LOCKED',
        `another labsync agent of ${who} is running: ${holder.owner ?? 'unknown'} holds the agent lock since ${
          holder.acquiredAt ?? '?'
        } (last heartbeat ${holder.heartbeatAt ?? '?'}); stop it, or wait ${options.leaseSeconds} s after its last heartbeat if it died`,
        { location: { efector: options.efector, table: LOCK_TABLE.name } },
      )
    })
  }

  /** Refreshes the heartbeat. False when the lock is no longer ours (taken over after a stall longer than the lease). */
  async heartbeat(): Promise<boolean> {
    return usingSession(this.#database, async (session) => {
      const result = await session.db
        .updateTable(kyselyTable(this.#table))
        .set({ heartbeatAt: session.dialect.now() })
        .where('name', '=', this.name)
        .where('owner', '=', this.owner)
        .executeTakeFirst()
      return Number(result.numUpdatedRows) === 1
    })
  }

  async release(): Promise<void> {
    await usingSession(this.#database, (session) =>
      session.db
        .updateTable(kyselyTable(this.#table))
        .set({ owner: null, heartbeatAt: null })
        .where('name', '=', this.name)
        .where('owner', '=', this.owner)
        .execute(),
    )
  }

  /** Reads who holds a lock, without taking it (doctor, messages). */
  static async holder(session: Session, table: TableName, name: string): Promise<LockHolder | undefined> {
    const row = await session.db.selectFrom(kyselyTable(table)).selectAll().where('name', '=', name).executeTakeFirst()
    if (!row) return undefined
    const when = (value: unknown) => (value === null || value === undefined ? null : normaliseDatetime(value))
    return {
      owner: (row.owner as string | null) ?? null,
      acquiredAt: when(row.acquiredAt),
      heartbeatAt: when(row.heartbeatAt),
    }
  }

  #readHolder(session: Session): Promise<LockHolder | undefined> {
    return AgentLock.holder(session, this.#table, this.name)
  }

  /** The lock's row, created free the first time; a concurrent creator may win the race, which is fine. */
  async #ensureRow(session: Session): Promise<void> {
    const t = sql.raw(session.dialect.qualify(this.#table))
    try {
      await session.run(sql`INSERT INTO ${t} (${sql.ref('name')})
        SELECT ${this.name} WHERE NOT EXISTS (SELECT 1 FROM ${t} WHERE ${sql.ref('name')} = ${this.name})`)
    } catch (error) {
      if (!(await this.#readHolder(session))) throw error
    }
  }

  async #take(session: Session): Promise<boolean> {
    const { dialect } = session
    const result = await session.db
      .updateTable(kyselyTable(this.#table))
      .set({ owner: this.owner, acquiredAt: dialect.now(), heartbeatAt: dialect.now() })
      .where('name', '=', this.name)
      .where((eb) =>
        eb.or([
          eb('owner', 'is', null),
          eb('owner', '=', this.owner),
          eb('heartbeatAt', 'is', null),
          eb('heartbeatAt', '<', dialect.minutesAgo(this.leaseSeconds / 60)),
        ]),
      )
      .executeTakeFirst()
    return Number(result.numUpdatedRows) === 1
  }
}
