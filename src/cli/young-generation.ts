import v8 from 'node:v8'

/** 1 MB times this is V8's default largest semi-space (16 MB) on 64-bit machines. */
const GROWTH_FACTOR = 16

/**
 * Lets V8 give the process its full young generation the first time it
 * grows it, instead of doubling it from 1 MB over many collections.
 *
 * Why: with doubling, an upload of a million rows ends with a young
 * generation of 2 × 16 MB and one of a hundred thousand rows may end before
 * it gets there, so the peak memory of a run depended on how long it ran
 * (some 20 MB apart at the same steady state, docs/BENCHMARKS.md). Grown at
 * once, the peak is reached within the first megabytes of any sizeable run
 * and stays there. The largest size itself is unchanged.
 *
 * Leaves V8 alone when the semi-space was set on the command line or in
 * NODE_OPTIONS: whoever set it chose the young generation themselves.
 */
export function growYoungGenerationAtOnce(
  execArgv: readonly string[] = process.execArgv,
  nodeOptions: string = process.env.NODE_OPTIONS ?? '',
): boolean {
  if ([...execArgv, nodeOptions].some((option) => /semi[-_]space/.test(option))) return false
  v8.setFlagsFromString(`--semi-space-growth-factor=${GROWTH_FACTOR}`)
  return true
}
