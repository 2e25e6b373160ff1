import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { ERROR_CODES } from '../src/core/errors.js'

describe('error catalogue', () => {
  it('documents every code with its exit status in docs/ERRORS.md, and nothing else', () => {
    const doc = readFileSync(new URL('../docs/ERRORS.md', import.meta.url), 'utf8')
    const documented = [...doc.matchAll(/^\| `(LABSYNC_[A-Z_]+)` \| (\d+) \|/gm)].map((match) => [
      match[1],
      Number(match[2]),
    ])
    const catalogue = Object.entries(ERROR_CODES).map(([code, entry]) => [code, entry.exitCode])
    expect(documented.sort()).toEqual(catalogue.sort())
  })
})
