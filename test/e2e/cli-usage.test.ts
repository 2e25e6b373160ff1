import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'

/**
 * Usage errors, on the built command (`bin/labsync.js`;
 * npm test builds it first). None of these cases reaches a database: the
 * arguments are refused before any configuration is read.
 */
const BIN = path.resolve('bin/labsync.js')
const run = promisify(execFile)

async function labsync(args: string[]) {
  try {
    const { stdout, stderr } = await run('node', [BIN, ...args], {
      env: { ...process.env, LABSYNC_CONFIG: '/nonexistent/labsync.yaml' },
    })
    return { code: 0, stdout, stderr }
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string }
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr }
  }
}

describe('usage errors of the labsync command', () => {
  it('prints its version with --version, as package.json says', async () => {
    const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }
    expect(await labsync(['--version'])).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' })
  })

  it.each([
    [['central', 'add-efector', '--name', 'Norte'], "required option '--id <n>' not specified"],
    [['--bogus', 'status'], "unknown option '--bogus'"],
    [['central', 'add-efector', '--id', '7', '--name', 'Norte', '--colour', 'red'], "unknown option '--colour'"],
    [['sql', 'install-central'], "required option '--dialect <name>' not specified"],
  ])("prints commander's error for %j with the LABSYNC_USAGE prefix and exits 2", async (args, message) => {
    const result = await labsync(args)
    expect(result.code).toBe(2)
    expect(result.stderr).toBe(`labsync: LABSYNC_USAGE: ${message}\n`)
    expect(result.stdout).toBe('')
  })

  it.each([['0'], ['-5'], ['2147483648'], ['99999999999'], ['1.5'], ['abc']])(
    'refuses central add-efector --id %s',
    async (id) => {
      const result = await labsync(['central', 'add-efector', '--id', id, '--name', 'Norte'])
      expect(result.code).toBe(2)
      expect(result.stderr).toMatch(/^labsync: LABSYNC_USAGE: --id must be /)
    },
  )

  it.each([
    [['--id', '0', '--name', 'Norte'], '--id must be a positive integer'],
    [['--id', '-3', '--name', 'Norte'], '--id must be a positive integer'],
    [['--id', '7', '--name', 'H'.repeat(36)], '--name may have at most 35 characters on postgres'],
  ])('refuses sql add-efector --dialect postgres %j as central add-efector does', async (args, message) => {
    const result = await labsync(['sql', 'add-efector', '--dialect', 'postgres', ...args])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain(message)
    expect(result.stdout).toBe('')
  })

  it('accepts --id 2147483647 and goes on to read the configuration', async () => {
    const result = await labsync(['central', 'add-efector', '--id', '2147483647', '--name', 'Norte'])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('LABSYNC_CONFIG')
    expect(result.stderr).not.toContain('--id')
  })

  it.each([
    [['demo', '--efectores', '0'], '--efectores must be 1 or more'],
    [['demo', '--efectores', '-2'], '--efectores must be 1 or more'],
    [['demo', '--protocols', '0'], '--protocols must be 1 or more'],
    [
      ['demo', '--dir', 'package.json'],
      `${path.resolve('package.json')} is a file; give the demo a new or empty folder`,
    ],
    [['demo', '--dir', 'src'], `${path.resolve('src')} is not empty; give the demo a new or empty folder`],
  ])('refuses %j before creating anything', async (args, message) => {
    const result = await labsync(args)
    expect(result.code).toBe(2)
    expect(result.stderr).toContain(`labsync: LABSYNC_USAGE: ${message}`)
    expect(result.stdout).toBe('')
  })
})
