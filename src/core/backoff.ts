/**
 * Exponential backoff with jitter: the n-th retry (n = 1, 2, ...) waits
 * between half and all of `first * 2^(n-1)`, at most `max`. The jitter keeps
 * hospitals that lost the same link at the same moment from coming back in
 * step.
 */
export function backoffDelayMs(
  retry: number,
  firstMs: number,
  maxMs: number,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(maxMs, firstMs * 2 ** Math.max(0, retry - 1))
  return Math.round(ceiling / 2 + (random() * ceiling) / 2)
}

/** Waits `ms`, or less when `signal` aborts (then rejects with its reason). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason)
    const onAbort = () => {
      clearTimeout(timer)
      reject(signal!.reason)
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}
