import { execFile } from 'node:child_process'
import { existsSync, writeFileSync } from 'node:fs'
import { createServer, type AddressInfo } from 'node:net'
import path from 'node:path'
import { promisify } from 'node:util'
import { afterEach, describe, expect, it } from 'vitest'
import { usingSession } from '../../src/db/session.js'
import { DETAIL_COLUMNS, HEADER_COLUMNS } from '../../src/db/tables/staging-tables.js'
import { literalSelect } from '../support/literal-select.js'
import { detail, header } from '../support/staging-fixtures.js'
import { createTestDatabase, DIALECTS, type TestDatabase } from '../support/test-databases.js'
import { makeTempFolder } from '../support/temp-folder.js'

/**
 * The built command, run as a user would: `bin/labsync.js` on the compiled
 * code (npm test builds it first), with configuration files and
 * environment variables.
 */
const BIN = path.resolve('bin/labsync.js')
const run = promisify(execFile)

async function labsync(args: string[], env: Record<string, string> = {}, cwd?: string) {
  try {
    const { stdout, stderr } = await run('node', [BIN, ...args], {
      cwd,
      env: { ...process.env, LABSYNC_LOG_FORMAT: 'json', ...env },
    })
    return { code: 0, stdout, stderr }
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string }
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr }
  }
}

describe.each(DIALECTS)('the labsync command on %s', (dialect) => {
  const databases: TestDatabase[] = []
  afterEach(async () => {
    for (const database of databases.splice(0)) await database.drop()
  })

  it('installs, registers, exports with SQL files, uploads, imports and reports, as the README says', async () => {
    const central = await createTestDatabase(dialect, 'clicentral')
    const hospital = await createTestDatabase(dialect, 'clihospital')
    databases.push(central, hospital)
    const dir = makeTempFolder('cli')
    writeFileSync(path.join(dir, 'central.yaml'), 'central:\n  url: ${CENTRAL_DB_URL}\nlog:\n  level: warn\n')
    writeFileSync(
      path.join(dir, 'efector.yaml'),
      'efector:\n  id: 42\n  url: ${EFECTOR_DB_URL}\n  export:\n    mode: sql\n    headersSql: headers.sql\n    detailsSql: details.sql\ncentral:\n  url: ${CENTRAL_DB_URL}\nlog:\n  level: warn\n',
    )
    writeFileSync(
      path.join(dir, 'headers.sql'),
      literalSelect(
        HEADER_COLUMNS,
        [header({ idProtocolo: 1, idEfector: 42 }), header({ idProtocolo: 2, idEfector: 42 })],
        dialect,
      ),
    )
    writeFileSync(
      path.join(dir, 'details.sql'),
      literalSelect(DETAIL_COLUMNS, [detail({ idProtocolo: 1, idEfector: 42, idDetalleProtocolo: 1 })], dialect),
    )
    const env = { CENTRAL_DB_URL: central.url, EFECTOR_DB_URL: hospital.url }
    const centralConfig = ['--config', path.join(dir, 'central.yaml')]
    const efectorConfig = ['--config', path.join(dir, 'efector.yaml')]

    const install = await labsync([...centralConfig, 'central', 'install'], env)
    expect(install).toMatchObject({ code: 0 })
    expect(install.stdout).toContain('LAB_EstadoSyncGeneral: created')
    expect((await labsync([...centralConfig, 'central', 'install'], env)).stdout).toContain(
      'LAB_EstadoSyncGeneral: up to date',
    )
    const add = await labsync(
      [
        ...centralConfig,
        'central',
        'add-efector',
        '--id',
        '42',
        '--name',
        'Cuarenta',
        '--display-name',
        'Hospital Cuarenta y Dos',
      ],
      env,
    )
    expect(add.stdout).toContain('efector 42: registered')
    expect((await labsync([...efectorConfig, 'efector', 'install'], env)).stdout).toContain('LAB_SyncStatus: created')

    const upload = await labsync([...efectorConfig, 'efector', 'run'], env)
    expect(upload.stdout).toContain('efector 42: uploaded 2 headers and 1 details')
    expect(upload.code).toBe(0)
    const pass = await labsync([...centralConfig, 'central', 'run'], env)
    expect(pass.stdout).toContain('efector 42: imported 2 headers')
    expect(pass.code).toBe(0)

    const status = await labsync([...centralConfig, 'status', '--json'], env)
    const report = JSON.parse(status.stdout)
    expect(report.efectores).toMatchObject([
      { idEfector: 42, nombreEfector: 'Hospital Cuarenta y Dos', state: 'idle', lastHeaders: 2, lastDetails: 1 },
    ])
    expect((await labsync([...centralConfig, 'status'], env)).stdout).toMatch(/42\s+Hospital Cuarenta y Dos\s+idle/)
    // Neither the output nor the logs show patient data or the password.
    for (const text of [upload.stdout, upload.stderr, pass.stdout, pass.stderr]) expect(text).not.toContain('Núñez')

    // While the central server imports this hospital, a run skips: exit 0 and one line that says why.
    await usingSession(central.database, (session) =>
      session.db
        .updateTable('LAB_EstadoSyncGeneral')
        .set({ ultimoSyncFechaInicio: session.dialect.now(), ultimoSyncFechaFin: null })
        .execute(),
    )
    const skipped = await labsync([...efectorConfig, 'efector', 'run'], env)
    expect(skipped.code).toBe(0)
    expect(skipped.stdout.trim().split('\n')).toEqual([
      expect.stringMatching(/^efector 42: skipped: the central server is importing this hospital since /),
    ])
  })

  it('prints the statements of an install with --print, and creates nothing', async () => {
    const central = await createTestDatabase(dialect, 'cliprint')
    databases.push(central)
    const dir = makeTempFolder('cli')
    writeFileSync(path.join(dir, 'central.yaml'), `central:\n  url: ${central.url}\n`)
    const printed = await labsync(['--config', path.join(dir, 'central.yaml'), 'central', 'install', '--print'])
    expect(printed.code).toBe(0)
    expect(printed.stdout).toMatch(/CREATE TABLE "LAB_EstadoSyncGeneral"/)
    expect(printed.stdout).toMatch(/CREATE TABLE "LAB_ResultadoDetalle"/)
    const tables = await usingSession(central.database, (session) => session.run(session.dialect.listTables(undefined)))
    expect(tables.rows.filter((row) => /^(LAB_|labsync_)/i.test(String(row.name)))).toEqual([])
  })
})

describe('the labsync command', () => {
  it('exits 2 naming the key of a configuration error', async () => {
    const dir = makeTempFolder('cli')
    writeFileSync(path.join(dir, 'bad.yaml'), 'central:\n  url: ${NOT_SET_ANYWHERE}\n')
    const result = await labsync(['--config', path.join(dir, 'bad.yaml'), 'status'])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('central.url: environment variable NOT_SET_ANYWHERE is not set')
  })

  it('exits 3 when the database cannot be reached, without printing the password', async () => {
    const dir = makeTempFolder('cli')
    writeFileSync(path.join(dir, 'central.yaml'), 'central:\n  url: postgres://labsync:Secreto123@127.0.0.1:1/sips\n')
    const result = await labsync(['--config', path.join(dir, 'central.yaml'), 'central', 'run'])
    expect(result.code).toBe(3)
    expect(result.stderr).toContain('LABSYNC_CONNECTION')
    expect(result.stderr + result.stdout).not.toContain('Secreto123')
  })

  it('reports a SQLite central file that does not exist, without creating it', async () => {
    const dir = makeTempFolder('cli')
    writeFileSync(path.join(dir, 'central.yaml'), 'central:\n  url: sqlite:missing.db\n')
    const result = await labsync(['--config', path.join(dir, 'central.yaml'), 'status'])
    expect(result.code).toBe(3)
    expect(result.stderr).toContain('LABSYNC_CONNECTION')
    expect(existsSync(path.join(dir, 'missing.db'))).toBe(false)
  })

  it('says which address the monitor cannot listen on, and exits 2', async () => {
    const dir = makeTempFolder('cli')
    writeFileSync(path.join(dir, 'central.yaml'), 'central:\n  url: sqlite:central.db\n')
    expect((await labsync(['--config', path.join(dir, 'central.yaml'), 'central', 'install'])).code).toBe(0)
    const taken = createServer()
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve))
    const port = (taken.address() as AddressInfo).port
    try {
      const result = await labsync(['--config', path.join(dir, 'central.yaml'), 'monitor', '--port', String(port)])
      expect(result.code).toBe(2)
      expect(result.stderr).toContain(`LABSYNC_CONFIG: cannot listen on 127.0.0.1:${port}: listen EADDRINUSE`)
    } finally {
      taken.close()
    }
  })

  it('writes a commented example with init, and refuses to overwrite it', async () => {
    const dir = makeTempFolder('cli')
    expect((await labsync(['init'], {}, dir)).code).toBe(0)
    const again = await labsync(['init'], {}, dir)
    expect(again.code).toBe(2)
    expect(again.stderr).toContain('already exists')
  })

  it('runs the demo to the end and shows rows arriving and being deleted', async () => {
    const dir = path.join(makeTempFolder('cli'), 'demo')
    const result = await labsync(['demo', '--dir', dir, '--efectores', '2', '--protocols', '120'])
    expect(result.code).toBe(0)
    const rows = result.stdout.split('\n').filter((line) => /^10[12]\s/.test(line))
    expect(rows).toHaveLength(2)
    for (const line of rows) {
      const [, , uploaded, imported, corrected, deleted, centralNow] = line.split(/\s{2,}/)
      const headersOf = (cell: string) => Number(cell.split(' / ')[0])
      // Annulled protocols are uploaded as baja = 1 headers, and never stay in the central tables.
      expect(headersOf(uploaded)).toBeGreaterThan(50)
      expect(imported).toBe(uploaded)
      expect(Number(corrected)).toBeGreaterThan(0)
      expect(Number(deleted)).toBeGreaterThan(0)
      expect(headersOf(centralNow)).toBeLessThanOrEqual(headersOf(uploaded) - Number(deleted))
    }
    expect(result.stdout).toContain(`npx labsync --config ${dir}/central.yaml status`)
    const status = await labsync(['--config', `${dir}/central.yaml`, 'status', '--json'])
    expect(JSON.parse(status.stdout).efectores).toHaveLength(2)
  })
})
