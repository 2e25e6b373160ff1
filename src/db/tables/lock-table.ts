import { datetime, varchar, type TableSpec } from '../column-spec.js'

/**
 * `labsync_lock`, in the hospital's own database: one row per agent lock
 * (the efector agent takes `efector-agent`), so that a second agent started
 * by mistake for the same hospital, on this machine or another, refuses to
 * run. The owner keeps `heartbeatAt` fresh; a lock whose heartbeat is older
 * than the lease belongs to a dead process and may be taken over.
 */
export const LOCK_TABLE: TableSpec = {
  name: 'labsync_lock',
  columns: [
    varchar('name', 100),
    /** host:pid:run of the holder; NULL when free. */
    varchar('owner', 200, true),
    datetime('acquiredAt', true),
    datetime('heartbeatAt', true),
  ],
  primaryKey: ['name'],
}
