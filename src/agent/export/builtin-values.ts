import { LabsyncError } from '../../core/errors.js'
import { normaliseDatetime } from '../../db/row-validator.js'

/**
 * Small value rules of the builtin export (docs/EXPORT.md, "Header row" and
 * "Detail rows") and the error for laboratory data they cannot take.
 */

/** A problem in one SIL row: names the hospital, the SIL table, the protocol's key and the column, never a value. */
export function silDataError(
  efector: number,
  table: string,
  key: Record<string, unknown>,
  column: string,
  problem: string,
): LabsyncError {
  return new LabsyncError('LABSYNC_ROW_INVALID', `laboratory data the export cannot take: ${problem}`, {
    location: { efector, table, key, column },
  })
}

const AGE_UNITS: Readonly<Record<number, string>> = { 0: 'Años', 1: 'Meses', 2: 'Dias' }

/** unidadEdad 0, 1, 2 -> 'Años', 'Meses', 'Dias'; anything else (NULL included) -> NULL, which the column allows. */
export function ageUnit(value: unknown): string | null {
  if (value === null || value === undefined) return null
  return AGE_UNITS[Number(value)] ?? null
}

/** A SIL datetime as dd/mm/yyyy, or null; throws a plain Error when it is not a datetime. */
export function ddmmyyyy(value: unknown): string | null {
  if (value === null || value === undefined) return null
  const canonical = normaliseDatetime(value)
  return `${canonical.slice(8, 10)}/${canonical.slice(5, 7)}/${canonical.slice(0, 4)}`
}

/**
 * observacionesResultados: line feeds and tabs become spaces, carriage
 * returns are dropped, runs of spaces collapse to one, and the ends are
 * trimmed of spaces. NULL stays NULL.
 */
export function cleanObservations(value: unknown): string | null {
  if (value === null || value === undefined) return null
  return String(value)
    .replace(/\r/g, '')
    .replace(/[\n\t]/g, ' ')
    .replace(/ {2,}/g, ' ')
    .replace(/^ | $/g, '')
}

/** A bit read from any dialect (1/0, true/false, '1'/'0'); NULL -> null. */
export function bitValue(value: unknown): boolean | null {
  if (value === null || value === undefined) return null
  return value === true || value === 1 || value === 1n || value === '1' || value === 't' || value === 'true'
}

/** An integer id read from any dialect, or null. */
export function idValue(value: unknown): number | null {
  return value === null || value === undefined ? null : Number(value)
}

/** "Set" for the SIL's user references, where 0 or NULL means nobody. */
export function isUserSet(value: unknown): boolean {
  const id = idValue(value)
  return id !== null && id > 0
}

/** trajoMuestra 'No', compared as SQL Server's default collation does (case and trailing blanks ignored). */
export function sampleMissing(trajoMuestra: unknown): boolean {
  return typeof trajoMuestra === 'string' && trajoMuestra.trim().toLowerCase() === 'no'
}
