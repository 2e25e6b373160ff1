import { datetime, int, text, varchar, type TableSpec } from '../column-spec.js'

/**
 * The central tables of the HTTPS transport (docs/TRANSPORT.md): the
 * hospitals' tokens, and the upload sessions with their spooled chunks,
 * which `uploadStaging` reads at the final commit.
 */

/** One row per token issued; only the SHA-256 of the secret is kept. */
export const TOKEN_TABLE: TableSpec = {
  name: 'labsync_efector_token',
  columns: [
    /** The public part of the token (`lst_<tokenId>_<secret>`), shown by `token list` and in logs. */
    varchar('tokenId', 32),
    int('idEfector'),
    /** Lower-case hex SHA-256 of the whole token. */
    varchar('tokenHash', 64),
    datetime('createdAt'),
    /** Set when revoked (directly or by a rotation); a revoked token is refused. */
    datetime('revokedAt', true),
  ],
  primaryKey: ['tokenId'],
}

/** One row per upload session opened by `POST /v1/uploads`. */
export const UPLOAD_SESSION_TABLE: TableSpec = {
  name: 'labsync_upload_session',
  columns: [
    /** Chosen by the agent (a UUID), so that a lost response can be asked for again. */
    varchar('sessionId', 64),
    int('idEfector'),
    /** The owner written in `labsyncUploadOwner` by the claim. */
    varchar('owner', 200),
    /** open, committed, failed */
    varchar('state', 10),
    /** Central clock at the claim (the run history's `startedAt`). */
    datetime('startedAt'),
    datetime('lastActivityAt'),
    /** The next chunk number the server expects; every lower one is spooled. */
    int('nextChunk'),
    int('headerRows', true),
    int('detailRows', true),
    datetime('committedAt', true),
    varchar('errorCode', 40, true),
  ],
  primaryKey: ['sessionId'],
}

/** The acknowledged chunks of open sessions: validated rows as a JSON array. */
export const UPLOAD_CHUNK_TABLE: TableSpec = {
  name: 'labsync_upload_chunk',
  columns: [
    varchar('sessionId', 64),
    int('seq'),
    /** header or detail */
    varchar('kind', 10),
    int('rowCount'),
    text('payload', false),
  ],
  primaryKey: ['sessionId', 'seq'],
}

export const TRANSPORT_TABLES: readonly TableSpec[] = [TOKEN_TABLE, UPLOAD_SESSION_TABLE, UPLOAD_CHUNK_TABLE]
