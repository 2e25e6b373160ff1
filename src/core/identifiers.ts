import { LabsyncError, type ErrorLocation } from './errors.js'

const PLAIN_IDENTIFIER = /^[A-Za-z0-9_]{1,128}$/

/**
 * Checks a table or column name that came from a table row or a
 * configuration file before it is used in any SQL: letters, digits and
 * underscore, at most 128 characters. The legacy procedures pasted these
 * names into dynamic SQL; labsync refuses anything else and quotes the rest.
 */
export function checkIdentifier(name: unknown, what: string, location?: ErrorLocation): string {
  if (typeof name !== 'string' || !PLAIN_IDENTIFIER.test(name)) {
    const shown = typeof name === 'string' ? JSON.stringify(name.slice(0, 140)) : String(name)
    throw new LabsyncError(
      'LABSYNC_IDENTIFIER',
      `${what} ${shown} is not a plain identifier (letters, digits and underscore, at most 128 characters)`,
      { location },
    )
  }
  return name
}

export function isPlainIdentifier(name: string): boolean {
  return PLAIN_IDENTIFIER.test(name)
}
