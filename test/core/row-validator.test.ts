import { describe, expect, it } from 'vitest'
import { LabsyncError } from '../../src/core/errors.js'
import { normaliseDatetime, RowValidator } from '../../src/db/row-validator.js'
import { HEADER_COLUMNS, HEADER_KEY } from '../../src/db/tables/staging-tables.js'
import { headerRow, header } from '../support/staging-fixtures.js'

const validator = new RowValidator({
  table: 'LAB_Temp_ResultadoEncabezado',
  columns: HEADER_COLUMNS,
  key: HEADER_KEY,
  efector: 12,
})
const problem = (values: Record<string, unknown>) => {
  try {
    validator.check(headerRow(header({ idProtocolo: 77, idEfector: 12, ...values })))
  } catch (error) {
    expect(error).toBeInstanceOf(LabsyncError)
    return (error as LabsyncError).message
  }
  throw new Error('expected the row to be refused')
}

describe('row validator', () => {
  it('normalises values to their canonical form', () => {
    const row = validator.check(
      headerRow(
        header({ idProtocolo: 77, idEfector: 12, fecha1: '2026-11-20T08:15:30.1', hiv: 1, baja: 0, edad: '34' }),
      ),
    )
    const value = (name: string) => row[HEADER_COLUMNS.findIndex((column) => column.name === name)]
    expect(value('fecha1')).toBe('2026-11-20 08:15:30.100')
    expect(value('hiv')).toBe(true)
    expect(value('baja')).toBe(false)
    expect(value('edad')).toBe(34)
  })

  it('names the hospital, table, key and column of a bad value, and never the value', () => {
    const message = problem({ apellido: 'Ñ'.repeat(101) })
    expect(message).toBe(
      'invalid value: text of 101 characters is longer than nvarchar(100) (efector 12, table LAB_Temp_ResultadoEncabezado, key idProtocolo=77 idEfector=12, column apellido)',
    )
    expect(message).not.toContain('ÑÑ')
  })

  it.each([
    [{ nombre: null }, 'NULL in a NOT NULL nvarchar(100) column'],
    [{ edad: 2147483648 }, 'integer out of the range of int'],
    [{ edad: 3.5 }, 'expected an integer, got a fraction'],
    [{ hiv: 2 }, 'expected a bit'],
    [{ fecha1: '2026-02-30 10:00:00' }, 'datetime out of range'],
    [{ fecha1: '20/11/2026' }, 'expected a datetime'],
    [{ fecha1: '2026-11-20 08:15:30.1234' }, 'more precision than a millisecond'],
    [{ sector: 'Pediatría ✓' }, 'cannot be stored exactly in a varchar (Latin1) column'],
    // A C1 control character: Latin1 has it, Windows-1252 puts other characters at those codes.
    [{ sector: 'Pediatr\u0085a' }, 'character U+0085 cannot be stored exactly in a varchar (Latin1) column'],
    [{ domicilio: 'a\u0000b' }, 'NUL character'],
  ])('refuses %j', (values, expected) => {
    expect(problem(values)).toContain(expected)
  })

  it('accepts Latin1 and Windows-1252 characters in varchar columns, and any text in nvarchar ones', () => {
    expect(() =>
      validator.check(
        headerRow(header({ idProtocolo: 1, idEfector: 12, sector: 'Niñez – Pediatría €', apellido: 'Nguyễn 王' })),
      ),
    ).not.toThrow()
  })
})

describe('datetime normalisation', () => {
  const outcome = (value: string) => {
    try {
      return normaliseDatetime(value)
    } catch (error) {
      return `refused: ${(error as Error).message}`
    }
  }

  it('accepts a stored value as it is, and refuses one out of range, by either path', () => {
    const years = ['1752', '1753', '1900', '2000', '2024', '2026', '2100', '9999']
    const months = ['00', '01', '02', '04', '12', '13']
    const days = ['00', '01', '28', '29', '30', '31', '32']
    let accepted = 0
    for (const year of years)
      for (const month of months)
        for (const day of days)
          for (const time of ['00:00:00.000', '23:59:59.999', '24:00:00.000', '23:60:00.000', '23:59:60.000']) {
            const canonical = `${year}-${month}-${day} ${time}`
            const result = outcome(canonical)
            // The 'T' form is not canonical: the general path reads it and must agree.
            expect(outcome(canonical.replace(' ', 'T')), canonical).toBe(result)
            if (result === canonical) accepted++
            else expect(result, canonical).toBe('refused: datetime out of range')
          }
    // 7 years from 1753 × 12 months' valid days among 01, 28, 29, 30, 31, with the two valid times.
    const validDays = (year: number, month: number) =>
      ['01', '28', '29', '30', '31'].filter((day) => Number(day) <= new Date(Date.UTC(year, month, 0)).getUTCDate())
    let expected = 0
    for (const year of years.slice(1))
      for (const month of [1, 2, 4, 12]) expected += 2 * validDays(Number(year), month).length
    expect(accepted).toBe(expected)
  })

  it('keeps the general forms: T separator, fewer fields, more zeros, surrounding spaces', () => {
    expect(outcome('2024-02-29T10:00')).toBe('2024-02-29 10:00:00.000')
    expect(outcome(' 2026-11-20 08:15:30.1 ')).toBe('2026-11-20 08:15:30.100')
    expect(outcome('2026-11-20 08:15:30.123000')).toBe('2026-11-20 08:15:30.123')
    expect(outcome('2026-11-20')).toBe('2026-11-20 00:00:00.000')
    expect(outcome('1900-02-29 00:00:00.000')).toBe('refused: datetime out of range')
    expect(outcome('2026-11-20 08:15:3a.000')).toBe('refused: expected a datetime as YYYY-MM-DD HH:MM:SS.SSS')
  })
})
