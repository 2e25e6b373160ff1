#!/usr/bin/env node
// Entry point of the installed command: runs the compiled CLI (npm ci builds it).
// V8 is set up first, before the CLI's modules load and allocate (young-generation.ts says why).
const { growYoungGenerationAtOnce } = await importCompiled('../dist/cli/young-generation.js')

growYoungGenerationAtOnce()
const { carryOnWithoutStandardStreams } = await importCompiled('../dist/cli/standard-streams.js')
const { main } = await importCompiled('../dist/cli/main.js')

carryOnWithoutStandardStreams()
main(process.argv).then((code) => {
  process.exitCode = code
})

/** Imports a compiled module, or says how to build it. */
async function importCompiled(specifier) {
  const url = new URL(specifier, import.meta.url)
  try {
    return await import(url.href)
  } catch (error) {
    // A checkout that was never built, or whose packages were never installed.
    if (error?.code === 'ERR_MODULE_NOT_FOUND') {
      const root = new URL('..', import.meta.url).pathname
      process.stderr.write(
        `labsync: ${String(error.message).split('\n')[0]}\nrun npm ci (or npm run build) in ${root}\n`,
      )
      process.exit(1)
    }
    throw error
  }
}
