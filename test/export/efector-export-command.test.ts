import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { main } from '../../src/cli/main.js'
import { detail, protocol, SilFixture } from './sil-fixture.js'

describe('labsync efector export', () => {
  let sil: SilFixture | undefined
  let dir: string | undefined
  afterEach(async () => {
    await sil?.drop()
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  it('prints what it would write with --dry-run, writing nothing, and what it wrote without', async () => {
    sil = await SilFixture.create('sqlite')
    await sil.insert('LAB_Protocolo', [protocol({ idProtocolo: 1 }), protocol({ idProtocolo: 2, baja: true })])
    await sil.insert('LAB_DetalleProtocolo', [
      detail({ idDetalleProtocolo: 1, idProtocolo: 1, fechaValida: sil.daysAgo(1) }),
      detail({ idDetalleProtocolo: 2, idProtocolo: 1, fechaValida: sil.daysAgo(1) }),
      detail({ idDetalleProtocolo: 3, idProtocolo: 2, fechaValida: sil.daysAgo(1) }),
    ])
    dir = mkdtempSync(path.join(tmpdir(), 'labsync-export-cli-'))
    const config = path.join(dir, 'efector.yaml')
    writeFileSync(
      config,
      `efector:\n  id: 101\n  url: ${sil.db.url}\n  export:\n    mode: builtin\n    days: 5\nlog:\n  level: silent\n`,
    )

    const lines: string[] = []
    expect(
      await main(['node', 'labsync', '--config', config, 'efector', 'export', '--dry-run'], (line) => lines.push(line)),
    ).toBe(0)
    expect(lines).toEqual([
      'efector 101: export builtin (5 days) would write 2 headers and 2 details (dry run: nothing written)',
    ])
    expect(await sil.stagedHeaders()).toEqual([])

    lines.length = 0
    expect(await main(['node', 'labsync', '--config', config, 'efector', 'export'], (line) => lines.push(line))).toBe(0)
    expect(lines).toEqual(['efector 101: export builtin (5 days) wrote 2 headers and 2 details'])
    expect((await sil.stagedHeaders()).map((row) => [row.idProtocolo, row.baja])).toEqual([
      [1, false],
      [2, true],
    ])
  })
})
