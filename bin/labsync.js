#!/usr/bin/env node
// Entry point of the installed command: runs the compiled CLI (npm ci builds it).
import { stopQuietlyOnClosedStdout } from '../dist/cli/closed-stdout.js'
import { main } from '../dist/cli/main.js'

stopQuietlyOnClosedStdout()
main(process.argv).then((code) => {
  process.exitCode = code
})
