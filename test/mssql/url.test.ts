import { describe, expect, it } from 'vitest'
import { redactUrl } from '../../src/core/config.js'
import { parseMssqlUrl } from '../../src/db/dialects/mssql/mssql-url.js'
import { openDatabase } from '../../src/db/open-database.js'

const SECRET = 'S3cr#t@p/ss'
const ENCODED = encodeURIComponent(SECRET)
const parse = (url: string) => parseMssqlUrl(url, redactUrl(url))

describe('mssql:// URLs', () => {
  it('maps host, port, database, encryption options and schema to tedious settings', () => {
    const target = parse(
      `mssql://labsync:${encodeURIComponent(SECRET)}@127.0.0.1:14330/SIPS?encrypt=true&trustServerCertificate=true&schema=dbo`,
    )
    expect(target.schema).toBe('dbo')
    expect(target.config.server).toBe('127.0.0.1')
    expect(target.config.authentication).toEqual({
      type: 'default',
      options: { userName: 'labsync', password: SECRET },
    })
    expect(target.config.options).toMatchObject({
      database: 'SIPS',
      port: 14330,
      encrypt: true,
      trustServerCertificate: true,
      useUTC: true,
      dateFormat: 'ymd',
      abortTransactionOnError: true,
      enableQuotedIdentifier: true,
      requestTimeout: 0,
      appName: 'labsync',
    })
    expect(target.config.options!.instanceName).toBeUndefined()
  })

  it('takes an instance name instead of a port, encrypt=false for SQL Server 2012 without TLS, and DOMAIN\\user as NTLM', () => {
    const target = parse('mssql://HOSP%5Clabsync:pw@127.0.0.1/Laboratorio?instanceName=SQLEXPRESS&encrypt=false')
    expect(target.config.options).toMatchObject({ database: 'Laboratorio', instanceName: 'SQLEXPRESS', encrypt: false })
    expect(target.config.options!.port).toBeUndefined()
    expect(target.config.authentication).toEqual({
      type: 'ntlm',
      options: { domain: 'HOSP', userName: 'labsync', password: 'pw' },
    })
    expect(parse('mssql://u:p@127.0.0.1/db').config.options).toMatchObject({
      port: 1433,
      encrypt: true,
      trustServerCertificate: false,
    })
    expect(parse('mssql://u:p@127.0.0.1/db?encrypt=strict').config.options!.encrypt).toBe('strict')
  })

  it('refuses bad URLs with a configuration error that never shows the password', () => {
    const bad = [
      `mssql://labsync:${ENCODED}@127.0.0.1:1433/SIPS?instanceName=X`,
      `mssql://labsync:${ENCODED}@127.0.0.1/`,
      `mssql://labsync:${ENCODED}@127.0.0.1/SIPS?schema=dbo;drop`,
      `mssql://labsync:${ENCODED}@127.0.0.1/SIPS?colour=blue`,
      `mssql://labsync:${ENCODED}@127.0.0.1/SIPS?encrypt=maybe`,
      `mssql://:${ENCODED}@127.0.0.1/SIPS`,
      // Not percent-encoded: '#' and '/' break the URL.
      `mssql://labsync:${SECRET}@127.0.0.1:1433/SIPS`,
    ]
    const reasons = new Set<string>()
    for (const url of bad) {
      let caught: unknown
      try {
        openDatabase(url)
      } catch (error) {
        caught = error
      }
      expect(caught, url).toMatchObject({ code: 'LABSYNC_CONFIG' })
      expect(String((caught as Error).message)).not.toContain('S3cr')
      expect(String((caught as Error).message)).toContain('mssql://')
      reasons.add(String((caught as Error).message).replace(/^[^ ]+ /, ''))
    }
    expect(reasons.size).toBe(bad.length)
  })

  it('hides the password in displayUrl', () => {
    for (const url of [
      `mssql://labsync:${ENCODED}@127.0.0.1:1433/SIPS?schema=dbo`,
      `mssql://labsync:pw@127.0.0.1:1433/SIPS`,
    ]) {
      const database = openDatabase(url)
      expect(database.dialect.name).toBe('mssql')
      expect(database.displayUrl).not.toMatch(/S3cr|:pw@/)
      expect(database.displayUrl.startsWith('mssql://labsync:***@')).toBe(true)
    }
  })

  it('reports a server that cannot be reached as a connection error without the password', async () => {
    // Port 1 on loopback: nothing listens there, so the connection is refused at once.
    const database = openDatabase(`mssql://labsync:${encodeURIComponent(SECRET)}@127.0.0.1:1/SIPS?connectTimeout=2000`)
    const error = await database.connect().then(
      () => undefined,
      (failure: unknown) => failure,
    )
    expect(error).toMatchObject({ code: 'LABSYNC_CONNECTION' })
    expect(String((error as Error).message)).not.toContain('S3cr')
    await database.close()
  })
})
