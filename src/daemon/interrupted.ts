import { LabsyncError } from '../core/errors.js'

/** The reason a run's signal aborts with when the process is asked to stop. */
export function interruptedError(signalName: string): LabsyncError {
  return new LabsyncError(
    'LABSYNC_INTERRUPTED',
    `stopped by ${signalName}; the transaction in progress was rolled back`,
  )
}
