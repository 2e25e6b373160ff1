import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'

/**
 * Temporary folders for tests, removed when their test file ends (see
 * cleanup-temp-folders.ts, a vitest setup file) unless LABSYNC_KEEP_TEST_DBS
 * is set, so that repeated runs do not fill the machine's temp folder.
 */
const created: string[] = []

export function makeTempFolder(prefix: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), `labsync-${prefix}-`))
  created.push(dir)
  return dir
}

export function removeTempFolders(): void {
  if (process.env.LABSYNC_KEEP_TEST_DBS) return
  for (const dir of created.splice(0)) rmSync(dir, { recursive: true, force: true })
}
