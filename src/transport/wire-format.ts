import type { Row } from '../db/row-validator.js'

/**
 * The JSON messages of the HTTPS transport, shared by `labsync central
 * serve` and the agent. Every request carries `Authorization: Bearer
 * <token>`; chunk bodies are gzip-compressed (`Content-Encoding: gzip`).
 *
 *   POST   /v1/uploads                       BeginRequest  -> SessionView   claim (PROTOCOL.md step 4)
 *   PUT    /v1/uploads/:session/chunks/:seq  ChunkRequest  -> ChunkAck      spool one chunk
 *   GET    /v1/uploads/:session                            -> SessionView
 *   POST   /v1/uploads/:session/commit       CommitRequest -> CommitResult  step 5, all at once
 *   DELETE /v1/uploads/:session              AbortRequest  -> SessionView   give up (failed upload)
 *   GET    /v1/health                                      -> { ok: true }  no token needed
 */
export const API_PREFIX = '/v1'

export type ChunkKind = 'header' | 'detail'

export interface BeginRequest {
  idEfector: number
  /** Chosen by the agent (a UUID): asking again with the same id returns the same session. */
  sessionId: string
  /** The staging column names the agent sends, in order; the server refuses a mismatch. */
  headerColumns: string[]
  detailColumns: string[]
}

export interface SessionView {
  sessionId: string
  idEfector: number
  state: 'open' | 'committed' | 'failed'
  /** The next chunk the server expects; every lower one is acknowledged. */
  nextChunk: number
}

export interface ChunkRequest {
  idEfector: number
  kind: ChunkKind
  /** Canonical values (db/row-validator.ts) in the order of the staging columns. */
  rows: Row[]
}

export interface ChunkAck {
  acked: number
  nextChunk: number
}

export interface CommitRequest {
  idEfector: number
  /** How many chunks the agent sent, and the rows in them: the server checks its spool against both. */
  chunks: number
  headers: number
  details: number
}

export interface CommitResult {
  headers: number
  details: number
  /** ultimoUpdateEfectorFin as written (central clock). */
  committedAt: string
}

export interface AbortRequest {
  idEfector: number
  /** Why the agent gave up: a code and a message naming rows by key only. */
  code: string
  message: string
}

export interface ErrorBody {
  error: { code: string; message: string }
}
