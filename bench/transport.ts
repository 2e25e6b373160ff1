/**
 * `node --import tsx bench/transport.ts [--efectores 3] [--protocols 300] [--seed 1] [--runs 3]`
 * (the demo's options, and how many runs of each to take the median of):
 * the upload of the demo's largest hospital, direct (the agent writes the
 * central PostgreSQL itself) against HTTPS (the agent pushes to `central
 * serve`, which writes it). Both go through a counting TCP relay on
 * 127.0.0.1, so the bytes are those on the wire between the hospital and
 * the central side, connection setup (PostgreSQL login, TLS handshake)
 * included. Prints figures; asserts nothing. See docs/BENCHMARKS.md.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { Writable } from 'node:stream'
import { runEfectorCycle } from '../src/agent/efector-cycle.js'
import { addEfector, installCentral } from '../src/central/install-central.js'
import { configSchema, loadConfigFile, requireEfector } from '../src/core/config.js'
import { createLogger } from '../src/core/logger.js'
import { newOwnerId } from '../src/core/owner.js'
import { openDatabase } from '../src/db/open-database.js'
import { usingSession } from '../src/db/session.js'
import { LOCAL_DETAIL_TABLE, LOCAL_HEADER_TABLE } from '../src/db/tables/staging-tables.js'
import { runDemo } from '../src/demo/run-demo.js'
import { issueToken } from '../src/transport/efector-tokens.js'
import { startIngestServer } from '../src/transport/ingest-server.js'
import { makeSelfSignedCertificate } from '../test/transport/support/self-signed-cert.js'
import { TcpProxy } from '../test/transport/support/tcp-proxy.js'
import { ADMIN_URL, createBenchDatabase, dropAllBenchDatabases } from './bench-databases.js'

const { values } = parseArgs({
  options: {
    efectores: { type: 'string', default: '3' },
    protocols: { type: 'string', default: '300' },
    seed: { type: 'string', default: '1' },
    runs: { type: 'string', default: '3' },
  },
})
const efectores = Number(values.efectores)
const protocolCount = Number(values.protocols)
const seed = Number(values.seed)
const runs = Number(values.runs)

// The demo as `labsync demo` leaves it (SIL tables, builtin export, two rounds); the hospital whose
// local staging holds the most rows is measured, uploading those rows as they are (export mode none).
const dir = mkdtempSync(path.join(tmpdir(), 'labsync-bench-transport-'))
await runDemo({ dir: path.join(dir, 'demo'), efectores, protocols: protocolCount, seed, out: () => {} })
let largest = { id: 0, url: '', headers: 0, details: 0 }
for (let index = 0; index < efectores; index++) {
  const id = 101 + index
  const url = requireEfector(loadConfigFile(path.join(dir, 'demo', `efector-${id}.yaml`))).url
  const database = openDatabase(url)
  const counts = await usingSession(database, async (session) => {
    const count = async (table: string) =>
      Number(
        (
          await session.db
            .selectFrom(table)
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      )
    return { headers: await count(LOCAL_HEADER_TABLE), details: await count(LOCAL_DETAIL_TABLE) }
  })
  await database.close()
  if (counts.headers + counts.details > largest.headers + largest.details) largest = { id, url, ...counts }
}

const central = await createBenchDatabase('transport_central')
const localUrl = largest.url
const local = openDatabase(localUrl)
const certificate = makeSelfSignedCertificate()
try {
  const id = largest.id
  await usingSession(central.database, async (session) => {
    await installCentral(session)
    await addEfector(session, { id, name: `Demo${id}` })
  })
  const token = (await usingSession(central.database, (session) => issueToken(session, id))).token
  const centralConfig = configSchema.parse({ central: { url: central.url } }).central!
  const serve = configSchema.parse({
    central: { url: central.url, serve: { port: 0, tls: { cert: certificate.certFile, key: certificate.keyFile } } },
  }).central!.serve!
  const server = await startIngestServer({
    database: central.database,
    central: centralConfig,
    serve,
    logger: createLogger('warn', new Writable({ write: (_chunk, _encoding, done) => done() })),
  })

  const pgPort = Number(new URL(ADMIN_URL).port || 5432)
  const results: Record<string, { ms: number[]; up: number[]; down: number[] }> = {
    direct: { ms: [], up: [], down: [] },
    https: { ms: [], up: [], down: [] },
  }
  for (let run = 0; run < runs; run++) {
    for (const mode of ['direct', 'https'] as const) {
      const proxy = await TcpProxy.start(mode === 'direct' ? pgPort : server.port)
      const started = performance.now()
      let outcome: string
      if (mode === 'direct') {
        const viaProxy = new URL(central.url)
        viaProxy.host = `127.0.0.1:${proxy.port}`
        const centralDb = openDatabase(viaProxy.toString())
        const efector = configSchema.parse({ efector: { id, url: localUrl } }).efector!
        outcome = (
          await runEfectorCycle(
            local,
            centralDb,
            efector,
            { ...centralConfig, url: viaProxy.toString() },
            { owner: newOwnerId() },
          )
        ).outcome
        await centralDb.close()
      } else {
        const efector = configSchema.parse({
          efector: {
            id,
            url: localUrl,
            transport: 'https',
            https: { url: `https://127.0.0.1:${proxy.port}`, token, caFile: certificate.certFile },
          },
        }).efector!
        outcome = (await runEfectorCycle(local, undefined, efector, undefined, { owner: newOwnerId() })).outcome
      }
      const ms = performance.now() - started
      await proxy.close()
      if (outcome !== 'uploaded') throw new Error(`${mode} run ${run + 1}: ${outcome}`)
      results[mode].ms.push(ms)
      results[mode].up.push(proxy.bytesUp)
      results[mode].down.push(proxy.bytesDown)
    }
  }
  await server.close()

  const median = (list: number[]) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)]
  const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`
  console.log(
    `largest demo hospital: ${id}, ${largest.headers} headers and ${largest.details} details (--efectores ${efectores} --protocols ${protocolCount} --seed ${seed}); median of ${runs} runs`,
  )
  console.log('| transport | hospital -> central | central -> hospital | total on the wire | upload time |')
  console.log('| --- | ---: | ---: | ---: | ---: |')
  for (const mode of ['direct', 'https'] as const) {
    const r = results[mode]
    console.log(
      `| ${mode} | ${kib(median(r.up))} | ${kib(median(r.down))} | ${kib(median(r.up) + median(r.down))} | ${(median(r.ms) / 1000).toFixed(2)} s |`,
    )
  }
} finally {
  await local.close()
  await central.drop().catch(() => {})
  await dropAllBenchDatabases().catch(() => {})
  rmSync(dir, { recursive: true, force: true })
  rmSync(certificate.dir, { recursive: true, force: true })
}
