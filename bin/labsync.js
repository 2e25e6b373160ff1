#!/usr/bin/env node
// Entry point of the installed command: runs the compiled CLI (npm ci builds it).
import { main } from '../dist/cli/main.js'

main(process.argv).then((code) => {
  process.exitCode = code
})
