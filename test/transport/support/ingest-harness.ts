import { Writable } from 'node:stream'
import type { CycleResult } from '../../../src/agent/efector-cycle.js'
import { runEfectorCycle } from '../../../src/agent/efector-cycle.js'
import { configSchema, type EfectorConfig, type ServeConfig } from '../../../src/core/config.js'
import { createLogger } from '../../../src/core/logger.js'
import { newOwnerId } from '../../../src/core/owner.js'
import { issueToken } from '../../../src/transport/efector-tokens.js'
import { startIngestServer, type IngestServer } from '../../../src/transport/ingest-server.js'
import type { Scenario } from '../../support/scenario.js'
import { makeSelfSignedCertificate, type TestCertificate } from './self-signed-cert.js'

/** The serve section with its defaults, plus the test's TLS files and overrides. */
export function serveConfig(certificate: TestCertificate, overrides: Partial<ServeConfig> = {}): ServeConfig {
  const parsed = configSchema.parse({
    central: {
      url: 'sqlite::memory:',
      serve: { port: 0, tls: { cert: certificate.certFile, key: certificate.keyFile } },
    },
  }).central!.serve!
  return { ...parsed, ...overrides }
}

/** An in-process `central serve` on 127.0.0.1 over a Scenario's central database, with its log lines captured. */
export class IngestHarness {
  readonly certificate: TestCertificate
  readonly server: IngestServer
  readonly logLines: string[]
  readonly tokens = new Map<number, string>()

  private constructor(certificate: TestCertificate, server: IngestServer, logLines: string[]) {
    this.certificate = certificate
    this.server = server
    this.logLines = logLines
  }

  static async start(scenario: Scenario, overrides: Partial<ServeConfig> = {}): Promise<IngestHarness> {
    const certificate = makeSelfSignedCertificate()
    const logLines: string[] = []
    const sink = new Writable({
      write(chunk, _encoding, done) {
        logLines.push(...String(chunk).split('\n').filter(Boolean))
        done()
      },
    })
    const server = await startIngestServer({
      database: scenario.central.database,
      central: scenario.centralConfig,
      serve: serveConfig(certificate, overrides),
      logger: createLogger('info', sink),
      host: '127.0.0.1',
      port: 0,
    })
    const harness = new IngestHarness(certificate, server, logLines)
    for (const id of scenario.hospitals.keys()) {
      harness.tokens.set(id, (await scenario.onCentral((session) => issueToken(session, id))).token)
    }
    return harness
  }

  /** The efector section of hospital `id` with transport https, through `url` (default the server). */
  efectorConfig(
    scenario: Scenario,
    id: number,
    options: { url?: string; token?: string; chunkRows?: number } = {},
  ): EfectorConfig {
    const https = configSchema.parse({
      efector: {
        id,
        url: scenario.hospitals.get(id)!.url,
        transport: 'https',
        https: {
          url: options.url ?? this.server.url,
          token: options.token ?? this.tokens.get(id)!,
          caFile: this.certificate.certFile,
          chunkRows: options.chunkRows ?? 2000,
          retries: 5,
          timeoutSeconds: 20,
        },
      },
    }).efector!
    return https
  }

  runCycle(
    scenario: Scenario,
    id: number,
    options: Parameters<IngestHarness['efectorConfig']>[2] = {},
  ): Promise<CycleResult> {
    return runEfectorCycle(
      scenario.hospitals.get(id)!.database,
      undefined,
      this.efectorConfig(scenario, id, options),
      undefined,
      {
        owner: newOwnerId(),
      },
    )
  }

  /** Parsed request log lines. */
  requests(): Record<string, any>[] {
    return this.logLines.map((line) => JSON.parse(line)).filter((entry) => entry.msg === 'request')
  }

  close(): Promise<void> {
    return this.server.close()
  }
}
