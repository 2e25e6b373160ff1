import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import { LabsyncError } from '../core/errors.js'
import { requireTable } from '../db/catalog.js'
import type { TableName } from '../db/database.js'
import { normaliseDatetime } from '../db/row-validator.js'
import type { Session } from '../db/session.js'
import { STATUS_TABLE_NAME } from '../db/tables/status-table.js'
import { TOKEN_TABLE } from '../db/tables/transport-tables.js'
import { centralNow, kyselyTable, readStatusRow } from '../status/status-store.js'

/**
 * Per-hospital tokens of the HTTPS transport. A token reads
 * `lst_<tokenId>_<secret>`: the tokenId finds the row, and only the SHA-256
 * of the whole token is stored, so the table cannot be used to upload.
 * The secret has 256 random bits, which is why a fast hash is enough.
 */

const TOKEN_FORMAT = /^lst_([a-f0-9]{16})_([A-Za-z0-9_-]{43})$/

export interface IssuedToken {
  tokenId: string
  idEfector: number
  /** The whole token: shown once, never stored. */
  token: string
}

export interface TokenInfo {
  tokenId: string
  idEfector: number
  createdAt: string
  revokedAt: string | null
}

const hashOf = (token: string) => createHash('sha256').update(token, 'utf8').digest('hex')

async function tokenTable(session: Session, schema?: string): Promise<TableName> {
  return requireTable(session, TOKEN_TABLE.name, { schema, hint: 'run `labsync central install`' })
}

async function requireHospital(session: Session, idEfector: number, schema?: string): Promise<void> {
  const status = await requireTable(session, STATUS_TABLE_NAME, { schema, hint: 'run `labsync central install`' })
  if (!(await readStatusRow(session, status, idEfector))) {
    throw new LabsyncError(
      'LABSYNC_EFECTOR_UNKNOWN',
      `hospital ${idEfector} is not registered; run \`labsync central add-efector\` first`,
      {
        location: { efector: idEfector, table: STATUS_TABLE_NAME },
      },
    )
  }
}

/** A new token for a registered hospital; its other tokens stay valid. */
export async function issueToken(session: Session, idEfector: number, schema?: string): Promise<IssuedToken> {
  await requireHospital(session, idEfector, schema)
  const table = await tokenTable(session, schema)
  const tokenId = randomBytes(8).toString('hex')
  const token = `lst_${tokenId}_${randomBytes(32).toString('base64url')}`
  await session.db
    .insertInto(kyselyTable(table))
    .values({ tokenId, idEfector, tokenHash: hashOf(token), createdAt: await centralNow(session), revokedAt: null })
    .execute()
  return { tokenId, idEfector, token }
}

/** Revokes one token of the hospital, or all of them when `tokenId` is left out. Returns how many. */
export async function revokeTokens(
  session: Session,
  idEfector: number,
  tokenId?: string,
  schema?: string,
): Promise<number> {
  const table = await tokenTable(session, schema)
  let update = session.db
    .updateTable(kyselyTable(table))
    .set({ revokedAt: session.dialect.now() })
    .where('idEfector', '=', idEfector)
    .where('revokedAt', 'is', null)
  if (tokenId !== undefined) update = update.where('tokenId', '=', tokenId)
  const result = await update.executeTakeFirst()
  return Number(result.numUpdatedRows)
}

/** Revokes every token of the hospital and issues a new one, in one transaction. */
export async function rotateToken(
  session: Session,
  idEfector: number,
  schema?: string,
): Promise<IssuedToken & { revoked: number }> {
  return session.transaction(async () => {
    const revoked = await revokeTokens(session, idEfector, undefined, schema)
    return { ...(await issueToken(session, idEfector, schema)), revoked }
  })
}

export async function listTokens(session: Session, idEfector?: number, schema?: string): Promise<TokenInfo[]> {
  const table = await tokenTable(session, schema)
  let query = session.db.selectFrom(kyselyTable(table)).select(['tokenId', 'idEfector', 'createdAt', 'revokedAt'])
  if (idEfector !== undefined) query = query.where('idEfector', '=', idEfector)
  const rows = await query.orderBy('idEfector').orderBy('createdAt').execute()
  return rows.map((row) => ({
    tokenId: String(row.tokenId),
    idEfector: Number(row.idEfector),
    createdAt: normaliseDatetime(row.createdAt),
    revokedAt: row.revokedAt === null ? null : normaliseDatetime(row.revokedAt),
  }))
}

/**
 * The hospital a presented token belongs to, or LABSYNC_TOKEN_REFUSED when
 * it is malformed, unknown or revoked. The message never repeats the token.
 */
export async function authenticateToken(
  session: Session,
  table: TableName,
  presented: string | undefined,
): Promise<{ idEfector: number; tokenId: string }> {
  const match = presented ? TOKEN_FORMAT.exec(presented) : null
  if (!match) throw new LabsyncError('LABSYNC_TOKEN_REFUSED', 'missing or malformed bearer token')
  const row = await session.db
    .selectFrom(kyselyTable(table))
    .select(['idEfector', 'tokenHash', 'revokedAt'])
    .where('tokenId', '=', match[1])
    .executeTakeFirst()
  const expected = Buffer.from(String(row?.tokenHash ?? ''), 'utf8')
  const actual = Buffer.from(hashOf(presented!), 'utf8')
  if (!row || expected.length !== actual.length || !timingSafeEqual(expected, actual)) {
    throw new LabsyncError('LABSYNC_TOKEN_REFUSED', `unknown token ${match[1]}`)
  }
  if (row.revokedAt !== null) throw new LabsyncError('LABSYNC_TOKEN_REFUSED', `token ${match[1]} was revoked`)
  return { idEfector: Number(row.idEfector), tokenId: match[1] }
}
