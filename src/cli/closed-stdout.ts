/**
 * Makes the command stop quietly, with exit status 0, when whoever reads its
 * standard output goes away (`labsync sql ... | head`): the reader asked for
 * no more, so this is not a failure and deserves no stack trace. Any other
 * error on stdout is still raised.
 */
export function stopQuietlyOnClosedStdout(stream: NodeJS.WriteStream = process.stdout): void {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0)
    throw error
  })
}
