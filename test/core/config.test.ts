import { describe, expect, it } from 'vitest'
import { parseConfig, redactUrl } from '../../src/core/config.js'
import { LabsyncError } from '../../src/core/errors.js'
import { EXAMPLE_CONFIG } from '../../src/cli/commands/init.js'

const failure = (text: string, env: NodeJS.ProcessEnv = {}) => {
  try {
    parseConfig(text, 'labsync.yaml', env)
  } catch (error) {
    expect(error).toBeInstanceOf(LabsyncError)
    expect((error as LabsyncError).exitCode).toBe(2)
    return (error as LabsyncError).message
  }
  throw new Error('expected a configuration error')
}

describe('configuration', () => {
  it('reads ${NAME} values from the environment', () => {
    const config = parseConfig('central:\n  url: ${CENTRAL_DB_URL}\n', '/etc/labsync/central.yaml', {
      CENTRAL_DB_URL: 'postgres://labsync:s3cret@db:5432/sips',
    })
    expect(config.central?.url).toBe('postgres://labsync:s3cret@db:5432/sips')
    expect(config.central?.leaseMinutes).toBe(60)
    expect(config.importer.retry).toEqual({ firstMinutes: 5, maxMinutes: 240 })
  })

  it('names the key of an unset environment variable', () => {
    expect(failure('central:\n  url: ${CENTRAL_DB_URL}\n')).toBe(
      'labsync.yaml: central.url: environment variable CENTRAL_DB_URL is not set',
    )
  })

  it('names the key and what is wrong', () => {
    expect(failure('central:\n  url: mysql://x\n')).toContain(
      'central.url: must start with postgres://, sqlite: or mssql://',
    )
    expect(failure('central:\n  url: sqlite:x.db\n  leaseMinutes: -1\n')).toContain('central.leaseMinutes:')
    expect(failure('efector:\n  url: sqlite:x.db\n  export:\n    mode: sql\n')).toContain(
      'efector.export.headersSql: is required when mode is sql',
    )
    expect(failure('efector:\n  url: sqlite:x.db\n  idd: 3\n')).toContain('efector')
    expect(failure('central: [unclosed\n')).toContain('not valid YAML')
    expect(failure('timeZone: Mars/Olympus\n')).toContain('timeZone: is not a time zone this machine knows')
  })

  it('resolves SQLite files and SQL files relative to the configuration file', () => {
    const config = parseConfig(
      'efector:\n  url: sqlite:data/h.db\n  export:\n    mode: sql\n    headersSql: sql/h.sql\n    detailsSql: /abs/d.sql\n',
      '/srv/labsync/efector.yaml',
      {},
    )
    expect(config.efector?.url).toBe('sqlite:/srv/labsync/data/h.db')
    expect(config.efector?.export.headersSql).toBe('/srv/labsync/sql/h.sql')
    expect(config.efector?.export.detailsSql).toBe('/abs/d.sql')
  })

  it('accepts the example that `labsync init` writes', () => {
    const config = parseConfig(EXAMPLE_CONFIG, 'labsync.yaml', {
      CENTRAL_DB_URL: 'sqlite:c.db',
      EFECTOR_DB_URL: 'sqlite:e.db',
    })
    expect(config.efector?.id).toBe(101)
    expect(config.efector?.export.mode).toBe('none')
  })

  it('hides passwords of database URLs', () => {
    expect(redactUrl('postgres://labsync:s3cret@db:5432/sips')).toBe('postgres://labsync:***@db:5432/sips')
    expect(redactUrl('mssql://sa:p@ss;w0rd@host/db')).not.toContain('w0rd')
  })
})
