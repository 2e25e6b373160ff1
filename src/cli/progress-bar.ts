import type { ProgressSink } from '../daemon/progress-sink.js'

const REDRAW_MS = 200
const WIDTH = 24

/**
 * A one-line progress bar on a terminal: done of total, rate per second
 * and time left. Returns undefined when the stream is not a terminal, so
 * that logs collected by a service manager get no control characters.
 */
export function createProgressBar(stream: NodeJS.WriteStream = process.stderr): ProgressSink | undefined {
  return stream.isTTY ? new TerminalProgressBar(stream) : undefined
}

export class TerminalProgressBar implements ProgressSink {
  readonly #stream: NodeJS.WritableStream
  readonly #now: () => number
  #label = ''
  #unit = ''
  #total: number | undefined
  #done = 0
  #startedAt = 0
  #drawnAt = 0
  #active = false

  constructor(stream: NodeJS.WritableStream, now: () => number = () => performance.now()) {
    this.#stream = stream
    this.#now = now
  }

  begin(label: string, total: number | undefined, unit: string): void {
    if (this.#active) this.end()
    this.#label = label
    this.#unit = unit
    this.#total = total
    this.#done = 0
    this.#startedAt = this.#now()
    this.#drawnAt = 0
    this.#active = true
    this.#draw()
  }

  advance(amount: number): void {
    if (!this.#active) return
    this.#done += amount
    if (this.#now() - this.#drawnAt >= REDRAW_MS) this.#draw()
  }

  end(): void {
    if (!this.#active) return
    this.#draw()
    this.#stream.write('\n')
    this.#active = false
  }

  #draw(): void {
    this.#drawnAt = this.#now()
    const line = formatProgress({
      label: this.#label,
      unit: this.#unit,
      done: this.#done,
      total: this.#total,
      elapsedMs: this.#drawnAt - this.#startedAt,
    })
    this.#stream.write(`\r${line}\x1b[K`)
  }
}

export interface ProgressState {
  label: string
  unit: string
  done: number
  total: number | undefined
  elapsedMs: number
}

/** `upload [#######.........] 12000/40000 rows  3000 rows/s  ~9 s left` */
export function formatProgress(state: ProgressState): string {
  const seconds = state.elapsedMs / 1000
  const rate = seconds > 0 ? state.done / seconds : 0
  const parts = [state.label]
  if (state.total !== undefined && state.total > 0) {
    const share = Math.min(1, state.done / state.total)
    const filled = Math.round(share * WIDTH)
    parts.push(`[${'#'.repeat(filled)}${'.'.repeat(WIDTH - filled)}]`, `${state.done}/${state.total} ${state.unit}`)
  } else {
    parts.push(`${state.done} ${state.unit}`)
  }
  parts.push(`${rate >= 10 ? Math.round(rate) : rate.toFixed(1)} ${state.unit}/s`)
  if (state.total !== undefined && rate > 0 && state.done < state.total) {
    parts.push(`~${formatDuration((state.total - state.done) / rate)} left`)
  }
  return parts.join('  ')
}

function formatDuration(seconds: number): string {
  if (seconds < 90) return `${Math.ceil(seconds)} s`
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`
  return `${(seconds / 3600).toFixed(1)} h`
}
