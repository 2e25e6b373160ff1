import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { parseConfig } from '../../src/core/config.js'

/** The README's monitor example is what operators copy: it must be a configuration labsync accepts. */
function readmeMonitorExample(): string {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8')
  const block = [...readme.matchAll(/```yaml\n([\s\S]*?)```/g)]
    .map((match) => match[1])
    .find((text) => text.startsWith('monitor:'))
  if (!block) throw new Error('README.md has no ```yaml block starting with monitor:')
  return block
}

describe("the README's monitor example", () => {
  it('parses, reading the token and the password from the environment', () => {
    const text = `central:\n  url: sqlite:central.db\n${readmeMonitorExample()}`
    const config = parseConfig(text, 'README.md', {
      LABSYNC_MONITOR_TOKEN: 'a-token-of-32-characters-or-more',
      LABSYNC_MONITOR_PASSWORD: 'pass: {word}',
    })
    expect(config.monitor.token).toBe('a-token-of-32-characters-or-more')
    expect(config.monitor.basicAuth).toEqual({ username: 'guardia', password: 'pass: {word}' })
    expect(config.monitor.alertFactor).toBe(2)
  })

  it('is refused with a token under 16 or a password under 8 characters, as the README says', () => {
    const text = `central:\n  url: sqlite:central.db\n${readmeMonitorExample()}`
    expect(() =>
      parseConfig(text, 'README.md', {
        LABSYNC_MONITOR_TOKEN: 'x'.repeat(15),
        LABSYNC_MONITOR_PASSWORD: 'x'.repeat(8),
      }),
    ).toThrow(/monitor\.token/)
    expect(() =>
      parseConfig(text, 'README.md', {
        LABSYNC_MONITOR_TOKEN: 'x'.repeat(16),
        LABSYNC_MONITOR_PASSWORD: 'x'.repeat(7),
      }),
    ).toThrow(/monitor\.basicAuth\.password/)
  })
})
