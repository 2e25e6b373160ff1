import { backoffDelayMs, sleep } from '../core/backoff.js'
import type { TransientRetryConfig } from '../core/config.js'
import { transientKind, type TransientKind } from '../db/transient-errors.js'

export interface RetryNotice {
  /** The attempt that failed (1-based). */
  attempt: number
  /** How long before the next one. */
  delayMs: number
  kind: TransientKind
  error: unknown
}

export interface RetryOptions<T> {
  policy: TransientRetryConfig
  /** The error of a result that reports a failure instead of throwing it, or undefined on success. */
  failureOf?: (result: T) => unknown
  /** Decides which errors are retried; default any transient error. */
  retryable?: (error: unknown) => TransientKind | undefined
  /** Aborts the wait between attempts (shutdown): the last outcome stands. */
  signal?: AbortSignal
  onRetry?: (notice: RetryNotice) => void
  random?: () => number
}

export interface Retried<T> {
  result: T
  attempts: number
}

/**
 * Runs `work` until it succeeds, fails for a reason that is not transient,
 * or has run `policy.attempts` times; then returns the last result or
 * throws the last error. Waits with exponential backoff and jitter between
 * attempts.
 */
export async function withRetries<T>(
  work: (attempt: number) => Promise<T>,
  options: RetryOptions<T>,
): Promise<Retried<T>> {
  const retryable = options.retryable ?? transientKind
  for (let attempt = 1; ; attempt++) {
    let result: T | undefined
    let error: unknown
    let threw = false
    try {
      result = await work(attempt)
      error = options.failureOf?.(result)
    } catch (thrown) {
      threw = true
      error = thrown
    }
    const done = () => {
      if (threw) throw error
      return { result: result as T, attempts: attempt }
    }
    if (error === undefined) return done()
    const kind = retryable(error)
    if (!kind || attempt >= options.policy.attempts || options.signal?.aborted) return done()

    const delayMs = backoffDelayMs(attempt, options.policy.firstDelayMs, options.policy.maxDelayMs, options.random)
    options.onRetry?.({ attempt, delayMs, kind, error })
    try {
      await sleep(delayMs, options.signal)
    } catch {
      return done()
    }
  }
}
