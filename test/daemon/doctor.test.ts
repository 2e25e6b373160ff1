import { existsSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import pg from 'pg'
import { afterEach, describe, expect, it } from 'vitest'
import { installCentral } from '../../src/central/install-central.js'
import { configSchema, loadConfigFile, type LoadedConfig } from '../../src/core/config.js'
import { doctorExitCode, formatFinding, type Finding } from '../../src/doctor/finding.js'
import { runDoctor } from '../../src/doctor/run-doctor.js'
import { Scenario } from '../support/scenario.js'
import { makeTempFolder } from '../support/temp-folder.js'
import { DIALECTS } from '../support/test-databases.js'

const ADMIN_URL = process.env.LABSYNC_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'

function loadedConfig(raw: Record<string, unknown>): LoadedConfig {
  return { file: 'doctor-test.yaml', config: configSchema.parse(raw) }
}
const problems = (findings: Finding[]) => findings.filter((finding) => finding.level === 'problem')
const text = (findings: Finding[]) => findings.flatMap(formatFinding).join('\n')

describe.each(DIALECTS)('labsync doctor on %s', (dialect) => {
  let scenario: Scenario
  afterEach(async () => scenario?.drop())

  const efectorConfig = (overrides: Record<string, unknown> = {}) =>
    loadedConfig({
      efector: { id: 101, url: scenario.hospitals.get(101)!.url },
      central: { url: scenario.central.url },
      ...overrides,
    })
  const centralConfig = () => loadedConfig({ central: { url: scenario.central.url } })
  const exec = (statement: string) =>
    scenario.onCentral((session) => session.connection.execute({ sql: statement, parameters: [] }))

  it('finds nothing wrong with a fresh installation (warnings aside)', async () => {
    scenario = await Scenario.create(dialect, [{ id: 101, name: 'Norte' }])
    for (const loaded of [efectorConfig(), centralConfig()]) {
      const findings = await runDoctor(loaded)
      expect(problems(findings)).toEqual([])
      expect(doctorExitCode(findings)).toBe(0)
      expect(text(findings)).toMatch(/reached/)
    }
  })

  it('finds a missing column and a missing table, each with a fix that works', async () => {
    scenario = await Scenario.create(dialect, [{ id: 101, name: 'Norte' }])
    await exec('ALTER TABLE "LAB_ResultadoDetalle" DROP COLUMN "profesional_val"')
    await exec('DROP TABLE "labsync_run"')

    const findings = await runDoctor(centralConfig())
    expect(doctorExitCode(findings)).toBe(1)
    const column = problems(findings).find(
      (finding) => finding.message === 'table LAB_ResultadoDetalle has no column profesional_val',
    )
    expect(column?.fix).toContain('labsync central install')
    expect(column?.fix).toContain('ALTER TABLE "LAB_ResultadoDetalle" ADD COLUMN "profesional_val"')
    const table = problems(findings).find((finding) => finding.message === 'table labsync_run does not exist')
    expect(table?.fix).toMatch(/labsync central install\nor run: CREATE TABLE "labsync_run"/)

    // The SQL the first fix prints, and the command the second names, put it right.
    await exec(column!.fix!.split('or run: ')[1].replace(/;$/, ''))
    await scenario.onCentral((session) => installCentral(session))
    expect(problems(await runDoctor(centralConfig()))).toEqual([])
  })

  it('finds a hospital without a status row and a staging table that is missing', async () => {
    scenario = await Scenario.create(dialect, [{ id: 101, name: 'Norte' }])
    const unknown = problems(
      await runDoctor(efectorConfig({ efector: { id: 999, url: scenario.hospitals.get(101)!.url } })),
    )
    expect(unknown).toEqual([
      expect.objectContaining({
        message: 'hospital 999 has no row in LAB_EstadoSyncGeneral',
        fix: expect.stringContaining('labsync central add-efector --id 999'),
      }),
    ])
    await exec('DROP TABLE "LAB_Temp_NorteResultadoDetalle"')
    const missing = problems(await runDoctor(efectorConfig()))
    expect(missing.map((finding) => finding.message)).toEqual(['table LAB_Temp_NorteResultadoDetalle does not exist'])
    expect(missing[0].fix).toContain('labsync central add-efector')
  })

  it('finds a clock difference between this machine and the central server', async () => {
    scenario = await Scenario.create(dialect, [{ id: 101, name: 'Norte' }])
    const skewed = await runDoctor(centralConfig(), { now: () => Date.now() + 10 * 60_000 })
    const clock = problems(skewed)
    expect(clock).toHaveLength(1)
    expect(clock[0].message).toMatch(/^this machine's clock is 6\d\d\.\d s ahead of the central server's/)
    expect(clock[0].fix).toMatch(/timedatectl set-ntp true.*w32tm \/resync/)
    expect(problems(await runDoctor(centralConfig()))).toEqual([])
  })
})

describe('labsync doctor on PostgreSQL: logins, rights and types', () => {
  let scenario: Scenario
  const roles: string[] = []
  afterEach(async () => {
    await scenario?.drop()
    const admin = new pg.Client({ connectionString: ADMIN_URL })
    await admin.connect()
    for (const role of roles.splice(0)) await admin.query(`DROP ROLE IF EXISTS ${role}`)
    await admin.end()
  })
  const withUser = (url: string, user: string, password?: string) => {
    const changed = new URL(url)
    changed.username = user
    changed.password = password ?? ''
    return changed.toString()
  }

  it('finds a login that is refused and a database that does not exist, without printing the password', async () => {
    // The test server trusts every login from 127.0.0.1, so a wrong password alone would get in:
    // a role that does not exist is refused whatever the password.
    scenario = await Scenario.create('postgres', [{ id: 101, name: 'Norte' }])
    const password = 'Secreto-no-mostrar-42'
    const badRole = withUser(scenario.central.url, `labsync_nobody_${process.pid}`, password)
    const refused = await runDoctor(loadedConfig({ central: { url: badRole } }))
    expect(doctorExitCode(refused)).toBe(3)
    expect(problems(refused)).toEqual([
      expect.objectContaining({
        area: 'central database',
        message: expect.stringMatching(/^cannot reach postgres:\/\/labsync_nobody_\d+:\*\*\*@.*role .* does not exist/),
        fix: expect.stringContaining('CREATE ROLE'),
      }),
    ])
    expect(text(refused)).not.toContain(password)

    const noDatabase = new URL(scenario.central.url)
    noDatabase.pathname = '/labsync_no_such_database'
    const missing = problems(await runDoctor(loadedConfig({ central: { url: noDatabase.toString() } })))
    expect(missing[0].fix).toContain('CREATE DATABASE')
  })

  it('finds rights the login lacks, with the GRANT, and a column too short', async () => {
    scenario = await Scenario.create('postgres', [{ id: 101, name: 'Norte' }])
    const role = `labsync_t_reader_${process.pid}`
    roles.push(role)
    const admin = new pg.Client({ connectionString: scenario.central.url })
    await admin.connect()
    await admin.query(`CREATE ROLE ${role} LOGIN PASSWORD 'lectura-123'`)
    await admin.query(`GRANT SELECT ON ALL TABLES IN SCHEMA public TO ${role}`)
    await admin.query('ALTER TABLE "LAB_ResultadoEncabezado" ALTER COLUMN "apellido" TYPE varchar(20)')
    const asReader = loadedConfig({ central: { url: withUser(scenario.central.url, role, 'lectura-123') } })

    const findings = problems(await runDoctor(asReader))
    const status = findings.find((finding) => finding.message === 'the login may not UPDATE on LAB_EstadoSyncGeneral')
    expect(status?.fix).toBe(`GRANT UPDATE ON "LAB_EstadoSyncGeneral" TO "${role}";`)
    expect(
      findings.find(
        (finding) => finding.message === 'the login may not INSERT, UPDATE, DELETE on LAB_ResultadoEncabezado',
      ),
    ).toBeDefined()
    const short = findings.find((finding) => finding.message.startsWith('column LAB_ResultadoEncabezado.apellido'))
    expect(short).toMatchObject({
      message:
        'column LAB_ResultadoEncabezado.apellido is character varying(20), shorter than the nvarchar(100) labsync writes',
      fix: 'ALTER TABLE "LAB_ResultadoEncabezado" ALTER COLUMN "apellido" TYPE varchar(100);',
    })

    // An agent's login that may DELETE but not TRUNCATE the staging cannot upload to PostgreSQL.
    const agent = loadedConfig({
      central: { url: withUser(scenario.central.url, role, 'lectura-123') },
      efector: { id: 101, url: scenario.hospitals.get(101)!.url },
    })
    await admin.query(`GRANT INSERT, DELETE ON "LAB_Temp_NorteResultadoEncabezado" TO ${role}`)
    const staging = problems(await runDoctor(agent)).find((finding) =>
      finding.message.startsWith('the login may not TRUNCATE on LAB_Temp_NorteResultadoEncabezado'),
    )
    expect(staging?.fix).toBe(`GRANT TRUNCATE ON "LAB_Temp_NorteResultadoEncabezado" TO "${role}";`)

    // Running the printed fixes (as the owner) clears them.
    for (const finding of findings)
      if (finding.fix?.startsWith('GRANT') || finding.fix?.startsWith('ALTER')) await admin.query(finding.fix)
    await admin.end()
    expect(problems(await runDoctor(asReader))).toEqual([])
  })
})

describe('labsync doctor on a SQLite path that does not exist', () => {
  it('reports it, and creates neither the file nor its folder', async () => {
    const dir = makeTempFolder('doctor')
    const missing = path.join(dir, 'typo', 'hospital.db')
    const findings = await runDoctor(
      loadedConfig({
        efector: { id: 101, url: `sqlite:${missing}` },
        central: { url: `sqlite:${path.join(dir, 'central.db')}` },
      }),
    )
    expect(problems(findings).map((finding) => [finding.area, finding.message.split(':')[0], finding.fix])).toEqual([
      [
        'efector database',
        `cannot reach sqlite`,
        "the file does not exist or cannot be opened: check the path in efector.url and the file's rights (install creates a new file)",
      ],
      [
        'central database',
        `cannot reach sqlite`,
        "the file does not exist or cannot be opened: check the path in central.url and the file's rights (install creates a new file)",
      ],
    ])
    expect(existsSync(path.join(dir, 'typo'))).toBe(false)
    expect(existsSync(path.join(dir, 'central.db'))).toBe(false)
  })
})

describe('labsync doctor on passwords written in the configuration file', () => {
  it('warns about each, naming the key and never the password; ${NAME} is fine', async () => {
    const dir = makeTempFolder('doctor')
    const file = path.join(dir, 'labsync.yaml')
    const url = new URL(ADMIN_URL)
    url.password = 'secreto-literal'
    writeFileSync(
      file,
      `central:\n  url: ${url.toString()}\nefector:\n  id: 1\n  url: sqlite:h.db\n  export:\n    mode: sql\n    headersSql: h.sql\n    detailsSql: d.sql\n    sourceUrl: "mssql://sa@127.0.0.1:1/lab?password=otro-literal"\n`,
    )
    const written = (await runDoctor(loadConfigFile(file))).filter((finding) =>
      /holds a password/.test(finding.message),
    )
    expect(written.map((finding) => finding.message.split(' holds')[0])).toEqual([
      'central.url',
      'efector.export.sourceUrl',
    ])
    expect(text(written)).not.toMatch(/secreto-literal|otro-literal/)
    expect(written[0].fix).toContain('${NAME}')

    url.password = '${PGPASSWORD_DOCTOR_TEST}'
    writeFileSync(file, `central:\n  url: ${url.toString().replace('%7B', '{').replace('%7D', '}')}\n`)
    const fromEnvironment = await runDoctor(loadConfigFile(file, { ...process.env, PGPASSWORD_DOCTOR_TEST: 'x' }))
    expect(fromEnvironment.filter((finding) => /holds a password/.test(finding.message))).toEqual([])
  })
})
