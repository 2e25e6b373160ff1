import { EventEmitter } from 'node:events'
import { Cron } from 'croner'

/**
 * Runs a task on a cron schedule in a given time zone, one run at a time:
 * a tick that comes while the previous run is still going is skipped (and
 * reported), never started beside it. A run that throws is reported and the
 * schedule goes on. It knows nothing of what the task does.
 *
 * Events (all carry `runNumber` where one exists):
 *   'run-start'   { runNumber, scheduledAt }
 *   'run-end'     { runNumber, durationMs }
 *   'run-error'   { runNumber, durationMs, error }
 *   'overlap'     { runNumber, scheduledAt }: the tick was skipped; runNumber is the run still going
 */
export interface SchedulerOptions {
  /** Cron expression, 5 fields (minute precision) or 6 (with seconds). */
  schedule: string
  /** IANA time zone the expression is read in. */
  timeZone: string
  task: (run: ScheduledRun) => Promise<void>
}

export interface ScheduledRun {
  runNumber: number
  scheduledAt: Date
  /** Aborted when the scheduler is asked to stop the run in progress. */
  signal: AbortSignal
}

export interface SchedulerEventMap {
  'run-start': [{ runNumber: number; scheduledAt: Date }]
  'run-end': [{ runNumber: number; durationMs: number }]
  'run-error': [{ runNumber: number; durationMs: number; error: unknown }]
  overlap: [{ runNumber: number; scheduledAt: Date }]
}

export class Scheduler extends EventEmitter<SchedulerEventMap> {
  readonly #options: SchedulerOptions
  #cron: Cron | undefined
  #current: Promise<void> | undefined
  #currentNumber = 0
  #abort = new AbortController()
  #runs = 0
  #stopped = false

  constructor(options: SchedulerOptions) {
    super()
    // Checked now, so that a bad expression or zone fails at start-up and not at the first tick.
    try {
      new Intl.DateTimeFormat('en', { timeZone: options.timeZone })
    } catch {
      throw new Error(`unknown time zone ${JSON.stringify(options.timeZone)}`)
    }
    const probe = new Cron(options.schedule, { paused: true, timezone: options.timeZone })
    probe.stop()
    this.#options = options
  }

  /** Starts ticking. `runNow` also starts a run at once. */
  start(options: { runNow?: boolean } = {}): void {
    if (this.#stopped) throw new Error('a stopped scheduler cannot start again')
    this.#cron ??= new Cron(this.#options.schedule, { timezone: this.#options.timeZone }, () => {
      this.trigger()
    })
    if (options.runNow) this.trigger()
  }

  /**
   * Starts a run now unless one is going (then reports an overlap). Returns
   * the run in progress either way.
   */
  trigger(scheduledAt: Date = new Date()): Promise<void> {
    if (this.#current) {
      this.emit('overlap', { runNumber: this.#currentNumber, scheduledAt })
      return this.#current
    }
    if (this.#stopped) return Promise.resolve()
    const runNumber = ++this.#runs
    this.#currentNumber = runNumber
    this.#current = this.#run(runNumber, scheduledAt).finally(() => {
      this.#current = undefined
    })
    return this.#current
  }

  async #run(runNumber: number, scheduledAt: Date): Promise<void> {
    const started = performance.now()
    this.emit('run-start', { runNumber, scheduledAt })
    try {
      await this.#options.task({ runNumber, scheduledAt, signal: this.#abort.signal })
      this.emit('run-end', { runNumber, durationMs: performance.now() - started })
    } catch (error) {
      this.emit('run-error', { runNumber, durationMs: performance.now() - started, error })
    }
  }

  get running(): boolean {
    return this.#current !== undefined
  }

  /** Runs started so far. */
  get runs(): number {
    return this.#runs
  }

  nextRun(): Date | null {
    return this.#cron?.nextRun() ?? null
  }

  /**
   * Stops ticking and, with `abort`, asks the run in progress to stop (its
   * signal aborts with `reason`). Resolves when no run is in progress.
   */
  async stop(options: { abort?: boolean; reason?: unknown } = {}): Promise<void> {
    this.#stopped = true
    this.#cron?.stop()
    if (options.abort) this.#abort.abort(options.reason)
    await this.#current
  }
}
