import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { FastifyInstance } from 'fastify'
import { chromium, type BrowserContext } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { listenMonitor } from '../../src/server/listen-monitor.js'
import type { Scenario } from '../support/scenario.js'
import { EXPECTED_OVERDUE, EXPECTED_STATUS, buildMonitor, createMonitorNetwork } from './monitor-network.js'

/**
 * The dashboard in a real headless Chromium (Debian's, never a downloaded
 * one: .ci/run installs it). The screenshots are kept in test-artifacts/.
 */
const CHROMIUM = '/usr/bin/chromium'
const ARTIFACTS = path.resolve('test-artifacts')

/** Debian's Chromium with a fresh profile folder, headless, with nothing that calls out. */
function launch(profile: string, locale: string): Promise<BrowserContext> {
  return chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    locale,
    viewport: { width: 1280, height: 900 },
  })
}

describe('monitor dashboard in headless Chromium', () => {
  let scenario: Scenario
  let app: FastifyInstance
  let base: string
  let browser: BrowserContext
  let profile: string

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get update && apt-get install -y chromium`)
    scenario = await createMonitorNetwork('sqlite')
    app = await buildMonitor(scenario)
    base = await listenMonitor(app, '127.0.0.1', 0)
    profile = mkdtempSync(path.join(tmpdir(), 'labsync-chromium-'))
    browser = await launch(profile, 'es-AR')
    mkdirSync(ARTIFACTS, { recursive: true })
  })

  afterAll(async () => {
    await browser?.close()
    await app?.close()
    await scenario?.drop()
    if (profile) rmSync(profile, { recursive: true, force: true })
  })

  it('lists every hospital with its state and marks the stale and overdue ones in red', async () => {
    const page = await browser.newPage()
    const response = await page.goto(base)
    expect(response?.status()).toBe(200)
    expect(await page.getAttribute('html', 'lang')).toBe('es')
    const rows = page.locator('tr.efector')
    expect(await rows.count()).toBe(Object.keys(EXPECTED_STATUS).length)
    for (const [id, status] of Object.entries(EXPECTED_STATUS)) {
      const row = page.locator(`tr[data-efector="${id}"]`)
      expect(await row.getAttribute('data-status')).toBe(status)
      expect({ id, marked: await row.locator('.alert-mark').count() }).toEqual({
        id,
        marked: EXPECTED_OVERDUE.has(Number(id)) ? 1 : 0,
      })
    }
    const stale = page.locator('tr[data-efector="105"]')
    expect(await stale.locator('.badge').innerText()).toBe('colgado')
    expect(await stale.locator('.alert-mark').isVisible()).toBe(true)
    // Red, as the eye sees it: the mark's background and the row's left bar.
    expect(
      await stale.locator('.alert-mark').evaluate((node) => (globalThis as any).getComputedStyle(node).backgroundColor),
    ).toBe('rgb(192, 23, 27)')
    expect(await page.locator('tr[data-efector="101"] .badge').innerText()).toBe('al día')
    expect(await page.locator('tr[data-efector="107"] td').nth(3).innerText()).toBe('hace 3 h')

    // The last error in full, on demand.
    const failed = page.locator('tr[data-efector="106"] details.error')
    expect(await failed.locator('pre').isVisible()).toBe(false)
    await failed.locator('summary').click()
    expect(await failed.locator('pre').isVisible()).toBe(true)
    expect(await failed.locator('pre').innerText()).toContain('LABSYNC_TABLE_MISSING')
    expect(await page.locator('meta[http-equiv="refresh"]').getAttribute('content')).toBe('30')
    await page.screenshot({ path: path.join(ARTIFACTS, 'monitor-dashboard.png'), fullPage: true })
    await page.close()
  })

  it('switches language with the link, ?lang=en and the browser language', async () => {
    const page = await browser.newPage()
    await page.goto(base)
    await page.click('a.lang-switch')
    await page.waitForURL(/lang=en/)
    expect(await page.getAttribute('html', 'lang')).toBe('en')
    expect(await page.locator('tr[data-efector="105"] .badge').innerText()).toBe('stale')
    expect(await page.locator('tr[data-efector="102"] .badge').innerText()).toBe('pending import')
    expect(await page.locator('tr[data-efector="107"] td').nth(3).innerText()).toBe('3 h ago')
    await page.click('a.lang-switch')
    await page.waitForURL(/lang=es/)
    expect(await page.getAttribute('html', 'lang')).toBe('es')
    await page.close()

    // A browser whose language is English gets English without asking.
    const englishProfile = mkdtempSync(path.join(tmpdir(), 'labsync-chromium-'))
    const englishBrowser = await launch(englishProfile, 'en-US')
    try {
      const english = await englishBrowser.newPage()
      await english.goto(base)
      expect(await english.getAttribute('html', 'lang')).toBe('en')
      expect(await english.locator('th').first().innerText()).toMatch(/hospital/i)
    } finally {
      await englishBrowser.close()
      rmSync(englishProfile, { recursive: true, force: true })
    }
  })

  it('draws the chart of a hospital runs and lists them', async () => {
    const page = await browser.newPage()
    await page.goto(base)
    await page.click('tr[data-efector="106"] a')
    await page.waitForURL(/\/efectores\/106/)
    const runs = ((await (await fetch(`${base}api/efectores/106/runs`)).json()) as any).runs as Array<{
      id: number
      outcome: string
    }>
    expect(runs.length).toBe(4)
    const chart = page.locator('svg.chart')
    expect(await chart.isVisible()).toBe(true)
    const box = await chart.boundingBox()
    expect(box!.width).toBeGreaterThan(600)
    expect(await chart.locator('rect.bar').count()).toBe(runs.length)
    expect(await chart.locator('rect.bar.failed').count()).toBe(1)
    expect(await chart.locator('circle.dot').count()).toBe(runs.length)
    const barHeights = await chart
      .locator('rect.bar:not(.failed)')
      .evaluateAll((bars) => bars.map((bar) => (bar as any).getBBox().height))
    for (const height of barHeights) expect(height).toBeGreaterThan(10)
    expect(await page.locator('table.runs tbody tr').count()).toBe(runs.length)
    expect(await page.locator('table.runs tbody tr').first().getAttribute('data-outcome')).toBe('failed')
    await page.screenshot({ path: path.join(ARTIFACTS, 'monitor-efector-106.png'), fullPage: true })
    await page.close()
  })

  it('folds the table into cards on a phone', async () => {
    const page = await browser.newPage()
    await page.setViewportSize({ width: 390, height: 844 })
    await page.goto(base)
    const width = await page.evaluate(() => (globalThis as any).document.documentElement.scrollWidth)
    expect(width).toBeLessThanOrEqual(390)
    expect(
      await page
        .locator('tr.efector')
        .first()
        .evaluate((node) => (globalThis as any).getComputedStyle(node).display),
    ).toBe('block')
    expect(await page.locator('thead').evaluate((node) => node.getBoundingClientRect().right)).toBeLessThan(0)
    await page.screenshot({ path: path.join(ARTIFACTS, 'monitor-dashboard-phone.png'), fullPage: true })
    await page.close()
  })
})
