import { sql } from 'kysely'
import { resolveCentralTables, resolveStagingTables, type CentralTables } from '../central/central-tables.js'
import type { CentralConfig, ServeConfig } from '../core/config.js'
import { LabsyncError, toLabsyncError } from '../core/errors.js'
import { newOwnerId } from '../core/owner.js'
import { requireTable } from '../db/catalog.js'
import type { Database, TableName } from '../db/database.js'
import { normaliseDatetime, type Row } from '../db/row-validator.js'
import { usingSession, type Session } from '../db/session.js'
import { DETAIL_COLUMNS, HEADER_COLUMNS } from '../db/tables/staging-tables.js'
import { TOKEN_TABLE, UPLOAD_CHUNK_TABLE, UPLOAD_SESSION_TABLE } from '../db/tables/transport-tables.js'
import { recordRun } from '../history/run-history.js'
import { minutesBetween, uploadBlockedBecause } from '../protocol/efector-state.js'
import {
  centralNow,
  claimUpload,
  kyselyTable,
  markUploadFailed,
  readStatusRow,
  requireStatusRow,
} from '../status/status-store.js'
import { uploadStaging, type UploadSources } from '../agent/upload.js'
import { validatedStaging } from '../agent/staging-rows.js'
import { authenticateToken } from './efector-tokens.js'
import type {
  AbortRequest,
  BeginRequest,
  ChunkAck,
  ChunkKind,
  CommitRequest,
  CommitResult,
  SessionView,
} from './wire-format.js'

/**
 * The efector side of PROTOCOL.md (steps 4 and 5), run by the central
 * server on behalf of the hospital a token belongs to. It claims with the
 * same claimUpload, spools acknowledged chunks in the central database, and
 * at the commit runs the same uploadStaging (one transaction: empty, load,
 * end mark, history row) from the spool; a failure goes through the same
 * markUploadFailed and failed history row. So the importer and the monitor
 * see exactly what a direct upload leaves.
 *
 * Every method takes the hospital the token was issued to; a session of
 * another hospital is refused whatever the request says.
 */
export class IngestService {
  readonly #database: Database
  readonly #central: CentralConfig
  readonly #serve: ServeConfig
  #tables?: CentralTables & { token: TableName; uploadSession: TableName; chunk: TableName }
  /** Commits under way: a commit repeated by an agent whose connection dropped waits for the first one. */
  readonly #committing = new Map<string, Promise<CommitResult>>()

  constructor(database: Database, central: CentralConfig, serve: ServeConfig) {
    this.#database = database
    this.#central = central
    this.#serve = serve
  }

  /** Checks that the central tables are installed (call once before serving). */
  async prepare(): Promise<void> {
    await usingSession(this.#database, (session) => this.#resolve(session))
  }

  async authenticate(token: string | undefined): Promise<{ idEfector: number; tokenId: string }> {
    return usingSession(this.#database, async (session) =>
      authenticateToken(session, (await this.#resolve(session)).token, token),
    )
  }

  /** PROTOCOL.md step 4: claims the upload and opens a session, or returns the session already opened under this id. */
  async begin(idEfector: number, request: BeginRequest): Promise<SessionView> {
    checkColumns(
      'header',
      request.headerColumns,
      HEADER_COLUMNS.map((column) => column.name),
    )
    checkColumns(
      'detail',
      request.detailColumns,
      DETAIL_COLUMNS.map((column) => column.name),
    )
    return usingSession(this.#database, async (session) => {
      const tables = await this.#resolve(session)
      const existing = await this.#readSession(session, request.sessionId)
      if (existing) return viewOf(ownSession(existing, idEfector))

      await this.#expireIdle(session)
      // A new session of the same hospital while its previous one has had no request for longer than a
      // request may last: that agent run is gone (or the server restarted), so its session is closed as
      // failed and the claim it held may be taken at once. A session still in use keeps its claim.
      const superseded = await session.db
        .selectFrom(kyselyTable(tables.uploadSession))
        .select('sessionId')
        .where('state', '=', 'open')
        .where('idEfector', '=', idEfector)
        .where('lastActivityAt', '<', session.dialect.minutesAgo(this.#serve.requestTimeoutSeconds / 60))
        .execute()
      for (const previous of superseded) {
        if (this.#committing.has(`${idEfector}/${String(previous.sessionId)}`)) continue
        const row = await this.#readSession(session, String(previous.sessionId))
        if (row)
          await this.#fail(
            session,
            row,
            new LabsyncError('LABSYNC_UPLOAD_SESSION', 'superseded by a new upload of the same hospital'),
          )
      }
      const open = await session.db
        .selectFrom(kyselyTable(tables.uploadSession))
        .select(['sessionId', 'idEfector'])
        .where('state', '=', 'open')
        .execute()
      if (open.filter((row) => Number(row.idEfector) !== idEfector).length >= this.#serve.maxConcurrentUploads) {
        throw new LabsyncError(
          'LABSYNC_SERVER_BUSY',
          `${this.#serve.maxConcurrentUploads} uploads are open; try again later`,
          {
            location: { efector: idEfector },
          },
        )
      }

      const row = await requireStatusRow(session, tables.status, idEfector)
      await resolveStagingTables(session, row, this.#central.schema)
      const owner = newOwnerId()
      const claimed = await session.transaction(async () => {
        if (!(await claimUpload(session, tables.status, idEfector, owner, this.#central.leaseMinutes))) return false
        const now = await centralNow(session)
        await session.db
          .insertInto(kyselyTable(tables.uploadSession))
          .values({
            sessionId: request.sessionId,
            idEfector,
            owner,
            state: 'open',
            startedAt: now,
            lastActivityAt: now,
            nextChunk: 0,
          })
          .execute()
        return true
      })
      if (!claimed) {
        const now = await centralNow(session)
        const current = (await readStatusRow(session, tables.status, idEfector)) ?? row
        const reason =
          uploadBlockedBecause(current, now, this.#central.leaseMinutes) ?? 'the status row changed while claiming'
        throw new LabsyncError('LABSYNC_UPLOAD_BLOCKED', reason, { location: { efector: idEfector } })
      }
      return { sessionId: request.sessionId, idEfector, state: 'open', nextChunk: 0 }
    })
  }

  async view(idEfector: number, sessionId: string): Promise<SessionView> {
    return usingSession(this.#database, async (session) =>
      viewOf(ownSession(await this.#requireSession(session, sessionId), idEfector)),
    )
  }

  /**
   * Spools chunk `seq` after checking every row as uploadStaging will (a
   * bad row fails the upload, as in the direct mode). A chunk already
   * acknowledged is acknowledged again without being stored twice.
   */
  async putChunk(idEfector: number, sessionId: string, seq: number, kind: ChunkKind, rows: Row[]): Promise<ChunkAck> {
    return usingSession(this.#database, async (session) => {
      const tables = await this.#resolve(session)
      const row = ownSession(await this.#requireSession(session, sessionId), idEfector)
      if (row.state !== 'open') throw sessionNotOpen(row)
      if (seq < row.nextChunk) return { acked: seq, nextChunk: row.nextChunk }
      if (seq > row.nextChunk) {
        throw new LabsyncError('LABSYNC_UPLOAD_SESSION', `chunk ${seq} arrived before chunk ${row.nextChunk}`, {
          location: { efector: idEfector },
        })
      }

      let checked: Row[]
      try {
        checked = await this.#check(idEfector, kind, rows)
      } catch (error) {
        await this.#fail(session, row, toLabsyncError(error, 'LABSYNC_UPLOAD', { efector: idEfector }))
        throw error
      }
      const stored = await session.transaction(async () => {
        const advanced = await session.db
          .updateTable(kyselyTable(tables.uploadSession))
          .set({ nextChunk: seq + 1, lastActivityAt: session.dialect.now() })
          .where('sessionId', '=', sessionId)
          .where('state', '=', 'open')
          .where('nextChunk', '=', seq)
          .executeTakeFirst()
        if (Number(advanced.numUpdatedRows) !== 1) return false
        await session.db
          .insertInto(kyselyTable(tables.chunk))
          .values({ sessionId, seq, kind, rowCount: checked.length, payload: JSON.stringify(checked) })
          .execute()
        return true
      })
      if (!stored) return this.#afterRace(session, idEfector, sessionId, seq)
      return { acked: seq, nextChunk: seq + 1 }
    })
  }

  /** PROTOCOL.md step 5 from the spool, with the same uploadStaging as the direct mode. Asking twice returns the first result. */
  async commit(idEfector: number, sessionId: string, request: CommitRequest): Promise<CommitResult> {
    const key = `${idEfector}/${sessionId}`
    const running = this.#committing.get(key)
    if (running) return running
    const work = this.#commit(idEfector, sessionId, request).finally(() => this.#committing.delete(key))
    this.#committing.set(key, work)
    return work
  }

  async #commit(idEfector: number, sessionId: string, request: CommitRequest): Promise<CommitResult> {
    return usingSession(this.#database, async (session) => {
      const tables = await this.#resolve(session)
      const row = ownSession(await this.#requireSession(session, sessionId), idEfector)
      if (row.state === 'committed')
        return { headers: row.headerRows!, details: row.detailRows!, committedAt: row.committedAt! }
      if (row.state !== 'open') throw sessionNotOpen(row)
      const spooled = await this.#spooledCounts(session, sessionId)
      if (
        request.chunks !== row.nextChunk ||
        request.headers !== spooled.header ||
        request.details !== spooled.detail
      ) {
        throw new LabsyncError(
          'LABSYNC_UPLOAD_SESSION',
          `the agent sent ${request.chunks} chunks (${request.headers} headers, ${request.details} details), the server holds ${row.nextChunk} (${spooled.header}, ${spooled.detail})`,
          { location: { efector: idEfector } },
        )
      }

      try {
        const status = (await readStatusRow(session, tables.status, idEfector))!
        const staging = await resolveStagingTables(session, status, this.#central.schema)
        const target = { idEfector, owner: row.owner, status: tables.status, ...staging }
        // The spool is read on a second connection: the first is busy with the bulk load (COPY).
        return await usingSession(this.#database, (reader) =>
          uploadStaging(session, target, this.#spoolSources(reader, tables.chunk, sessionId), async (counts) => {
            await recordRun(session, tables.history, {
              idEfector,
              kind: 'upload',
              startedAt: row.startedAt,
              finishedAt: counts.committedAt,
              outcome: 'ok',
              headerRows: counts.headers,
              detailRows: counts.details,
              durationMs: minutesBetween(row.startedAt, counts.committedAt) * 60_000,
              owner: row.owner,
            })
            await session.db
              .updateTable(kyselyTable(tables.uploadSession))
              .set({
                state: 'committed',
                headerRows: counts.headers,
                detailRows: counts.details,
                committedAt: counts.committedAt,
              })
              .where('sessionId', '=', sessionId)
              .execute()
            await session.db.deleteFrom(kyselyTable(tables.chunk)).where('sessionId', '=', sessionId).execute()
          }),
        )
      } catch (thrown) {
        const error = toLabsyncError(thrown, 'LABSYNC_UPLOAD', { efector: idEfector })
        await this.#fail(session, row, error)
        throw error
      }
    })
  }

  /** The agent gives up: recorded as a failed upload, the claim released for the next one. */
  async abort(idEfector: number, sessionId: string, request: AbortRequest): Promise<SessionView> {
    return usingSession(this.#database, async (session) => {
      const row = ownSession(await this.#requireSession(session, sessionId), idEfector)
      if (row.state !== 'open') return viewOf(row)
      const message = `aborted by the agent: ${String(request.code).slice(0, 40)}: ${String(request.message).slice(0, 1000)}`
      await this.#fail(session, row, new LabsyncError('LABSYNC_UPLOAD', message, { location: { efector: idEfector } }))
      return { ...viewOf(row), state: 'failed' }
    })
  }

  /** Fails every open session idle for longer than `sessionIdleMinutes`. */
  async expireIdle(): Promise<number> {
    return usingSession(this.#database, (session) => this.#expireIdle(session))
  }

  async #expireIdle(session: Session): Promise<number> {
    const tables = await this.#resolve(session)
    const idle = await session.db
      .selectFrom(kyselyTable(tables.uploadSession))
      .select('sessionId')
      .where('state', '=', 'open')
      .where('lastActivityAt', '<', session.dialect.minutesAgo(this.#serve.sessionIdleMinutes))
      .execute()
    for (const { sessionId } of idle) {
      const row = await this.#readSession(session, String(sessionId))
      if (row) {
        const message = `abandoned: no request for ${this.#serve.sessionIdleMinutes} minutes`
        await this.#fail(
          session,
          row,
          new LabsyncError('LABSYNC_UPLOAD_SESSION', message, { location: { efector: row.idEfector } }),
        )
      }
    }
    return idle.length
  }

  async #check(idEfector: number, kind: ChunkKind, rows: Row[]): Promise<Row[]> {
    const out: Row[] = []
    for await (const batch of validatedStaging(kind, once(rows), { efector: idEfector, counter: { rows: 0 } }))
      out.push(...batch)
    return out
  }

  async *#readSpool(reader: Session, chunk: TableName, sessionId: string, kind: ChunkKind): AsyncIterable<Row[]> {
    const table = kyselyTable(chunk)
    const seqs = await reader.db
      .selectFrom(table)
      .select('seq')
      .where('sessionId', '=', sessionId)
      .where('kind', '=', kind)
      .orderBy('seq')
      .execute()
    // One statement per chunk rather than a cursor: only one chunk's payload is in memory at a time.
    for (const { seq } of seqs) {
      const found = await reader.db
        .selectFrom(table)
        .select('payload')
        .where('sessionId', '=', sessionId)
        .where('seq', '=', seq)
        .executeTakeFirstOrThrow()
      yield JSON.parse(String(found.payload)) as Row[]
    }
  }

  #spoolSources(reader: Session, chunk: TableName, sessionId: string): UploadSources {
    return {
      headers: this.#readSpool(reader, chunk, sessionId, 'header'),
      details: this.#readSpool(reader, chunk, sessionId, 'detail'),
    }
  }

  async #spooledCounts(session: Session, sessionId: string): Promise<Record<ChunkKind, number>> {
    const tables = await this.#resolve(session)
    const rows = await session.db
      .selectFrom(kyselyTable(tables.chunk))
      .select(['kind', sql<number>`SUM(${sql.ref('rowCount')})`.as('rows')])
      .where('sessionId', '=', sessionId)
      .groupBy('kind')
      .execute()
    const counts = { header: 0, detail: 0 }
    for (const row of rows) counts[row.kind as ChunkKind] = Number(row.rows)
    return counts
  }

  /** The same failure path as the direct mode: markUploadFailed and a failed history row, in one transaction; the spool is dropped. */
  async #fail(session: Session, row: SessionRow, error: LabsyncError): Promise<void> {
    const tables = await this.#resolve(session)
    const message = `${error.code}: ${error.message}`
    await session.transaction(async () => {
      const finishedAt = await centralNow(session)
      await markUploadFailed(session, tables.status, row.idEfector, row.owner, message)
      await recordRun(session, tables.history, {
        idEfector: row.idEfector,
        kind: 'upload',
        startedAt: row.startedAt,
        finishedAt,
        outcome: 'failed',
        durationMs: minutesBetween(row.startedAt, finishedAt) * 60_000,
        owner: row.owner,
        message,
      })
      await session.db
        .updateTable(kyselyTable(tables.uploadSession))
        .set({ state: 'failed', errorCode: error.code })
        .where('sessionId', '=', row.sessionId)
        .where('state', '=', 'open')
        .execute()
      await session.db.deleteFrom(kyselyTable(tables.chunk)).where('sessionId', '=', row.sessionId).execute()
    })
  }

  async #afterRace(session: Session, idEfector: number, sessionId: string, seq: number): Promise<ChunkAck> {
    const row = ownSession(await this.#requireSession(session, sessionId), idEfector)
    if (row.state !== 'open') throw sessionNotOpen(row)
    if (seq < row.nextChunk) return { acked: seq, nextChunk: row.nextChunk }
    throw new LabsyncError('LABSYNC_UPLOAD_SESSION', `chunk ${seq} could not be stored; expected ${row.nextChunk}`, {
      location: { efector: idEfector },
    })
  }

  async #readSession(session: Session, sessionId: string): Promise<SessionRow | undefined> {
    const tables = await this.#resolve(session)
    const raw = await session.db
      .selectFrom(kyselyTable(tables.uploadSession))
      .selectAll()
      .where('sessionId', '=', sessionId)
      .executeTakeFirst()
    if (!raw) return undefined
    return {
      sessionId: String(raw.sessionId),
      idEfector: Number(raw.idEfector),
      owner: String(raw.owner),
      state: raw.state as SessionRow['state'],
      startedAt: normaliseDatetime(raw.startedAt),
      nextChunk: Number(raw.nextChunk),
      headerRows: raw.headerRows === null ? null : Number(raw.headerRows),
      detailRows: raw.detailRows === null ? null : Number(raw.detailRows),
      committedAt: raw.committedAt === null ? null : normaliseDatetime(raw.committedAt),
      errorCode: raw.errorCode === null ? null : String(raw.errorCode),
    }
  }

  async #requireSession(session: Session, sessionId: string): Promise<SessionRow> {
    const row = await this.#readSession(session, sessionId)
    if (!row) throw new LabsyncError('LABSYNC_UPLOAD_SESSION', `upload session ${sessionId} is unknown`)
    return row
  }

  async #resolve(session: Session) {
    if (!this.#tables) {
      const schema = this.#central.schema
      const hint = 'run `labsync central install`'
      this.#tables = {
        ...(await resolveCentralTables(session, schema)),
        token: await requireTable(session, TOKEN_TABLE.name, { schema, hint }),
        uploadSession: await requireTable(session, UPLOAD_SESSION_TABLE.name, { schema, hint }),
        chunk: await requireTable(session, UPLOAD_CHUNK_TABLE.name, { schema, hint }),
      }
    }
    return this.#tables
  }
}

interface SessionRow {
  sessionId: string
  idEfector: number
  owner: string
  state: 'open' | 'committed' | 'failed'
  startedAt: string
  nextChunk: number
  headerRows: number | null
  detailRows: number | null
  committedAt: string | null
  errorCode: string | null
}

function ownSession(row: SessionRow, idEfector: number): SessionRow {
  if (row.idEfector !== idEfector) {
    throw new LabsyncError('LABSYNC_TOKEN_FORBIDDEN', `upload session ${row.sessionId} belongs to another hospital`, {
      location: { efector: idEfector },
    })
  }
  return row
}

function viewOf(row: SessionRow): SessionView {
  return { sessionId: row.sessionId, idEfector: row.idEfector, state: row.state, nextChunk: row.nextChunk }
}

function sessionNotOpen(row: SessionRow): LabsyncError {
  const why = row.state === 'failed' ? `failed (${row.errorCode ?? 'unknown'})` : row.state
  return new LabsyncError('LABSYNC_UPLOAD_SESSION', `upload session ${row.sessionId} is ${why}`, {
    location: { efector: row.idEfector },
  })
}

function checkColumns(kind: ChunkKind, sent: unknown, expected: string[]): void {
  if (!Array.isArray(sent) || sent.length !== expected.length || sent.some((name, index) => name !== expected[index])) {
    throw new LabsyncError(
      'LABSYNC_BAD_REQUEST',
      `the agent's ${kind} columns differ from the server's; use the same labsync version on both sides`,
    )
  }
}

async function* once(rows: Row[]): AsyncIterable<Row[]> {
  yield rows
}
