// Browser tests of the dashboard: Debian's chromium driven by playwright-core,
// against a running server (the mock: `npm run mock`; or `touchpoint serve`).
// Every number on screen is checked against the API's own JSON, fetched here.
//
// Env: TOUCHPOINT_URL (default http://127.0.0.1:7071), TOUCHPOINT_KEY
// (default tp_read_mock), TOUCHPOINT_ARTIFACTS (screenshots and exports,
// default web/test-artifacts), CHROMIUM (default /usr/bin/chromium).

import { test, before, after, describe } from 'node:test'
import assert from 'node:assert/strict'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium } from 'playwright-core'

const baseUrl = (process.env.TOUCHPOINT_URL ?? 'http://127.0.0.1:7071').replace(/\/$/, '')
const key = process.env.TOUCHPOINT_KEY ?? 'tp_read_mock'
const artifacts = process.env.TOUCHPOINT_ARTIFACTS ?? join(dirname(fileURLToPath(import.meta.url)), '..', 'test-artifacts')
const executablePath = process.env.CHROMIUM ?? '/usr/bin/chromium'
mkdirSync(artifacts, { recursive: true })

// The dashboard's formatting (src/format.ts), repeated here so the test does
// not trust the code under test.
const integer = (n) => (n === null || n === undefined ? '–' : new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 }).format(n))
const percent = (share, digits = 1) => (share === null || share === undefined ? '–' : `${(share * 100).toFixed(digits)} %`)
const signed = (v) => (v === null || v === undefined ? '–' : v > 0 ? `+${v.toFixed(2)}` : v.toFixed(2).replace('-', '−'))
const emotionText = (e) => (e ? `${signed(e.mean)} [${signed(e.lo ?? e.low)}, ${signed(e.hi ?? e.high)}]` : '–')

async function api(path) {
  const response = await fetch(`${baseUrl}/api/${path}`, { headers: { Authorization: `Bearer ${key}` } })
  const body = await response.text()
  // Customer keys may come as numbers in older answers: keep them exact.
  const json = JSON.parse(body.replace(/"(customer_keys|drop_off_keys)":\s*\[([^\]]*)\]/g, (_, f, l) => `"${f}":[${l.split(',').map((s) => s.trim()).filter(Boolean).map((s) => (s.startsWith('"') ? s : `"${s}"`)).join(',')}]`))
  return { status: response.status, json }
}

const chartSeries = (page, name) => page.evaluate((n) => window.__touchpoint.chartSeries(n), name)

let browser
const report = {}

/**
 * True when the server lists /api/agents but keeps no agent states (404): the
 * customer view then meets a 404 for the agent's lane, which the browser logs.
 */
let agentsMissing = false
before(async () => {
  agentsMissing = (await fetch(`${baseUrl}/api/agents`, { headers: { Authorization: `Bearer ${key}` } })).status === 404
  browser = await chromium.launch({ executablePath, headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage'] })
})
after(async () => {
  await browser?.close()
  writeFileSync(join(artifacts, 'report.json'), JSON.stringify(report, null, 2) + '\n')
  console.log('report:', JSON.stringify(report))
})

/** A fresh page that records console errors and uncaught exceptions. */
async function openPage({ width = 1600, height = 1000, allowedErrors = [] } = {}) {
  const context = await browser.newContext({ viewport: { width, height }, acceptDownloads: true, deviceScaleFactor: 1 })
  const page = await context.newPage()
  const errors = []
  page.on('console', (message) => {
    if (message.type() !== 'error') return
    const text = message.text()
    if (allowedErrors.some((pattern) => pattern.test(text))) return
    if (agentsMissing && /Failed to load resource: the server responded with a status of 404/.test(text)) return
    errors.push(text)
  })
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`))
  return {
    page,
    errors,
    async close() {
      assert.deepEqual(errors, [], 'no console errors')
      await context.close()
    },
  }
}

const cardValue = (page, touchpoint, metric, series = 0) =>
  page
    .locator(`[data-testid="tp-card"][data-touchpoint="${touchpoint}"] [data-metric="${metric}"][data-series="${series}"]`)
    .innerText()
    .then((text) => text.replace(/\s+/g, ' ').trim())

async function checkCards(page, map, series = 0) {
  for (const t of map.touchpoints) {
    assert.equal(await cardValue(page, t.touchpoint, 'events', series), integer(t.events), `${t.touchpoint} events`)
    assert.equal(await cardValue(page, t.touchpoint, 'customers', series), integer(t.customers), `${t.touchpoint} customers`)
    assert.equal(await cardValue(page, t.touchpoint, 'drop_off', series), percent(t.drop_off), `${t.touchpoint} drop-off`)
    assert.equal(await cardValue(page, t.touchpoint, 'emotion', series), emotionText(t.emotion), `${t.touchpoint} emotion`)
  }
}

describe('touchpoint dashboard', () => {
  test('asks for the read key when there is none, then opens the map', async () => {
    const { page, close } = await openPage()
    await page.goto(`${baseUrl}/#/map`)
    await page.getByTestId('key-form').waitFor()
    await page.screenshot({ path: join(artifacts, 'key-form.png') })
    await page.fill('#api-key', key)
    await page.press('#api-key', 'Enter')
    await page.getByTestId('journey-map').waitFor()
    await close()
  })

  test('a refused key brings back the key form with the reason', async () => {
    const { page, close } = await openPage({ allowedErrors: [/Failed to load resource/] })
    await page.goto(`${baseUrl}/#/funnel?key=not-a-valid-key`)
    await page.getByTestId('key-form').waitFor()
    assert.match(await page.getByTestId('key-form').innerText(), /refused the key/)
    assert.equal(await page.evaluate(() => sessionStorage.getItem('touchpoint.read_key')), null)
    await close()
  })

  test('journey map shows every touchpoint with the API numbers, the stages and the cycle', async () => {
    const { json: meta } = await api('meta')
    const { json: map } = await api('map')
    const { page, close } = await openPage()
    await page.goto(`${baseUrl}/#key=${encodeURIComponent(key)}`)
    await page.getByTestId('journey-map').waitFor()
    await page.waitForSelector('[data-chart="emotion-curve"][data-rendered="true"]')
    const renderedAtMs = Number(await page.locator('.map-content').getAttribute('data-rendered-at-ms'))
    report.map_first_render_ms = renderedAtMs
    assert.ok(renderedAtMs > 0)
    // The key left the address bar; the route stayed.
    assert.equal(new URL(page.url()).hash, '#/map')
    assert.equal(await page.evaluate(() => sessionStorage.getItem('touchpoint.read_key')), key)
    // Navigation shows the five views and nothing else.
    assert.deepEqual(await page.locator('.nav-link').allInnerTexts(), ['Journey map', 'Paths', 'Funnels', 'Return journey', 'Insights', 'Contact centre', 'Customers'])
    const stages = await page.locator('.stage-column').evaluateAll((columns) => columns.map((c) => c.getAttribute('data-stage')))
    assert.deepEqual(stages, meta.stages)
    assert.equal(await page.getByTestId('cycle-arrow').count(), meta.cycle ? 1 : 0)
    assert.equal(await page.getByTestId('tp-card').count(), new Set([...map.touchpoints.map((t) => t.touchpoint), ...meta.touchpoints.map((t) => t.touchpoint)]).size)
    await checkCards(page, map)
    // Every card sits in its stage's column.
    for (const t of map.touchpoints) {
      assert.equal(await page.locator(`.stage-column[data-stage="${t.stage}"] [data-touchpoint="${t.touchpoint}"]`).count(), 1, `${t.touchpoint} in ${t.stage}`)
    }
    assert.ok((await page.locator('[data-pain="true"]').count()) > 0, 'some pain points are marked')
    await page.screenshot({ path: join(artifacts, 'map.png'), fullPage: true })
    await close()
  })

  test('switching and comparing personas changes the map', async () => {
    const { json: meta } = await api('meta')
    const [first, second] = meta.personas.map((p) => p.name)
    const { json: mapFirst } = await api(`map?persona=${first}`)
    const { json: mapSecond } = await api(`map?persona=${second}`)
    const { json: mapAll } = await api('map')
    const { page, close } = await openPage()
    await page.goto(`${baseUrl}/#/map?key=${encodeURIComponent(key)}`)
    await page.getByTestId('journey-map').waitFor()
    const probe = mapAll.touchpoints.find((t) => mapFirst.touchpoints.find((u) => u.touchpoint === t.touchpoint)?.customers !== t.customers)
    assert.ok(probe, 'the persona differs from all customers somewhere')
    assert.equal(await cardValue(page, probe.touchpoint, 'customers'), integer(probe.customers))
    await page.selectOption('[data-testid="persona-select"]', first)
    await page.waitForFunction(([tp, text]) => document.querySelector(`[data-touchpoint="${tp}"] [data-metric="customers"][data-series="0"]`)?.textContent === text, [probe.touchpoint, integer(mapFirst.touchpoints.find((t) => t.touchpoint === probe.touchpoint).customers)])
    await checkCards(page, mapFirst)
    assert.match(new URL(page.url()).hash, new RegExp(`persona=${first}`))
    // The panel follows the persona.
    const { json: personaDetail } = await api(`touchpoints/${probe.touchpoint}?persona=${first}`)
    await page.locator(`[data-testid="tp-card"][data-touchpoint="${probe.touchpoint}"]`).click()
    await page.locator('[data-testid="tp-panel"] [data-metric="events"]').waitFor()
    assert.equal(await page.locator('[data-testid="tp-panel"] [data-metric="events"]').innerText(), integer(personaDetail.events))
    assert.equal(await page.locator('[data-testid="tp-panel"] [data-metric="customers"]').innerText(), integer(personaDetail.customers))
    await page.keyboard.press('Escape')
    await page.selectOption('[data-testid="compare-select"]', second)
    await page.waitForSelector('[data-metric="customers"][data-series="1"]')
    await page.waitForSelector('[data-chart="emotion-curve"][data-rendered="true"]')
    await checkCards(page, mapFirst, 0)
    await checkCards(page, mapSecond, 1)
    const legend = await page.getByTestId('map-legend').innerText()
    assert.match(legend, new RegExp(`${integer(mapFirst.customers)} customers`))
    assert.match(legend, new RegExp(`${integer(mapSecond.customers)} customers`))
    await page.screenshot({ path: join(artifacts, 'map-compare.png'), fullPage: true })
    await close()
  })

  test('a touchpoint card opens its panel by keyboard; a customer there opens the customer view', async () => {
    const { json: map } = await api('map')
    const busiest = [...map.touchpoints].sort((a, b) => b.customers - a.customers)[0]
    const { json: detail } = await api(`touchpoints/${busiest.touchpoint}`)
    const { page, close } = await openPage()
    await page.goto(`${baseUrl}/#key=${encodeURIComponent(key)}`)
    const card = page.locator(`[data-testid="tp-card"][data-touchpoint="${busiest.touchpoint}"]`)
    await card.focus()
    await page.keyboard.press('Enter')
    const panel = page.getByTestId('tp-panel')
    await panel.locator('[data-metric="events"]').waitFor()
    assert.equal(await panel.locator('[data-metric="events"]').innerText(), integer(detail.events))
    assert.equal(await panel.locator('[data-metric="customers"]').innerText(), integer(detail.customers))
    const keys = detail.customer_keys ?? []
    assert.equal(await panel.locator('[data-testid="tp-customers"] a').count(), keys.length)
    assert.equal(await panel.locator('[data-testid="transitions-in"] tbody tr').count(), Math.min(12, detail.incoming.length))
    await page.screenshot({ path: join(artifacts, 'map-panel.png') })
    await page.keyboard.press('Escape')
    assert.equal(await panel.count(), 0)
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-touchpoint')), busiest.touchpoint, 'focus returns to the card')
    await page.keyboard.press('Space')
    await panel.locator('[data-testid="tp-customers"] a').first().click()
    await page.getByTestId('customer-header').waitFor()
    assert.equal(await page.getByTestId('customer-header').getAttribute('data-customer'), String(keys[0]))
    await close()
  })

  test('paths: the Sankey shows the graph and hovering an edge shows its numbers', async () => {
    const { json: paths } = await api('paths?max_steps=5&max_edges=50&session_gap=30m')
    const { page, close } = await openPage()
    await page.goto(`${baseUrl}/#/paths?key=${encodeURIComponent(key)}`)
    await page.waitForSelector('[data-chart="paths-sankey"][data-rendered="true"]')
    assert.equal(await page.locator('[data-metric="paths"]').innerText(), integer(paths.paths))
    assert.equal(await page.locator('[data-metric="customers"]').innerText(), integer(paths.customers))
    const dropOffs = paths.edges.filter((e) => e.kind === 'drop_off').reduce((sum, e) => sum + e.count, 0)
    assert.ok(dropOffs > 0, 'the answer has drop-off edges')
    assert.equal(await page.locator('[data-metric="drop_offs"]').innerText(), integer(dropOffs))
    await page.waitForTimeout(600) // the layout animation
    const edgeIndex = paths.edges.reduce((best, e, i) => (e.kind === 'transition' && e.count > paths.edges[best].count ? i : best), 0)
    const edge = paths.edges[edgeIndex]
    const point = await page.evaluate((i) => window.__touchpoint.sankeyEdgePoint(i), edgeIndex)
    assert.ok(point, 'edge is on screen')
    await page.mouse.move(point.x - 20, point.y - 20)
    await page.mouse.move(point.x, point.y, { steps: 5 })
    const tooltip = page.locator('[data-tip="count"]')
    await tooltip.waitFor({ state: 'visible' })
    assert.equal(await tooltip.innerText(), integer(edge.count))
    assert.equal(await page.locator('[data-tip="customers"]').innerText(), integer(edge.customers))
    assert.ok(await page.locator('[data-tip="median"]').isVisible(), 'duration median shown')
    await page.screenshot({ path: join(artifacts, 'paths.png'), fullPage: true })
    await close()
  })

  test('funnel: steps, drop-off and dropped customers match the API; breakdown by channel', async () => {
    const steps = 'product_page,cart,checkout,order_confirmation_email'
    const { json: funnel } = await api(`funnel?steps=${steps}&window=14d&mode=ordered`)
    const { json: byChannel } = await api(`funnel?steps=${steps}&window=14d&mode=ordered&breakdown=channel&attribution=first`)
    const { page, close } = await openPage()
    await page.goto(`${baseUrl}/#/funnel?key=${encodeURIComponent(key)}`)
    await page.waitForSelector('[data-chart="funnel-conversion"][data-rendered="true"]')
    const rows = page.locator('[data-testid="funnel-table"] tbody tr')
    assert.equal(await rows.count(), funnel.steps.length)
    for (const [i, step] of funnel.steps.entries()) {
      assert.equal(await rows.nth(i).locator('[data-metric="customers"]').innerText(), integer(step.customers))
      assert.equal(await rows.nth(i).locator('[data-metric="conversion"]').innerText(), percent(step.conversion))
      assert.equal(await rows.nth(i).locator('[data-metric="drop_off"]').innerText(), integer(step.drop_off))
    }
    const droppedLinks = await page.locator('[data-testid="dropped"] a').evaluateAll((links) => links.map((a) => a.textContent))
    assert.deepEqual(droppedLinks, funnel.steps.slice(1).flatMap((s) => s.drop_off_keys.map(String)))
    if (funnel.histogram.length) await page.waitForSelector('[data-chart="funnel-time-to-convert"][data-rendered="true"]')
    await page.screenshot({ path: join(artifacts, 'funnel.png'), fullPage: true })
    await page.selectOption('[aria-label="Breakdown"]', 'channel')
    await page.click('[data-testid="funnel-form"] button[type="submit"]')
    await page.waitForFunction(() => /by /.test(document.querySelector('.chart-card .card-subtitle')?.textContent ?? ''))
    const subtitle = await page.locator('.chart-card .card-subtitle').first().innerText()
    const humanize = (name) => name.charAt(0).toUpperCase() + name.slice(1).replace(/_/g, ' ')
    for (const b of byChannel.breakdowns) assert.ok(subtitle.includes(humanize(b.value)), `breakdown ${b.value} shown`)
    await page.waitForSelector('[data-chart="funnel-conversion"][data-rendered="true"]')
    await page.screenshot({ path: join(artifacts, 'funnel-breakdown.png'), fullPage: true })
    // A dropped customer opens the customer view.
    await page.locator('[data-testid="dropped"] a').first().click()
    await page.getByTestId('customer-header').waitFor()
    await close()
  })

  test('customer: search finds a customer; the timeline and event list match the API', async () => {
    const { json: funnel } = await api('funnel?steps=product_page,cart,checkout,order_confirmation_email')
    const customerKey = String(funnel.steps[1].drop_off_keys[0])
    const { json: customer } = await api(`customers/${customerKey}`)
    const query = customer.distinct_ids[0]
    const { json: found } = await api(`customers?q=${encodeURIComponent(query)}`)
    assert.ok(found.some((c) => c.customer === customerKey))
    const { page, close } = await openPage()
    await page.goto(`${baseUrl}/#/customer?key=${encodeURIComponent(key)}`)
    await page.fill('[data-testid="customer-search"]', query)
    await page.press('[data-testid="customer-search"]', 'Enter')
    const link = page.locator(`[data-testid="customer-results"] a`, { hasText: customerKey })
    await link.click()
    await page.waitForSelector('[data-chart="customer-timeline"][data-rendered="true"]')
    assert.equal(await page.getByTestId('customer-header').getAttribute('data-customer'), customerKey)
    assert.equal(await page.locator('[data-testid="customer-header"] [data-metric="events"]').innerText(), integer(customer.events.length))
    assert.equal(await page.locator('[data-testid="customer-events"] tbody tr').count(), customer.events.length)
    assert.equal(await page.locator('[data-testid="identities"] tbody tr').count(), customer.identities.length)
    await page.screenshot({ path: join(artifacts, 'customer.png'), fullPage: true })
    await page.getByRole('button', { name: 'By channel', exact: true }).click()
    await page.waitForSelector('[data-chart="customer-timeline"][data-rendered="true"]')
    await page.screenshot({ path: join(artifacts, 'customer-by-channel.png'), fullPage: true })
    await close()
  })

  test('customer: at a contact, the agent lane beside the customer matches /api/agents/{agent}/timeline (left out when the server has none)', async () => {
    // A customer with a contact event: among the first funnel drop-offs and the keys the touchpoint of a human channel lists.
    const { json: meta } = await api('meta')
    const human = meta.touchpoints.filter((t) => t.kind === 'human').map((t) => t.touchpoint)
    let customer = null
    for (const touchpoint of human) {
      const { json: detail } = await api(`touchpoints/${touchpoint}`)
      for (const k of (detail.customer_keys ?? []).slice(0, 10)) {
        const { json } = await api(`customers/${k}`)
        if (json.events.some((e) => e.agent)) {
          customer = json
          break
        }
      }
      if (customer) break
    }
    assert.ok(customer, 'the demo data has a customer with a contact')
    const contact = customer.events.find((e) => e.agent)
    const at = new Date(contact.ts).getTime()
    const from = new Date(at - 15 * 60 * 1000).toISOString()
    const to = new Date(at + 15 * 60 * 1000).toISOString()
    const response = await fetch(`${baseUrl}/api/agents/${encodeURIComponent(contact.agent)}/timeline?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`, { headers: { Authorization: `Bearer ${key}` } })
    const { page, close } = await openPage({ allowedErrors: response.status === 404 ? [/Failed to load resource: the server responded with a status of 404/] : [] })
    await page.goto(`${baseUrl}/#/customer/${customer.customer}?key=${encodeURIComponent(key)}`)
    await page.waitForSelector('[data-chart="customer-timeline"][data-rendered="true"]')
    const section = page.getByTestId('agent-lane-section')
    await page.waitForSelector('[data-testid="agent-lane-section"][data-ready]', { state: 'attached' })
    if (response.status === 404) {
      assert.equal(await section.getAttribute('data-ready'), 'unavailable')
      assert.ok(await section.isHidden(), 'no lane without agent states')
      await close()
      return
    }
    assert.equal(response.status, 200)
    const timeline = await response.json()
    assert.equal(await section.getAttribute('data-ready'), 'true')
    assert.equal(await section.getAttribute('data-agent'), contact.agent)
    await page.waitForSelector('[data-chart="agent-lane"][data-rendered="true"]')
    const series = await chartSeries(page, 'agent-lane')
    const spells = series.filter((s) => s.name !== 'Customer events' && s.name !== 'Agent steps')
    assert.equal(spells.reduce((n, s) => n + s.data.length, 0), timeline.spells.length, 'one bar per spell')
    const inWindow = (ts) => new Date(ts).getTime() >= at - 15 * 60 * 1000 && new Date(ts).getTime() <= at + 15 * 60 * 1000
    assert.equal(series.find((s) => s.name === 'Customer events').data.length, customer.events.filter((e) => inWindow(e.ts)).length)
    assert.equal(series.find((s) => s.name === 'Agent steps').data.length, timeline.events.filter((e) => inWindow(e.ts)).length)
    await section.screenshot({ path: join(artifacts, 'customer-agent-lane.png') })
    await close()
  })

  test('API errors show the problem+json detail', async () => {
    const { status, json: problem } = await api('customers/0')
    assert.ok(status >= 400, 'customer 0 does not exist')
    const { page, close } = await openPage({ allowedErrors: [/Failed to load resource/] })
    await page.goto(`${baseUrl}/#/customer/0?key=${encodeURIComponent(key)}`)
    const alert = page.locator('.state-error')
    await alert.waitFor()
    assert.ok((await alert.innerText()).includes(problem.detail), 'detail shown')
    await page.screenshot({ path: join(artifacts, 'error.png') })
    await close()
  })

  test('charts export as PNG and SVG files', async () => {
    const { page, close } = await openPage()
    await page.goto(`${baseUrl}/#key=${encodeURIComponent(key)}`)
    await page.waitForSelector('[data-chart="emotion-curve"][data-rendered="true"]')
    const card = page.locator('.chart-card', { has: page.locator('[data-chart="emotion-curve"]') })
    for (const type of ['png', 'svg']) {
      const [download] = await Promise.all([page.waitForEvent('download'), card.locator(`[data-export="${type}"]`).click()])
      const path = join(artifacts, `export-emotion-curve.${type}`)
      await download.saveAs(path)
      const bytes = readFileSync(path)
      if (type === 'png') assert.deepEqual([...bytes.subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47])
      else assert.match(bytes.toString('utf8', 0, 200), /<svg/)
      assert.ok(bytes.length > 1000, `${type} has content`)
    }
    await page.goto(`${baseUrl}/#/paths`)
    await page.waitForSelector('[data-chart="paths-sankey"][data-rendered="true"]')
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('[data-export="svg"]').first().click()])
    await download.saveAs(join(artifacts, 'export-paths.svg'))
    assert.match(readFileSync(join(artifacts, 'export-paths.svg'), 'utf8'), /<svg[\s\S]*<path/)
    // The printable map.
    await page.goto(`${baseUrl}/#/map`)
    await page.getByTestId('journey-map').waitFor()
    await page.emulateMedia({ media: 'print' })
    assert.equal(await page.locator('.app-header').isVisible(), false, 'print hides the app chrome')
    await page.setViewportSize({ width: 1587, height: 1122 }) // A3 landscape at 96 dpi
    await page.waitForTimeout(300)
    await page.screenshot({ path: join(artifacts, 'map-print.png'), fullPage: true })
    await page.pdf({ path: join(artifacts, 'map-print.pdf'), format: 'A3', landscape: true, printBackground: true })
    await close()
  })

  test('laptop: 1366×768 lays out every view without errors', async () => {
    const { page, close } = await openPage({ width: 1366, height: 768 })
    await page.goto(`${baseUrl}/#key=${encodeURIComponent(key)}`)
    await page.waitForSelector('[data-chart="emotion-curve"][data-rendered="true"]')
    await page.screenshot({ path: join(artifacts, 'laptop-map.png') })
    for (const view of ['paths', 'funnel']) {
      await page.goto(`${baseUrl}/#/${view}`)
      await page.waitForSelector('.chart[data-rendered="true"]')
      await page.screenshot({ path: join(artifacts, `laptop-${view}.png`) })
    }
    await close()
  })

  test('projector: large type at 1280×720 stays usable', async () => {
    const { page, close } = await openPage({ width: 1280, height: 720 })
    await page.goto(`${baseUrl}/#key=${encodeURIComponent(key)}`)
    await page.getByTestId('journey-map').waitFor()
    await page.getByTestId('large-type').click()
    await page.getByTestId('journey-map').waitFor()
    assert.equal(await page.evaluate(() => getComputedStyle(document.documentElement).fontSize), '20px')
    await page.waitForSelector('[data-chart="emotion-curve"][data-rendered="true"]')
    await page.screenshot({ path: join(artifacts, 'map-large-type.png') })
    await close()
  })
})
