import { describe, expect, it } from 'vitest'
import { alertThresholdMinutes, cronIntervalMinutes, scheduleMinutes } from '../../src/server/alert-threshold.js'
import { pickLang, timeAgo } from '../../src/server/i18n.js'
import { html } from '../../src/server/views/html.js'
import { niceCeiling } from '../../src/server/views/run-chart.js'
import { wallClockToIso } from '../../src/server/wall-clock.js'

describe('wall-clock times as ISO 8601 with offset', () => {
  it('gives Buenos Aires -03:00 all year', () => {
    expect(wallClockToIso('2026-01-15 10:15:00.250', 'America/Argentina/Buenos_Aires')).toBe(
      '2026-01-15T10:15:00.250-03:00',
    )
    expect(wallClockToIso('2026-07-15 23:59:59.999', 'America/Argentina/Buenos_Aires')).toBe(
      '2026-07-15T23:59:59.999-03:00',
    )
    expect(wallClockToIso('2001-01-01 00:00:00', 'America/Argentina/Buenos_Aires')).toBe(
      '2001-01-01T00:00:00.000-03:00',
    )
  })

  it('follows daylight saving time where the zone has it', () => {
    expect(wallClockToIso('2026-01-15 12:00:00.000', 'Europe/Madrid')).toBe('2026-01-15T12:00:00.000+01:00')
    expect(wallClockToIso('2026-07-15 12:00:00.000', 'Europe/Madrid')).toBe('2026-07-15T12:00:00.000+02:00')
    expect(wallClockToIso('2026-07-15 12:00:00.000', 'UTC')).toBe('2026-07-15T12:00:00.000+00:00')
    // The same instant, read back.
    expect(Date.parse(wallClockToIso('2026-03-29 03:30:00.000', 'Europe/Madrid'))).toBe(
      Date.parse('2026-03-29T01:30:00.000Z'),
    )
  })

  it('refuses an unknown zone with a configuration error', () => {
    expect(() => wallClockToIso('2026-01-15 10:15:00.000', 'Mars/Olympus')).toThrow(/timeZone/)
  })
})

describe('alert threshold', () => {
  it('takes the cron interval, the largest gap between runs', () => {
    const from = new Date('2026-12-02T12:00:00Z')
    expect(cronIntervalMinutes('*/15 * * * *', 'America/Argentina/Buenos_Aires', from)).toBe(15)
    expect(cronIntervalMinutes('0 * * * *', 'America/Argentina/Buenos_Aires', from)).toBe(60)
    expect(cronIntervalMinutes('0 2 * * 1-5', 'America/Argentina/Buenos_Aires', from)).toBe(3 * 24 * 60)
    expect(() => cronIntervalMinutes('every day', 'UTC', from)).toThrow(/importer.schedule/)
  })

  it('is the factor times the longest of cron, import and upload minimums, unless configured per hospital', () => {
    const rule = { importerIntervalMinutes: 15, factor: 2, overrides: { '7': 90 } }
    const row = (idEfector: number, principal: number | null, efector: number | null) => ({
      idEfector,
      minutosMinimoSyncPrincipal: principal,
      minutosMinimoSyncEfector: efector,
    })
    expect(scheduleMinutes(rule, row(1, null, null))).toBe(15)
    expect(alertThresholdMinutes(rule, row(1, null, null))).toBe(30)
    expect(alertThresholdMinutes(rule, row(1, 60, 10))).toBe(120)
    expect(alertThresholdMinutes(rule, row(1, 10, 45))).toBe(90)
    expect(alertThresholdMinutes(rule, row(7, 600, 600))).toBe(90)
  })
})

describe('languages and words', () => {
  it('picks Spanish unless asked or the browser prefers English', () => {
    expect(pickLang(undefined, undefined)).toBe('es')
    expect(pickLang(undefined, 'en-US,en;q=0.9')).toBe('en')
    expect(pickLang(undefined, 'es-AR,es;q=0.9,en;q=0.8')).toBe('es')
    expect(pickLang(undefined, 'en;q=0.4,es;q=0.6')).toBe('es')
    expect(pickLang(undefined, 'fr-FR,de')).toBe('es')
    expect(pickLang('en', 'es-AR')).toBe('en')
    expect(pickLang('es', 'en-US')).toBe('es')
    expect(pickLang('xx', 'en-US')).toBe('en')
  })

  it('says how long ago in words', () => {
    expect(timeAgo(12 * 60 + 5, 'es')).toBe('hace 12 min')
    expect(timeAgo(12 * 60 + 5, 'en')).toBe('12 min ago')
    expect(timeAgo(3, 'es')).toBe('recién')
    expect(timeAgo(42, 'en')).toBe('42 s ago')
    expect(timeAgo(3 * 3600, 'es')).toBe('hace 3 h')
    expect(timeAgo(47 * 3600, 'en')).toBe('47 h ago')
    expect(timeAgo(3 * 86400, 'es')).toBe('hace 3 días')
    expect(timeAgo(2 * 86400 + 1, 'en')).toBe('2 days ago')
    expect(timeAgo(null, 'es')).toBe('nunca')
  })
})

describe('html views', () => {
  it('escapes every value read from the database', () => {
    const name = '<script>alert("x")</script> & co'
    expect(html`<td title="${name}">${name}</td>`.text).toBe(
      '<td title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co</td>',
    )
    expect(html`<ul>${['a<', 'b'].map((item) => html`<li>${item}</li>`)}</ul>`.text).toBe(
      '<ul><li>a&lt;</li><li>b</li></ul>',
    )
  })

  it('rounds the chart axis up to 1, 2 or 5 times a power of ten', () => {
    expect(niceCeiling(1)).toBe(1)
    expect(niceCeiling(2859)).toBe(5000)
    expect(niceCeiling(0.016)).toBe(0.02)
    expect(niceCeiling(100)).toBe(100)
    expect(niceCeiling(101)).toBe(200)
  })
})
