/**
 * What the command does when its standard output or error goes away: a
 * reader that stops early (`labsync sql ... | head`), a log collector that
 * restarts. It carries on without them and ends as it would have, with its
 * own exit status, so that a run under way commits or rolls back and lets
 * go of its claim and its agent lock instead of stopping halfway. Its
 * output and logs from then on are lost, which is what the reader chose.
 *
 * Any other failure to write standard output (a full disk) is said once on
 * standard error, and makes the exit status 1 if it would have been 0.
 */
export function carryOnWithoutStandardStreams(
  stdout: NodeJS.WriteStream = process.stdout,
  stderr: NodeJS.WriteStream = process.stderr,
): void {
  let outputFailed = false
  stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (isGone(error) || outputFailed) return
    outputFailed = true
    stderr.write(`labsync: cannot write to standard output: ${error.code ?? error.message}\n`)
  })
  // Nowhere left to report a failure of standard error itself.
  stderr.on('error', () => {})
  process.on('exit', () => {
    if (outputFailed && !process.exitCode) process.exitCode = 1
  })
}

function isGone(error: NodeJS.ErrnoException): boolean {
  return error.code === 'EPIPE' || error.code === 'ERR_STREAM_DESTROYED'
}
