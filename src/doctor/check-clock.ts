import { sql } from 'kysely'
import { normaliseDatetime } from '../db/row-validator.js'
import type { Session } from '../db/session.js'
import { addMinutes, minutesBetween } from '../protocol/efector-state.js'
import { zoneOffsetMinutes } from '../server/wall-clock.js'
import { ok, problem, warning, type Finding } from './finding.js'

export interface ClockOptions {
  /** This machine's clock (milliseconds since 1970 UTC); a test may pass a skewed one. */
  now: () => number
  /** Largest difference that is not a problem. */
  maxSkewMs: number
  /** The configured time zone, in which the central wall clock is expected. */
  timeZone: string
}

/**
 * The difference between this machine's clock and the central server's,
 * as instants (time zones do not enter), and whether the central server's
 * wall clock, which every status timestamp uses, runs in the configured
 * time zone.
 */
export async function checkClock(session: Session, area: string, options: ClockOptions): Promise<Finding[]> {
  const before = options.now()
  const { rows } = await session.run<{ epoch: unknown; wall: unknown }>(
    sql`SELECT ${session.dialect.epochMilliseconds()} AS epoch, ${session.dialect.now()} AS wall`,
  )
  const after = options.now()
  const central = Number(rows[0].epoch)
  const skewMs = central - (before + after) / 2
  const findings: Finding[] = []
  const seconds = Math.abs(skewMs / 1000).toFixed(1)
  if (Math.abs(skewMs) > options.maxSkewMs) {
    findings.push(
      problem(
        area,
        `this machine's clock is ${seconds} s ${skewMs > 0 ? 'behind' : 'ahead of'} the central server's (round trip ${after - before} ms)`,
        'set both clocks from NTP: Linux `timedatectl set-ntp true` (or `chronyc makestep`), Windows `w32tm /resync`',
      ),
    )
  } else {
    findings.push(ok(area, `clock difference with the central server ${seconds} s`))
  }

  const expectedWall = wallClock(central, options.timeZone)
  const offsetMinutes = Math.round(minutesBetween(expectedWall, normaliseDatetime(rows[0].wall)))
  if (Math.abs(offsetMinutes) >= 15) {
    findings.push(
      warning(
        area,
        `the central server's wall clock is ${(offsetMinutes / 60).toFixed(2)} h off the time in ${options.timeZone}; status timestamps written by labsync and by legacy jobs must use the same zone`,
        `set the central server's time zone to ${options.timeZone} (PostgreSQL: ALTER DATABASE <db> SET timezone = '${options.timeZone}'; SQLite and SQL Server: the time zone of the server machine), or set timeZone in the configuration to the server's`,
      ),
    )
  }
  return findings
}

/** The wall-clock time of an instant in a time zone, as a canonical datetime. */
function wallClock(epochMs: number, timeZone: string): string {
  const utc = new Date(epochMs).toISOString().replace('T', ' ').slice(0, 23)
  return addMinutes(utc, zoneOffsetMinutes(timeZone, epochMs))
}
