import { randomUUID } from 'node:crypto'
import { hostname } from 'node:os'

/** Identifies one run of one process in claims and history: `host:pid:run`. */
export function newOwnerId(): string {
  return `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`
}
