import { interruptedError } from './interrupted.js'

export interface ShutdownOptions {
  /** How long the run in progress may take to commit or roll back after the first signal. */
  graceMs: number
  /** Told of each signal: the first asks for a clean stop, the second forces the exit. */
  onSignal?: (signalName: string, forced: boolean) => void
  /** Bound of the cleanups that run before a forced exit. Default 5000. */
  cleanupMs?: number
  /** Default process.exit. */
  exit?: (code: number) => void
  signals?: NodeJS.Signals[]
}

/** Where a runner registers best-effort cleanup for a forced exit (release a claim on a fresh connection). */
export interface CleanupRegistry {
  /** Returns the function that removes it again. */
  addCleanup(cleanup: () => Promise<unknown>): () => void
}

/**
 * Clean stop on SIGINT and SIGTERM. The first signal aborts `signal` (with
 * LABSYNC_INTERRUPTED as its reason): the runners stop between batches, the
 * transaction rolls back, the claim is marked failed, and the process ends
 * by itself. If that takes longer than the grace time, or a second signal
 * comes, the process exits with status 1; the database then rolls back the
 * open transaction when the connection drops.
 */
export class Shutdown implements CleanupRegistry {
  readonly #controller = new AbortController()
  readonly #options: ShutdownOptions
  readonly #handlers = new Map<NodeJS.Signals, () => void>()
  #timer: NodeJS.Timeout | undefined
  #forcing = false
  readonly #cleanups = new Set<() => Promise<unknown>>()

  constructor(options: ShutdownOptions) {
    this.#options = options
  }

  get signal(): AbortSignal {
    return this.#controller.signal
  }

  get requested(): boolean {
    return this.#controller.signal.aborted
  }

  install(): this {
    for (const name of this.#options.signals ?? (['SIGINT', 'SIGTERM'] as NodeJS.Signals[])) {
      const handler = () => this.request(name)
      this.#handlers.set(name, handler)
      process.on(name, handler)
    }
    return this
  }

  addCleanup(cleanup: () => Promise<unknown>): () => void {
    this.#cleanups.add(cleanup)
    return () => this.#cleanups.delete(cleanup)
  }

  /** Removes the handlers and the grace timer: the work is over. */
  uninstall(): void {
    for (const [name, handler] of this.#handlers) process.off(name, handler)
    this.#handlers.clear()
    clearTimeout(this.#timer)
  }

  /** What a signal does; callable directly (tests, a lost lock). */
  request(signalName: string): void {
    if (this.requested) {
      this.#options.onSignal?.(signalName, true)
      void this.#force()
      return
    }
    this.#options.onSignal?.(signalName, false)
    this.#controller.abort(interruptedError(signalName))
    this.#timer = setTimeout(() => void this.#force(), this.#options.graceMs)
    this.#timer.unref()
  }

  async #force(): Promise<void> {
    if (this.#forcing) return
    this.#forcing = true
    clearTimeout(this.#timer)
    if (this.#cleanups.size > 0) {
      const all = Promise.allSettled([...this.#cleanups].map((cleanup) => cleanup()))
      await Promise.race([all, new Promise((resolve) => setTimeout(resolve, this.#options.cleanupMs ?? 5000).unref())])
    }
    ;(this.#options.exit ?? process.exit)(1)
  }
}
