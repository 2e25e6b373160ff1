import { LabsyncError } from '../core/errors.js'

/**
 * Stored status and history times are wall-clock values of the central
 * server's zone ('YYYY-MM-DD HH:MM:SS.SSS', no offset). The monitor shows
 * them as ISO 8601 with the offset that zone had at that moment.
 */

const formatters = new Map<string, Intl.DateTimeFormat>()

function formatterOf(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone)
  if (!formatter) {
    try {
      formatter = new Intl.DateTimeFormat('en-US', {
        timeZone,
        hourCycle: 'h23',
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
        hour: '2-digit',
        minute: '2-digit',
        second: '2-digit',
      })
    } catch {
      throw new LabsyncError('LABSYNC_CONFIG', `timeZone: ${JSON.stringify(timeZone)} is not a known IANA time zone`)
    }
    formatters.set(timeZone, formatter)
  }
  return formatter
}

/** Minutes east of UTC that `timeZone` has at the instant `utcMillis`. */
export function zoneOffsetMinutes(timeZone: string, utcMillis: number): number {
  const parts = Object.fromEntries(
    formatterOf(timeZone)
      .formatToParts(new Date(utcMillis))
      .map((part) => [part.type, part.value]),
  )
  const asUtc = Date.UTC(+parts.year, +parts.month - 1, +parts.day, +parts.hour, +parts.minute, +parts.second)
  return Math.round((asUtc - Math.floor(utcMillis / 1000) * 1000) / 60_000)
}

/** Throws unless the zone is known; call it once at start so a typo fails early. */
export function assertTimeZone(timeZone: string): void {
  formatterOf(timeZone)
}

/**
 * '2026-03-01 10:15:00.250' in America/Argentina/Buenos_Aires becomes
 * '2026-03-01T10:15:00.250-03:00'. A wall time that a DST change skips or
 * repeats takes the offset in force just before it.
 */
export function wallClockToIso(wall: string, timeZone: string): string {
  const match = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(\.\d{1,3})?$/.exec(wall)
  if (!match) throw new LabsyncError('LABSYNC_DATABASE', `not a canonical datetime: ${JSON.stringify(wall)}`)
  const millis = (match[3] ?? '.000').padEnd(4, '0')
  const naive = Date.parse(`${match[1]}T${match[2]}${millis}Z`)
  // Two rounds: the offset at the naive instant, then at the instant that offset points to.
  const first = zoneOffsetMinutes(timeZone, naive)
  const offset = zoneOffsetMinutes(timeZone, naive - first * 60_000)
  return `${match[1]}T${match[2]}${millis}${formatOffset(offset)}`
}

export function wallClockToIsoOrNull(wall: string | null, timeZone: string): string | null {
  return wall === null ? null : wallClockToIso(wall, timeZone)
}

function formatOffset(minutes: number): string {
  const sign = minutes < 0 ? '-' : '+'
  const absolute = Math.abs(minutes)
  return `${sign}${String(Math.floor(absolute / 60)).padStart(2, '0')}:${String(absolute % 60).padStart(2, '0')}`
}
