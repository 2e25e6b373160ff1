import { execFile } from 'node:child_process'
import path from 'node:path'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'

/**
 * growYoungGenerationAtOnce, in fresh Node processes: a loop that keeps a
 * window of rows alive while garbage flows, as an upload does, and then
 * reports the size of V8's young generation (new space).
 */
const MODULE = path.resolve('src/cli/young-generation.ts')
const PROBE = `
import v8 from 'node:v8'
const { growYoungGenerationAtOnce } = await import(${JSON.stringify(MODULE)})
const applied = process.argv[1] === 'grow' ? growYoungGenerationAtOnce() : false
let window = []
for (let i = 0; i < Number(process.argv[2]); i++) {
  window.push({ i, text: 'row ' + i })
  if (window.length === 1000) window = []
}
const newSpace = v8.getHeapSpaceStatistics().find((space) => space.space_name === 'new_space').space_size
console.log(JSON.stringify({ applied, newSpaceMb: newSpace / 2 ** 20 }))
`
const run = promisify(execFile)

async function probe(mode: 'grow' | 'plain', rows: number, nodeFlags: string[] = []) {
  const { stdout } = await run(
    process.execPath,
    [...nodeFlags, '--import', 'tsx', '--input-type=module', '-e', PROBE, mode, String(rows)],
    { env: { ...process.env, NODE_OPTIONS: '' } },
  )
  return JSON.parse(stdout) as { applied: boolean; newSpaceMb: number }
}

describe('growYoungGenerationAtOnce', () => {
  it('reaches the young generation of a long run within a short one', async () => {
    const longPlain = await probe('plain', 5_000_000)
    const shortPlain = await probe('plain', 100_000)
    const shortGrown = await probe('grow', 100_000)
    expect(shortGrown.applied).toBe(true)
    expect(shortPlain.newSpaceMb).toBeLessThan(longPlain.newSpaceMb)
    expect(shortGrown.newSpaceMb).toBe(longPlain.newSpaceMb)
  })

  it('leaves V8 alone when the semi-space was set on the command line', async () => {
    const capped = await probe('grow', 1_000_000, ['--max-semi-space-size=4'])
    expect(capped.applied).toBe(false)
    expect(capped.newSpaceMb).toBeLessThanOrEqual(8)
  })
})
