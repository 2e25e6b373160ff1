#!/usr/bin/env node
// Entry point of the installed command: runs the compiled CLI (npm ci builds it).
// V8 is set up first, before the CLI's modules load and allocate (young-generation.ts says why).
import { growYoungGenerationAtOnce } from '../dist/cli/young-generation.js'

growYoungGenerationAtOnce()
const { stopQuietlyOnClosedStdout } = await import('../dist/cli/closed-stdout.js')
const { main } = await import('../dist/cli/main.js')

stopQuietlyOnClosedStdout()
main(process.argv).then((code) => {
  process.exitCode = code
})
