// Browser tests of the return-journey view (`#/return`): the retention
// triangle, the lifecycle bars and the customer-value models, every number
// checked against the API's JSON fetched here. Same environment as
// browser.test.mjs (TOUCHPOINT_URL, TOUCHPOINT_KEY, TOUCHPOINT_ARTIFACTS,
// CHROMIUM).

import { test, before, after, describe } from 'node:test'
import assert from 'node:assert/strict'
import { mkdirSync, readFileSync } from 'node:fs'
import { join, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium } from 'playwright-core'

const baseUrl = (process.env.TOUCHPOINT_URL ?? 'http://127.0.0.1:7071').replace(/\/$/, '')
const key = process.env.TOUCHPOINT_KEY ?? 'tp_read_mock'
const artifacts = process.env.TOUCHPOINT_ARTIFACTS ?? join(dirname(fileURLToPath(import.meta.url)), '..', 'test-artifacts')
const executablePath = process.env.CHROMIUM ?? '/usr/bin/chromium'
mkdirSync(artifacts, { recursive: true })

// The dashboard's formatting (src/format.ts), repeated so the test does not
// trust the code under test.
const integer = (n) => (n === null || n === undefined ? '–' : new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 }).format(n))
const percent = (share, digits = 1) => (share === null || share === undefined ? '–' : `${(share * 100).toFixed(digits)} %`)
const decimal = (v) => (v === null || v === undefined ? '–' : new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(v))

async function api(path) {
  const response = await fetch(`${baseUrl}/api/${path}`, { headers: { Authorization: `Bearer ${key}` } })
  return { status: response.status, json: await response.json() }
}

/** The API query of the view's defaults, plus changes. */
const retentionPath = (changes = {}) => {
  const query = { retention_type: 'first_time', period: 'week', periods: 12, cumulative: false, reference: 'total', ...changes }
  return `retention?${new URLSearchParams(Object.entries(query).map(([k, v]) => [k, String(v)]))}`
}

let browser
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
})

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
    async close() {
      assert.deepEqual(errors, [], 'no console errors')
      await context.close()
    },
  }
}

/** Waits for the triangle of a report's settings and checks every cell against the report's group. */
async function checkTriangle(page, report, group = 'all') {
  const selector = `[data-testid="triangle"][data-period="${report.period}"][data-retention-type="${report.retention_type}"][data-cumulative="${report.cumulative}"][data-reference="${report.reference}"][data-group="${group}"]`
  await page.waitForSelector(selector)
  const cohorts = report.groups.find((g) => g.group === group).cohorts
  const rows = await page.locator(`${selector} tbody tr`).evaluateAll((trs) =>
    trs.map((tr) => ({
      start: tr.getAttribute('data-cohort-start'),
      size: tr.querySelector('[data-metric="size"]').textContent,
      cells: [...tr.querySelectorAll('td[data-period]')].map((td) => ({ period: Number(td.dataset.period), share: td.querySelector('[data-metric="share"]').textContent, value: td.querySelector('[data-metric="value"]').textContent })),
    })),
  )
  assert.equal(rows.length, cohorts.length, 'one row per cohort')
  for (const [i, cohort] of cohorts.entries()) {
    const row = rows[i]
    assert.equal(row.start, cohort.cohort_start)
    assert.equal(row.size, integer(cohort.size), `${cohort.cohort_start} size`)
    assert.equal(row.cells.length, cohort.values.length, `${cohort.cohort_start}: one cell per value (a triangle)`)
    for (const [k, value] of cohort.values.entries()) {
      assert.equal(row.cells[k].period, k)
      assert.equal(row.cells[k].value, integer(value), `${cohort.cohort_start} period ${k} count`)
      assert.equal(row.cells[k].share, percent(cohort.shares[k]), `${cohort.cohort_start} period ${k} share`)
    }
  }
  return rows
}

const chartSeries = (page, name) => page.evaluate((n) => window.__touchpoint.chartSeries(n), name)

describe('return journey', () => {
  test('the navigation leads to the view; the triangle, the lifecycle and the groups match the API', async () => {
    const { json: meta } = await api('meta')
    const { json: retention } = await api(retentionPath())
    const { json: lifecycle } = await api('lifecycle?period=week&periods=12')
    assert.ok(retention.groups.length === meta.personas.length + 1, 'all customers and every persona')
    const { page, close } = await openPage()
    await page.goto(`${baseUrl}/#/map?key=${encodeURIComponent(key)}`)
    await page.getByTestId('journey-map').waitFor()
    await page.locator('.nav-link', { hasText: 'Return journey' }).click()
    assert.equal(new URL(page.url()).hash, '#/return')
    await checkTriangle(page, retention)
    assert.equal(await page.locator('.nav-link[aria-current="page"]').innerText(), 'Return journey')
    // Lifecycle: new, returning, resurrecting stacked above the axis, dormant below.
    await page.waitForSelector('[data-chart="lifecycle"][data-rendered="true"]')
    const all = lifecycle.groups.find((g) => g.group === 'all').periods
    const series = await chartSeries(page, 'lifecycle')
    assert.deepEqual(series.map((s) => s.name), ['New', 'Returning', 'Resurrecting', 'Dormant'])
    assert.deepEqual(series[0].data, all.map((p) => p.new))
    assert.deepEqual(series[1].data, all.map((p) => p.returning))
    assert.deepEqual(series[2].data, all.map((p) => p.resurrecting))
    assert.deepEqual(series[3].data, all.map((p) => -p.dormant))
    assert.ok(all.some((p) => p.dormant > 0), 'the fixture has dormant customers to draw below the axis')
    await page.waitForSelector('[data-chart="value-scatter"][data-rendered="true"]')
    await page.screenshot({ path: join(artifacts, 'return.png'), fullPage: true })
    // The group selector switches among the report's groups without a new request.
    const persona = meta.personas[0].name
    let requests = 0
    page.on('request', (request) => {
      if (/\/api\/(retention|lifecycle)/.test(request.url())) requests += 1
    })
    await page.selectOption('[data-testid="group-select"]', persona)
    await checkTriangle(page, retention, persona)
    const personaSeries = await chartSeries(page, 'lifecycle')
    assert.deepEqual(personaSeries[0].data, lifecycle.groups.find((g) => g.group === persona).periods.map((p) => p.new))
    assert.equal(requests, 0, 'the groups come from the same report')
    assert.match(new URL(page.url()).hash, new RegExp(`group=${persona}`))
    await close()
  })

  test('switching the period, the cohort type, cumulative and the reference refetches and changes the triangle', async () => {
    const { json: weekly } = await api(retentionPath())
    const { json: monthly } = await api(retentionPath({ period: 'month' }))
    const { json: recurring } = await api(retentionPath({ period: 'month', retention_type: 'recurring' }))
    const { json: cumulative } = await api(retentionPath({ period: 'month', retention_type: 'recurring', cumulative: true }))
    const { json: previous } = await api(retentionPath({ period: 'month', retention_type: 'recurring', cumulative: true, reference: 'previous' }))
    const { json: monthlyLifecycle } = await api('lifecycle?period=month&periods=12')
    const { page, close } = await openPage()
    await page.goto(`${baseUrl}/#/return?key=${encodeURIComponent(key)}`)
    const weeklyRows = await checkTriangle(page, weekly)
    const retentionRequests = []
    page.on('request', (request) => {
      if (request.url().includes('/api/retention')) retentionRequests.push(new URL(request.url()).searchParams)
    })
    await page.selectOption('[data-testid="period-select"]', 'month')
    const monthlyRows = await checkTriangle(page, monthly)
    assert.notDeepEqual(monthlyRows, weeklyRows, 'the triangle changed')
    assert.equal(retentionRequests.at(-1).get('period'), 'month')
    assert.equal(retentionRequests.at(-1).get('periods'), '12')
    await page.waitForFunction(() => window.__touchpoint.chartSeries('lifecycle')?.[0]?.data.length > 0)
    const series = await chartSeries(page, 'lifecycle')
    assert.deepEqual(series[0].data, monthlyLifecycle.groups[0].periods.map((p) => p.new))
    // The type switch by keyboard.
    await page.locator('[data-testid="type-switch"] [data-type="recurring"]').focus()
    await page.keyboard.press('Enter')
    const recurringRows = await checkTriangle(page, recurring)
    assert.notDeepEqual(recurringRows, monthlyRows)
    assert.equal(retentionRequests.at(-1).get('retention_type'), 'recurring')
    assert.equal(await page.locator('[data-type="recurring"]').getAttribute('aria-pressed'), 'true')
    await page.locator('[data-testid="cumulative"]').focus()
    await page.keyboard.press('Space')
    await checkTriangle(page, cumulative)
    assert.equal(retentionRequests.at(-1).get('cumulative'), 'true')
    await page.selectOption('[data-testid="reference-select"]', 'previous')
    await checkTriangle(page, previous)
    assert.equal(retentionRequests.at(-1).get('reference'), 'previous')
    const hash = new URL(page.url()).hash
    for (const part of ['period=month', 'type=recurring', 'cumulative=true', 'reference=previous']) assert.ok(hash.includes(part), `${part} in ${hash}`)
    await page.screenshot({ path: join(artifacts, 'return-month-recurring.png'), fullPage: true })
    // The route restores the settings.
    await page.reload()
    await checkTriangle(page, previous)
    await close()
  })

  test('start and return touchpoints: purchases', async () => {
    const { json: meta } = await api('meta')
    const purchase = meta.outcomes.purchase
    assert.ok(purchase.length > 0, 'meta.outcomes.purchase names the purchase touchpoints')
    const list = (name) => purchase.map((p) => `${name}=${p}`).join('&')
    const { json: report } = await api(`${retentionPath({ period: 'month' })}&${list('start')}&${list('return')}`)
    // Between the two clicks the view asks for purchases → any touchpoint,
    // which the mock server may refuse (422); the final answer is checked.
    const { page, close } = await openPage({ allowedErrors: [/Failed to load resource: the server responded with a status of 422/] })
    await page.goto(`${baseUrl}/#/return?period=month&key=${encodeURIComponent(key)}`)
    await checkTriangle(page, (await api(retentionPath({ period: 'month' }))).json)
    const seen = []
    page.on('request', (request) => {
      if (request.url().includes('/api/retention')) seen.push(new URL(request.url()).searchParams)
    })
    await page.locator('.control', { has: page.getByTestId('start-select') }).getByRole('button', { name: 'Purchases' }).click()
    await page.locator('.control', { has: page.getByTestId('return-select') }).getByRole('button', { name: 'Purchases' }).click()
    await page.waitForFunction(() => document.querySelector('[data-testid="triangle-section"] .card-subtitle')?.textContent.includes('return: Order placed'))
    await checkTriangle(page, report)
    assert.deepEqual(seen.at(-1).getAll('start').sort(), [...purchase].sort())
    assert.deepEqual(seen.at(-1).getAll('return').sort(), [...purchase].sort())
    await close()
  })

  test('a query the server refuses shows its problem detail in the triangle card', async () => {
    const { status, json } = await api(retentionPath({ periods: 5 }))
    const { page, close } = await openPage({ allowedErrors: [/Failed to load resource/] })
    await page.goto(`${baseUrl}/#/return?periods=5&key=${encodeURIComponent(key)}`)
    if (status >= 400) {
      const alert = page.locator('[data-testid="triangle-section"] .state-error')
      await alert.waitFor()
      assert.ok((await alert.innerText()).includes(json.detail), 'problem detail shown')
      await page.screenshot({ path: join(artifacts, 'return-error.png') })
    } else await checkTriangle(page, json)
    await close()
  })

  test('value: one point per outlook, the slipping-away customers highlighted; table, models and RFM match the API', async () => {
    const { json: value } = await api('value')
    const slippingKeys = new Set(value.slipping_away.ranked.map((c) => c.customer))
    assert.ok(value.outlooks.some((o) => slippingKeys.has(o.customer)), 'some slipping customers are among the outlooks')
    const { page, close } = await openPage()
    await page.goto(`${baseUrl}/#/return?key=${encodeURIComponent(key)}`)
    await page.waitForSelector('[data-chart="value-scatter"][data-rendered="true"]')
    const series = await chartSeries(page, 'value-scatter')
    assert.equal(series.length, 2)
    const [others, slipping] = series
    assert.equal(others.data.length + slipping.data.length, value.outlooks.length, 'one point per outlook')
    assert.deepEqual(new Set([...others.data, ...slipping.data]), new Set(value.outlooks.map((o) => o.customer)))
    assert.deepEqual(new Set(slipping.data), new Set(value.outlooks.filter((o) => slippingKeys.has(o.customer)).map((o) => o.customer)))
    assert.equal(slipping.name, 'Slipping away')
    assert.notEqual(slipping.symbol, others.symbol, 'a distinct shape')
    assert.notEqual(slipping.colour, others.colour, 'and a distinct colour')
    // KPIs and the slipping-away table.
    assert.equal(await page.locator('[data-testid="value-kpis"] [data-metric="candidates"]').innerText(), integer(value.slipping_away.candidates))
    assert.equal(await page.locator('[data-testid="value-kpis"] [data-metric="customers"]').innerText(), integer(value.slipping_away.customers))
    const rows = page.locator('[data-testid="slipping-table"] tbody tr')
    assert.equal(await rows.count(), value.slipping_away.ranked.length)
    for (const [i, c] of value.slipping_away.ranked.slice(0, 20).entries()) {
      assert.equal(await rows.nth(i).getAttribute('data-customer'), c.customer)
      assert.equal(await rows.nth(i).locator('[data-metric="p_alive"]').innerText(), percent(c.p_alive))
      assert.equal(await rows.nth(i).locator('[data-metric="clv"]').innerText(), decimal(c.clv))
      assert.equal(await rows.nth(i).locator('.poor-list > li:not(.muted)').count(), c.last_poor_experiences.length)
    }
    // Models and RFM.
    const models = page.getByTestId('model-table')
    assert.equal(await models.locator('tbody tr').count(), 3)
    assert.equal(await models.locator('[data-model="BG/NBD"] [data-parameter="r"]').innerText(), String(Number(value.bgnbd.r.toPrecision(4))))
    assert.equal(await models.locator('[data-model="Gamma-Gamma"] [data-parameter="q"]').innerText(), String(Number(value.gamma_gamma.q.toPrecision(4))))
    await page.waitForSelector('[data-chart="rfm-segments"][data-rendered="true"]')
    const rfm = await chartSeries(page, 'rfm-segments')
    assert.deepEqual(rfm[0].data, value.rfm.map((s) => s.customers))
    await page.locator('[data-testid="value-section"]').screenshot({ path: join(artifacts, 'return-value.png') })
    // Hovering a highlighted point shows key, P(alive) and CLV.
    const target = value.outlooks.find((o) => slippingKeys.has(o.customer))
    await page.locator('[data-chart="value-scatter"]').scrollIntoViewIfNeeded()
    await page.waitForTimeout(400)
    const point = await page.evaluate((k) => window.__touchpoint.scatterPoint(k), target.customer)
    assert.ok(point, 'the point is on screen')
    await page.mouse.move(point.x - 30, point.y - 30)
    await page.mouse.move(point.x, point.y, { steps: 4 })
    const tooltip = page.locator('div', { hasText: target.customer }).filter({ hasText: 'P(alive)' }).last()
    await tooltip.waitFor({ state: 'visible' })
    const tip = await tooltip.innerText()
    assert.ok(tip.includes(percent(target.p_alive)) && tip.includes(decimal(target.clv)), `tooltip ${tip}`)
    await page.screenshot({ path: join(artifacts, 'return-scatter-tooltip.png') })
    // Clicking the point opens the customer.
    await page.mouse.click(point.x, point.y)
    await page.getByTestId('customer-header').waitFor()
    assert.equal(await page.getByTestId('customer-header').getAttribute('data-customer'), target.customer)
    // A customer of the table opens by keyboard.
    await page.goBack()
    const first = value.slipping_away.ranked[0]
    const link = page.locator(`[data-testid="slipping-table"] tr[data-customer="${first.customer}"] a`)
    await link.focus()
    await page.keyboard.press('Enter')
    await page.getByTestId('customer-header').waitFor()
    assert.equal(await page.getByTestId('customer-header').getAttribute('data-customer'), first.customer)
    await close()
  })

  test('repeat purchase and stickiness match the API; the group switch redraws stickiness', async () => {
    const { json: meta } = await api('meta')
    const { json: repeat } = await api('repeat')
    const { json: stickiness } = await api('stickiness?period=week&periods=8')
    assert.equal(repeat.groups[0].group, 'all', 'all customers first')
    const { page, close } = await openPage()
    await page.goto(`${baseUrl}/#/return?key=${encodeURIComponent(key)}`)
    const rows = page.locator('[data-testid="repeat-table"] tbody tr')
    await rows.first().waitFor()
    assert.equal(await rows.count(), repeat.groups.length)
    const days = (v) => (v === null || v === undefined ? '–' : `${new Intl.NumberFormat('en-US', { maximumFractionDigits: 0, minimumFractionDigits: 0 }).format(v)} d`)
    for (const [i, g] of repeat.groups.entries()) {
      const row = rows.nth(i)
      const metric = (m) => row.locator(`[data-metric="${m}"]`).innerText()
      assert.equal(await row.getAttribute('data-group'), g.group)
      assert.equal(await metric('purchasers'), integer(g.purchasers))
      assert.equal(await metric('repeat_purchasers'), integer(g.repeat_purchasers))
      assert.equal(await metric('repurchase_rate'), percent(g.repurchase_rate))
      const time = await metric('time_to_repurchase')
      if (g.time_to_repurchase) assert.equal(time.replace(/\s+/g, ' '), `${days(g.time_to_repurchase.days.median)} [${days(g.time_to_repurchase.p25_days)}, ${days(g.time_to_repurchase.p75_days)}]`)
      else assert.equal(time, '–')
      assert.equal(await metric('loyalty_share'), percent(g.loyalty_share))
      assert.equal(await metric('advocacy_share'), percent(g.advocacy_share))
      assert.ok((await metric('referring_share')).startsWith(percent(g.referring_share)))
    }
    const checkStickiness = async (group) => {
      await page.waitForFunction((g) => document.querySelector('[data-testid="stickiness-section"] .card-subtitle')?.textContent.startsWith(g), group === 'all' ? 'All customers' : group.replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase()))
      await page.waitForSelector('[data-chart="stickiness"][data-rendered="true"]')
      const periods = stickiness.groups.find((g) => g.group === group).periods
      const series = await chartSeries(page, 'stickiness')
      const days = Math.max(...periods.map((p) => p.customers_by_active_days.length))
      assert.equal(series.length, days)
      for (let k = 0; k < days; k += 1) assert.deepEqual(series[k].data, periods.map((p) => p.customers_by_active_days[k] ?? 0), `${group}: ${k + 1} active days`)
      // Each stack adds up to the period's active customers.
      for (const [j, p] of periods.entries()) assert.equal(series.reduce((sum, s) => sum + s.data[j], 0), p.customers)
    }
    await checkStickiness('all')
    await page.locator('[data-testid="stickiness-section"]').screenshot({ path: join(artifacts, 'return-stickiness.png') })
    await page.locator('[data-testid="repeat-section"]').screenshot({ path: join(artifacts, 'return-repeat.png') })
    const persona = meta.personas[0].name
    await page.selectOption('[data-testid="group-select"]', persona)
    await checkStickiness(persona)
    assert.equal(await page.locator('[data-testid="repeat-table"] tr[aria-current="true"]').getAttribute('data-group'), persona)
    await close()
  })

  test('every chart of the view exports as PNG and SVG', async () => {
    const { page, close } = await openPage()
    await page.goto(`${baseUrl}/#/return?key=${encodeURIComponent(key)}`)
    await page.waitForSelector('[data-testid="triangle"]')
    await page.waitForSelector('[data-chart="lifecycle"][data-rendered="true"]')
    await page.waitForSelector('[data-chart="value-scatter"][data-rendered="true"]')
    await page.waitForSelector('[data-chart="rfm-segments"][data-rendered="true"]')
    await page.waitForSelector('[data-chart="stickiness"][data-rendered="true"]')
    const cards = {
      stickiness: page.locator('.chart-card', { has: page.locator('[data-chart="stickiness"]') }),
      'retention-triangle': page.locator('[data-chart-card="retention-triangle"]'),
      lifecycle: page.locator('.chart-card', { has: page.locator('[data-chart="lifecycle"]') }),
      'value-scatter': page.locator('.chart-card', { has: page.locator('[data-chart="value-scatter"]') }),
      'rfm-segments': page.locator('.chart-card', { has: page.locator('[data-chart="rfm-segments"]') }),
    }
    for (const [name, card] of Object.entries(cards)) {
      for (const type of ['png', 'svg']) {
        const [download] = await Promise.all([page.waitForEvent('download'), card.locator(`[data-export="${type}"]`).click()])
        assert.equal(download.suggestedFilename(), `${name}.${type}`)
        const path = join(artifacts, `export-${name}.${type}`)
        await download.saveAs(path)
        const bytes = readFileSync(path)
        if (type === 'png') assert.deepEqual([...bytes.subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47])
        else assert.match(bytes.toString('utf8'), /<svg[\s\S]*<(path|rect)/)
        assert.ok(bytes.length > 2000, `${name}.${type} has content`)
      }
    }
    await close()
  })

  test('laptop and large type: the view lays out without errors', async () => {
    const { page, close } = await openPage({ width: 1366, height: 768 })
    await page.goto(`${baseUrl}/#/return?key=${encodeURIComponent(key)}`)
    await page.waitForSelector('[data-chart="value-scatter"][data-rendered="true"]')
    await page.screenshot({ path: join(artifacts, 'laptop-return.png'), fullPage: true })
    await page.getByTestId('large-type').click()
    await page.waitForSelector('[data-chart="value-scatter"][data-rendered="true"]')
    await page.screenshot({ path: join(artifacts, 'return-large-type.png') })
    await page.getByTestId('large-type').click()
    await close()
  })
})
