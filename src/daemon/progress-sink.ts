/**
 * Where the runners report how far a long upload or import has got. The
 * lower layers only call back with counts; the CLI decides whether to draw
 * a bar (src/cli/progress-bar.ts) or nothing.
 */
export interface ProgressSink {
  /** A new task begins; `total` is the amount expected, when known. */
  begin(label: string, total: number | undefined, unit: string): void
  /** `amount` more units are done. */
  advance(amount: number): void
  /** The task ended (finished, failed or stopped). */
  end(): void
}
