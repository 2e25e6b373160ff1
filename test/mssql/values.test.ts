import { spawnSync } from 'node:child_process'
import path from 'node:path'
import { TYPES } from 'tedious'
import { readValue } from 'tedious/lib/value-parser.js'
import { describe, expect, it } from 'vitest'
import { bit, decimal, int, nvarchar, varchar } from '../../src/db/column-spec.js'
import { bulkColumn, fromCell, toBulkValue, toParameter } from '../../src/db/dialects/mssql/mssql-values.js'

/**
 * Values at the tedious boundary: labsync's conversions followed by
 * tedious's own encoder and value parser (the code that writes and reads
 * the TDS bytes), with no server.
 */

const SCRIPT = path.join(import.meta.dirname, 'support', 'datetime-boundary.ts')
const DATETIMES = [
  '2026-11-20 08:15:30.123',
  '2026-11-20 23:59:59.997',
  '2026-03-08 02:30:00.000', // does not exist in New York (spring forward)
  '2026-11-01 01:30:00.000', // happens twice in New York (fall back)
  '2001-01-01 00:00:00.000', // the legacy "never" sentinel
  '1753-01-01 00:00:00.000',
]

function runAt(tz: string, inputs: string[] = DATETIMES) {
  const child = spawnSync(process.execPath, ['--import', 'tsx', SCRIPT, JSON.stringify(inputs)], {
    env: { ...process.env, TZ: tz },
    encoding: 'utf8',
  })
  if (child.status !== 0) throw new Error(child.stderr)
  return JSON.parse(child.stdout) as {
    tz: string
    offsetMinutes: number
    results: Array<{
      input: string
      parameterType: string
      sent: string
      bulkSent: string
      readBack: string
      naiveSent: string
    }>
  }
}

describe('datetime at the driver boundary, whatever the time zone of the process', () => {
  for (const tz of ['America/Argentina/Buenos_Aires', 'UTC', 'Asia/Tokyo', 'America/New_York']) {
    it(`sends and reads the same wall-clock value with TZ=${tz}`, () => {
      const run = runAt(tz)
      expect(run.tz).toBe(tz)
      for (const result of run.results) {
        expect(result.parameterType).toBe('DateTime')
        expect(result.sent).toBe(result.input)
        expect(result.bulkSent).toBe(result.input)
        expect(result.readBack).toBe(result.input)
      }
      // The check can fail: handing tedious the string itself shifts it by the zone's offset.
      if (run.offsetMinutes !== 0) expect(run.results[0].naiveSent).not.toBe(run.results[0].input)
    })
  }

  it('rounds to the 1/300 s that datetime holds, as SQL Server does', () => {
    const run = runAt('Asia/Tokyo', ['2026-11-20 08:15:30.125', '2026-11-20 08:15:30.001'])
    expect(run.results.map((result) => result.sent)).toEqual(['2026-11-20 08:15:30.127', '2026-11-20 08:15:30.000'])
  })
})

describe('text, bit, int and decimal at the driver boundary', () => {
  it('sends text as nvarchar, so that accents and ñ travel as UTF-16', () => {
    const parameter = toParameter('Ñandú Peña, José')
    expect(parameter.type).toBe(TYPES.NVarChar)
    const bytes = Buffer.concat([
      ...parameter.type.generateParameterData({ value: parameter.value, length: 16 } as never, {} as never),
    ] as Buffer[])
    expect(bytes.equals(Buffer.from('Ñandú Peña, José', 'utf16le'))).toBe(true)
    // A string that is not exactly a canonical datetime stays text.
    expect(toParameter('2026-11-20').type).toBe(TYPES.NVarChar)
    expect(toParameter('2026-11-20 08:15:30').type).toBe(TYPES.NVarChar)
  })

  it('declares varchar columns as varchar (their collation applies) and nvarchar as nvarchar in the bulk load', () => {
    expect(bulkColumn(varchar('sector', 50)).type.declaration({ length: 50 } as never)).toBe('varchar(50)')
    expect(bulkColumn(nvarchar('apellido', 100)).type.declaration({ length: 100 } as never)).toBe('nvarchar(100)')
  })

  it('sends bit and int with their own types and reads them back', () => {
    expect(toParameter(true)).toEqual({ type: TYPES.Bit, value: true })
    expect(toParameter(0).type).toBe(TYPES.Int)
    expect(toParameter(2147483647).type).toBe(TYPES.Int)
    expect(toParameter(2147483648).type).toBe(TYPES.BigInt)
    expect(toParameter(0.5).type).toBe(TYPES.Float)
    expect(toParameter(null)).toEqual({ type: TYPES.NVarChar, value: null })
    const bitBytes = Buffer.concat([
      ...TYPES.Bit.generateParameterData({ value: true } as never, {} as never),
    ] as Buffer[])
    expect(readValue(bitBytes, 0, { type: TYPES.Bit } as never, {} as never).value).toBe(true)
    const intBytes = Buffer.concat([
      ...TYPES.Int.generateParameterData({ value: -123456 } as never, {} as never),
    ] as Buffer[])
    expect(readValue(intBytes, 0, { type: TYPES.Int } as never, {} as never).value).toBe(-123456)
    expect(toBulkValue(true, bit('hiv'))).toBe(true)
    expect(toBulkValue(-5, int('idDetalleProtocolo'))).toBe(-5)
  })

  it('reads decimals as exact decimal strings with their scale, and bigint counts as numbers', () => {
    expect(fromCell(12.5, { type: { name: 'Decimal' }, scale: 2 })).toBe('12.50')
    expect(fromCell(-0.1, { type: { name: 'NumericN' }, scale: 3 })).toBe('-0.100')
    expect(fromCell(0.1 + 0.2, { type: { name: 'DecimalN' }, scale: 2 })).toBe('0.30')
    expect(fromCell('42', { type: { name: 'BigInt' } })).toBe(42)
    expect(fromCell('9007199254740993', { type: { name: 'BigInt' } })).toBe('9007199254740993')
    expect(fromCell(false, { type: { name: 'Bit' } })).toBe(false)
  })

  it('sends decimals through tedious exactly up to 15 digits, and refuses more rather than rounding', () => {
    const column = decimal('resultadoNum', 18, 4)
    expect(toBulkValue('12345678901.2345', column)).toBe(12345678901.2345)
    const bytes = Buffer.concat([
      ...TYPES.Decimal.generateParameterData(
        { value: toBulkValue('-1234.5678', column), precision: 18, scale: 4 } as never,
        {} as never,
      ),
    ] as Buffer[])
    expect(bytes[0]).toBe(0) // sign: negative
    expect(bytes.readBigUInt64LE(1)).toBe(12345678n)
    expect(() => toBulkValue('123456789012.3456', column)).toThrow(/more than 15 significant digits/)
  })
})
