import { describe, expect, it } from 'vitest'
import { backoffDelayMs } from '../../src/core/backoff.js'
import { LabsyncError } from '../../src/core/errors.js'
import { transientKind } from '../../src/db/transient-errors.js'
import { withRetries } from '../../src/daemon/with-retries.js'

const driverError = (code: string | number, message = 'driver says no') =>
  Object.assign(new Error(message), typeof code === 'number' ? { number: code } : { code })

describe('which failures are retried', () => {
  it('retries lost connections, timeouts, deadlocks and serialization failures of every database', () => {
    for (const code of ['40P01', '40001', '57P01', '08006', '08001', 'ECONNRESET', 'ETIMEDOUT', 'SQLITE_BUSY', 1205]) {
      expect(transientKind(driverError(code)), String(code)).toBeDefined()
    }
    expect(transientKind(driverError('40P01'))).toBe('contention')
    expect(transientKind(driverError(1205))).toBe('contention')
    expect(transientKind(driverError('08006'))).toBe('connection')
    expect(transientKind(new Error('Connection terminated unexpectedly'))).toBe('connection')
  })

  it('looks through the cause of labsync errors, but never retries bad data or a wrong setup', () => {
    const wrapped = new LabsyncError('LABSYNC_UPLOAD', 'upload failed', { cause: driverError('40P01') })
    expect(transientKind(wrapped)).toBe('contention')
    for (const code of [
      'LABSYNC_ROW_INVALID',
      'LABSYNC_FOREIGN_ROWS',
      'LABSYNC_CONFIG',
      'LABSYNC_TABLE_MISSING',
    ] as const) {
      expect(transientKind(new LabsyncError(code, 'bad', { cause: driverError('ECONNRESET') })), code).toBeUndefined()
    }
    // A refused login or a missing database does not heal by itself.
    expect(transientKind(new LabsyncError('LABSYNC_CONNECTION', 'no', { cause: driverError('28P01') }))).toBeUndefined()
    expect(transientKind(driverError('3D000'))).toBeUndefined()
    expect(transientKind(driverError('23505'))).toBeUndefined()
  })
})

describe('backoff', () => {
  it('doubles from the first delay, with jitter between half and all of it, up to the maximum', () => {
    expect([1, 2, 3, 4].map((retry) => backoffDelayMs(retry, 100, 1000, () => 0))).toEqual([50, 100, 200, 400])
    expect([1, 2, 3, 4, 5].map((retry) => backoffDelayMs(retry, 100, 1000, () => 1))).toEqual([
      100, 200, 400, 800, 1000,
    ])
  })

  it('stops after the configured attempts with the last error, and at once for an error that is not transient', async () => {
    let calls = 0
    const failing = withRetries(
      async (attempt) => {
        calls += 1
        throw driverError('40P01', `deadlock ${attempt}`)
      },
      { policy: { attempts: 3, firstDelayMs: 1, maxDelayMs: 2 } },
    )
    await expect(failing).rejects.toThrow('deadlock 3')
    expect(calls).toBe(3)

    calls = 0
    const bad = withRetries(
      async () => {
        calls += 1
        throw new LabsyncError('LABSYNC_ROW_INVALID', 'bad row')
      },
      { policy: { attempts: 3, firstDelayMs: 1, maxDelayMs: 2 } },
    )
    await expect(bad).rejects.toMatchObject({ code: 'LABSYNC_ROW_INVALID' })
    expect(calls).toBe(1)
  })
})
