// Browser tests of the insights view (`#/insights`): pain points with their
// evidence, the moments-of-truth forest plot, customers at risk with the CSV,
// reported against true FCR, root causes and the generic reports; every
// number on screen checked against the API's JSON fetched here. Same
// environment as browser.test.mjs (TOUCHPOINT_URL, TOUCHPOINT_KEY,
// TOUCHPOINT_ARTIFACTS, CHROMIUM).

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
const signed = (v, digits = 2) => (v === null || v === undefined ? '–' : v > 0 ? `+${v.toFixed(digits)}` : v.toFixed(digits).replace('-', '−'))
const decimal = (v, digits = 2) => (v === null || v === undefined ? '–' : new Intl.NumberFormat('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(v).replace('-', '−'))
const parameter = (v) => {
  if (v === null || v === undefined) return '–'
  const m = Math.abs(v)
  if (m !== 0 && (m < 1e-3 || m >= 1e5)) return v.toExponential(3).replace('e+', 'e').replace(/-/g, '−')
  return String(Number(v.toPrecision(4))).replace('-', '−')
}
const duration = (s) => {
  if (s === null || s === undefined) return '–'
  const m = Math.abs(s)
  if (m < 60) return `${m < 10 ? s.toFixed(1) : s.toFixed(0)} s`
  if (m < 3600) return `${(s / 60).toFixed(m < 600 ? 1 : 0)} min`
  if (m < 86400) return `${(s / 3600).toFixed(1)} h`
  return `${(s / 86400).toFixed(1)} d`
}
const humanize = (name) => {
  const spaced = name.replace(/_/g, ' ')
  return spaced.charAt(0).toUpperCase() + spaced.slice(1)
}
const effect = (kind, v) => (kind === 'negative_emotion' ? signed(v) : percent(v))

/** The API's JSON with 64-bit customer keys kept exact (some reports send them as numbers). */
async function api(path) {
  const response = await fetch(`${baseUrl}/api/${path}`, { headers: { Authorization: `Bearer ${key}` } })
  const body = (await response.text())
    .replace(/"customer":\s*(-?\d+)/g, '"customer":"$1"')
    .replace(/"(example_[a-z_]*customers[a-z_]*)":\s*\[([^\]]*)\]/g, (_, f, l) => `"${f}":[${l.split(',').map((s) => s.trim()).filter(Boolean).map((s) => (s.startsWith('"') ? s : `"${s}"`)).join(',')}]`)
  return { status: response.status, json: JSON.parse(body) }
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

const chartSeries = (page, name) => page.evaluate((n) => window.__touchpoint.chartSeries(n), name)
const panelReady = (page, kind) => page.waitForSelector(`[data-testid="insight-panel"][data-kind="${kind}"][data-ready="true"]`)
const cell = (row, metric) => row.locator(`[data-metric="${metric}"]`).innerText()

async function exportBoth(page, card, name) {
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

async function checkPainTable(page, points) {
  const rows = page.locator('[data-testid="pain-table"] > tbody > tr[data-point]')
  assert.equal(await rows.count(), points.length, 'one row per pain point')
  for (const [i, p] of points.entries()) {
    const row = rows.nth(i)
    assert.equal(await row.getAttribute('data-touchpoint'), p.touchpoint)
    assert.equal(await row.getAttribute('data-kind'), p.kind)
    assert.equal(await cell(row, 'persona'), p.persona ? humanize(p.persona) : 'All customers')
    assert.equal(await cell(row, 'rate'), effect(p.kind, p.rate))
    assert.equal(await cell(row, 'interval'), `[${effect(p.kind, p.low)}, ${effect(p.kind, p.high)}]`)
    assert.equal(await cell(row, 'expected'), effect(p.kind, p.expected))
    assert.equal(await cell(row, 'affected'), `${integer(p.affected)} of ${integer(p.customers)}`)
    assert.equal(await cell(row, 'impact'), decimal(p.impact, 1))
  }
}

describe('insights', () => {
  test('the navigation leads to the view; pain points match the API and open their evidence by keyboard', async () => {
    const { json: report } = await api('insights/pain-points')
    assert.ok(report.points.length > 0, 'the demo data has pain points')
    const { page, close } = await openPage()
    await page.goto(`${baseUrl}/#/map?key=${encodeURIComponent(key)}`)
    await page.getByTestId('journey-map').waitFor()
    await page.locator('.nav-link', { hasText: 'Insights' }).click()
    assert.equal(new URL(page.url()).hash, '#/insights')
    await panelReady(page, 'pain-points')
    await checkPainTable(page, report.points)
    // A point with texts, opened by keyboard.
    const index = Math.max(0, report.points.findIndex((p) => p.example_texts.length > 0 && p.evidence.length > 1))
    const point = report.points[index]
    const toggle = page.locator(`tr[data-point="${index}"] [data-testid="pain-toggle"]`)
    assert.equal(await toggle.getAttribute('aria-expanded'), 'false')
    await toggle.focus()
    await page.keyboard.press('Enter')
    assert.equal(await toggle.getAttribute('aria-expanded'), 'true')
    const detail = page.locator(`tr[data-detail="${index}"]`)
    await detail.waitFor({ state: 'visible' })
    const evidence = detail.locator('[data-testid="pain-evidence"] tbody tr')
    assert.equal(await evidence.count(), point.evidence.length)
    for (const [i, e] of point.evidence.entries()) {
      const row = evidence.nth(i)
      assert.equal(await row.getAttribute('data-evidence-kind'), e.kind)
      assert.equal(await cell(row, 'rate'), effect(e.kind, e.rate))
      assert.equal(await cell(row, 'interval'), `[${effect(e.kind, e.low)}, ${effect(e.kind, e.high)}]`)
      assert.equal(await cell(row, 'expected'), effect(e.kind, e.expected))
      assert.equal(await cell(row, 'hits'), `${integer(e.hits)} / ${integer(e.n)}`)
      assert.equal(await cell(row, 'z'), decimal(e.z, 1))
      assert.equal(await cell(row, 'affected'), `${integer(e.affected)} of ${integer(e.customers)}`)
    }
    const links = detail.locator('.key-list a')
    assert.deepEqual(await links.allInnerTexts(), point.example_customers.slice(0, 10))
    assert.equal(await detail.locator('[data-testid="pain-texts"] li').count(), point.example_texts.length)
    await page.screenshot({ path: join(artifacts, 'insights-pain-points.png'), fullPage: true })
    // Closing again, then an example customer opens the customer view.
    await page.keyboard.press('Space')
    assert.equal(await toggle.getAttribute('aria-expanded'), 'false')
    assert.ok(await detail.isHidden())
    if (point.example_customers.length) {
      await page.keyboard.press('Space')
      await links.first().click()
      await page.getByTestId('customer-header').waitFor()
      assert.equal(await page.getByTestId('customer-header').getAttribute('data-customer'), point.example_customers[0])
    }
    await close()
  })

  test('filters refetch with persona, channel and dates, and the route keeps them', async () => {
    const { json: meta } = await api('meta')
    const persona = meta.personas.find((p) => p.name === 'mobile_shoppers')?.name ?? meta.personas[0].name
    const { json: filtered } = await api(`insights/pain-points?persona=${persona}&from=2025-03-01`)
    const { page, close } = await openPage()
    await page.goto(`${baseUrl}/#/insights?key=${encodeURIComponent(key)}`)
    await panelReady(page, 'pain-points')
    const seen = []
    page.on('request', (request) => {
      if (request.url().includes('/api/insights/')) seen.push(new URL(request.url()))
    })
    await Promise.all([page.waitForResponse((r) => r.url().includes('/api/insights/pain-points') && r.url().includes(`persona=${persona}`)), page.selectOption('[data-testid="insight-persona"]', persona)])
    await Promise.all([page.waitForResponse((r) => r.url().includes('/api/insights/pain-points') && r.url().includes('from=2025-03-01')), page.fill('[data-testid="insight-from"]', '2025-03-01')])
    await panelReady(page, 'pain-points')
    const last = seen.at(-1)
    assert.equal(last.pathname.endsWith('/api/insights/pain-points'), true)
    assert.equal(last.searchParams.get('persona'), persona)
    assert.equal(last.searchParams.get('from'), '2025-03-01')
    if (filtered.points.length) await checkPainTable(page, filtered.points)
    else assert.ok((await page.getByTestId('insight-panel').innerText()).includes('No touchpoint stands out'))
    const hash = new URL(page.url()).hash
    assert.ok(hash.includes(`persona=${persona}`) && hash.includes('from=2025-03-01'), hash)
    await page.reload()
    await panelReady(page, 'pain-points')
    assert.equal(await page.locator('[data-testid="insight-persona"]').inputValue(), persona)
    await close()
  })

  test('moments of truth: the forest plot and the table match the API; the outcome switch refetches; export', async () => {
    const { json: report } = await api('insights/moments?outcome=repurchase')
    const { json: churn } = await api('insights/moments?outcome=churn')
    const withEvidence = (r) => r.moments.filter((m) => m.good.customers + m.bad.customers > 0 && m.odds_ratio !== null && m.odds_ratio_low !== null && m.odds_ratio_high !== null && m.odds_ratio > 0).sort((a, b) => b.impact - a.impact)
    const { page, close } = await openPage()
    await page.goto(`${baseUrl}/#/insights?key=${encodeURIComponent(key)}`)
    await panelReady(page, 'pain-points')
    // The tabs follow the arrow keys.
    await page.locator('[data-testid="insight-tabs"] [aria-selected="true"]').focus()
    await page.keyboard.press('ArrowRight')
    await panelReady(page, 'moments')
    assert.equal(await page.locator('[data-testid="insight-tabs"] [aria-selected="true"]').getAttribute('data-kind'), 'moments')
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-kind')), 'moments')
    const check = async (r) => {
      const shown = withEvidence(r)
      assert.equal(await page.locator('[data-testid="moments-kpis"] [data-metric="eligible_customers"]').innerText(), integer(r.eligible_customers))
      assert.equal(await page.locator('[data-testid="moments-kpis"] [data-metric="outcome_customers"]').innerText(), integer(r.outcome_customers))
      assert.equal(await page.locator('[data-testid="moments-kpis"] [data-metric="supported"]').innerText(), integer(r.moments.filter((m) => m.supported).length))
      if (shown.length === 0) return
      await page.waitForSelector('[data-chart="moments-forest"][data-rendered="true"]')
      const series = await chartSeries(page, 'moments-forest')
      const supported = series.find((s) => s.name === 'Supported')
      const other = series.find((s) => s.name === 'Not supported')
      assert.notEqual(supported.symbol, other.symbol, 'a distinct shape for supported moments')
      assert.deepEqual(supported.data.map((d) => d.value[0]), shown.filter((m) => m.supported).map((m) => m.odds_ratio))
      assert.deepEqual(other.data.map((d) => d.value[0]), shown.filter((m) => !m.supported).map((m) => m.odds_ratio))
      const intervals = series.find((s) => s.name === 'Interval')
      assert.deepEqual(intervals.data.map((d) => [d[0], d[1]]), shown.map((m) => [m.odds_ratio_low, m.odds_ratio_high]))
      const rows = page.locator('[data-testid="moments-table"] tbody tr')
      assert.equal(await rows.count(), shown.length)
      for (const [i, m] of shown.entries()) {
        const row = rows.nth(i)
        assert.equal(await row.getAttribute('data-touchpoint'), m.touchpoint)
        assert.equal(await cell(row, 'odds_ratio'), decimal(m.odds_ratio))
        assert.equal(await cell(row, 'interval'), `[${decimal(m.odds_ratio_low)}, ${decimal(m.odds_ratio_high)}]`)
        assert.equal(await cell(row, 'p_value'), parameter(m.p_value))
        assert.ok((await cell(row, 'bad')).startsWith(integer(m.bad.customers)))
        assert.ok((await cell(row, 'good')).includes(`${percent(m.good.outcome_rate)} with outcome`))
      }
    }
    await check(report)
    await page.screenshot({ path: join(artifacts, 'insights-moments.png'), fullPage: true })
    const card = page.locator('.chart-card', { has: page.locator('[data-chart="moments-forest"]') })
    await exportBoth(page, card, 'moments-forest')
    await page.selectOption('[data-testid="insight-outcome"]', 'churn')
    await page.waitForFunction(() => document.querySelector('[data-testid="insight-panel"]')?.dataset.ready === 'true' && location.hash.includes('outcome=churn'))
    await panelReady(page, 'moments')
    await check(churn)
    await close()
  })

  test('a value the server refuses shows its problem detail', async () => {
    const { status, json } = await api('insights/moments?outcome=repurchase&days=-5')
    assert.equal(status, 400)
    const { page, close } = await openPage({ allowedErrors: [/Failed to load resource/] })
    await page.goto(`${baseUrl}/#/insights?kind=moments&days=-5&key=${encodeURIComponent(key)}`)
    const alert = page.locator('[data-testid="insight-panel"] .state-error')
    await alert.waitFor()
    assert.ok((await alert.innerText()).includes(json.detail), 'problem detail shown')
    await close()
  })

  test('at risk: the table links to customers and the CSV holds the API list', async () => {
    const { json: report } = await api('insights/at-risk')
    assert.ok(report.customers.length > 0)
    const { page, close } = await openPage()
    await page.goto(`${baseUrl}/#/insights?kind=at-risk&key=${encodeURIComponent(key)}`)
    await panelReady(page, 'at-risk')
    assert.equal(await page.locator('[data-testid="at-risk-kpis"] [data-metric="customers"]').innerText(), integer(report.customers.length))
    assert.equal(await page.locator('[data-testid="at-risk-kpis"] [data-metric="value"]').innerText(), decimal(report.customers.reduce((s, c) => s + (c.value ?? 0), 0)))
    if (report.repurchase_after_poor) assert.equal(await page.locator('[data-testid="at-risk-kpis"] [data-metric="repurchase_after_poor"]').innerText(), percent(report.repurchase_after_poor.first.rate))
    const rows = page.locator('[data-testid="at-risk-table"] tbody tr')
    assert.equal(await rows.count(), report.customers.length)
    for (const [i, c] of report.customers.slice(0, 25).entries()) {
      const row = rows.nth(i)
      assert.equal(await row.getAttribute('data-customer'), c.customer)
      assert.equal(await cell(row, 'value'), decimal(c.value))
      assert.equal(await cell(row, 'poor_in_window'), integer(c.poor_in_window))
      assert.equal(await cell(row, 'last_nps'), c.last_nps === null ? '–' : integer(c.last_nps))
      assert.equal(await cell(row, 'emotion_slope'), signed(c.emotion_slope))
      assert.equal(await row.locator('.chip').count(), c.reasons.length)
    }
    await page.screenshot({ path: join(artifacts, 'insights-at-risk.png') })
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('at-risk-csv').click()])
    assert.equal(download.suggestedFilename(), 'at-risk.csv')
    const path = join(artifacts, 'at-risk.csv')
    await download.saveAs(path)
    const lines = readFileSync(path, 'utf8').trimEnd().split('\n')
    assert.equal(lines[0], 'customer,value,reasons,poor_in_window,complaints,open_complaint,last_nps,emotion_slope')
    assert.equal(lines.length, report.customers.length + 1)
    for (const [i, c] of report.customers.entries()) {
      const fields = lines[i + 1].split(',')
      assert.equal(fields[0], c.customer, 'exact 64-bit key')
      assert.ok(Number(fields[1]) === c.value || (fields[1] === '0' && c.value === 0), `value ${fields[1]}`)
      assert.equal(fields[2], c.reasons.join(';'))
      assert.equal(Number(fields[3]), c.poor_in_window)
      assert.equal(fields[5], String(c.open_complaint))
    }
    const first = report.customers[0]
    await rows.first().locator('a').focus()
    await page.keyboard.press('Enter')
    await page.getByTestId('customer-header').waitFor()
    assert.equal(await page.getByTestId('customer-header').getAttribute('data-customer'), first.customer)
    await close()
  })

  test('resolution: reported against true FCR per agent, team, channel and theme', async () => {
    const { json: report } = await api('insights/resolution')
    const { page, close } = await openPage()
    await page.goto(`${baseUrl}/#/insights?kind=resolution&key=${encodeURIComponent(key)}`)
    await panelReady(page, 'resolution')
    const kpis = page.getByTestId('resolution-kpis')
    assert.equal(await cell(kpis, 'answered'), integer(report.overall.answered))
    assert.equal(await cell(kpis, 'reported_fcr'), percent(report.overall.reported_fcr))
    assert.equal(await cell(kpis, 'true_fcr'), percent(report.overall.true_fcr))
    assert.equal(await cell(kpis, 'reopened'), percent(report.overall.reopened.rate))
    const gap = (r) => (r.reported_fcr ?? 0) - (r.true_fcr ?? 0)
    for (const level of ['agents', 'channels', 'teams', 'themes']) {
      if (level !== 'agents') await page.locator(`[data-level="${level}"]`).click()
      await page.waitForSelector(`[data-testid="resolution-level"][data-level="${level}"] [data-chart="resolution-fcr"][data-rendered="true"]`)
      const rows = [...report[level]].sort((a, b) => gap(b) - gap(a))
      const table = page.locator('[data-testid="resolution-table"] tbody tr')
      assert.equal(await table.count(), rows.length)
      for (const [i, r] of rows.entries()) {
        const row = table.nth(i)
        assert.equal(await row.getAttribute('data-id'), String(r.id))
        assert.equal(await cell(row, 'answered'), integer(r.answered))
        assert.equal(await cell(row, 'reported_fcr'), percent(r.reported_fcr))
        assert.equal(await cell(row, 'true_fcr'), percent(r.true_fcr))
        assert.equal(await cell(row, 'reopened'), `${percent(r.reopened.rate)} [${percent(r.reopened.low)}, ${percent(r.reopened.high)}]`)
      }
      const series = await chartSeries(page, 'resolution-fcr')
      assert.deepEqual(series.map((s) => s.name), ['Reported FCR', 'True FCR'])
      assert.deepEqual(series[0].data, rows.map((r) => r.reported_fcr))
      assert.deepEqual(series[1].data, rows.map((r) => r.true_fcr))
      if (level === 'agents') {
        await page.screenshot({ path: join(artifacts, 'insights-resolution.png'), fullPage: true })
        await exportBoth(page, page.locator('.chart-card', { has: page.locator('[data-chart="resolution-fcr"]') }), 'resolution-fcr')
      }
    }
    await close()
  })

  test('root causes: the touchpoints raising each theme, with odds ratios', async () => {
    const { json: report } = await api('insights/root-causes')
    const { page, close } = await openPage()
    await page.goto(`${baseUrl}/#/insights?kind=root-causes&key=${encodeURIComponent(key)}`)
    await panelReady(page, 'root-causes')
    assert.equal(await page.locator('[data-testid="root-kpis"] [data-metric="anchors"]').innerText(), integer(report.anchors))
    const themes = report.themes.filter((t) => t.causes.length > 0)
    assert.equal(await page.locator('[data-testid="insight-panel"] section[data-theme]').count(), themes.length)
    for (const theme of themes) {
      const rows = page.locator(`section[data-theme="${theme.theme}"] tbody tr`)
      assert.equal(await rows.count(), theme.causes.length)
      for (const [i, c] of theme.causes.entries()) {
        assert.equal(await cell(rows.nth(i), 'followed'), `${integer(c.followed)} of ${integer(c.anchors)}`)
        assert.equal(await cell(rows.nth(i), 'odds_ratio'), `${decimal(c.odds_ratio.odds_ratio)} [${decimal(c.odds_ratio.low)}, ${decimal(c.odds_ratio.high)}]`)
        assert.equal(await cell(rows.nth(i), 'rate'), percent(c.rate, 2))
      }
    }
    await page.screenshot({ path: join(artifacts, 'insights-root-causes.png'), fullPage: true })
    await close()
  })

  test('the other reports read as key figures and tables', async () => {
    const { json: meta } = await api('meta')
    const figure = (k, v) => (k.endsWith('_s') ? duration(v) : Number.isInteger(v) ? integer(v) : parameter(v))
    const { page, close } = await openPage()
    for (const kind of ['drivers', 'conformance', 'attribution', 'follow-up', 'recovery', 'emotion', 'personas']) {
      const { json: report } = await api(`insights/${kind}`)
      await page.goto(`${baseUrl}/#/insights?kind=${kind}&key=${encodeURIComponent(key)}`)
      await panelReady(page, kind)
      for (const [k, v] of Object.entries(report)) {
        if (typeof v === 'number') assert.equal(await page.locator(`[data-testid="generic-figures"] [data-metric="${k}"]`).innerText(), figure(k, v), `${kind}.${k}`)
        if (v && typeof v === 'object' && !Array.isArray(v) && 'first' in v && 'second' in v) {
          assert.equal(await page.locator(`[data-testid="generic-figures"] [data-metric="${k}"]`).innerText(), `${signed(v.difference * 100, 1)} pt`)
          assert.ok((await page.locator(`[data-comparison="${k}"]`).innerText()).includes(`${percent(v.first.rate)} (${integer(v.first.hits)} of ${integer(v.first.n)})`))
        }
        if (Array.isArray(v) && v.some((x) => x && typeof x === 'object')) {
          const rows = page.locator(`[data-table="${k}"] > .table-scroll > table > tbody > tr[data-row]`)
          assert.equal(await rows.count(), Math.min(50, v.length), `${kind}.${k} rows`)
          // The first row's plain numbers and touchpoint names.
          const first = v[0]
          for (const [field, value] of Object.entries(first)) {
            const td = rows.first().locator(`:scope > td[data-field="${field}"]`)
            if (typeof value === 'number' && field === 'touchpoint') assert.equal(await td.innerText(), meta.touchpoints[value].label ?? humanize(meta.touchpoints[value].touchpoint))
            else if (typeof value === 'number' && field !== 'stage') assert.equal(await td.innerText(), figure(field, value), `${kind}.${k}[0].${field}`)
            else if (value && typeof value === 'object' && typeof value.low === 'number' && typeof value.high === 'number') {
              const estimate = ['rate', 'value', 'mean', 'odds_ratio', 'difference'].map((e) => value[e]).find((e) => typeof e === 'number')
              if (estimate !== undefined) assert.equal(await td.innerText(), `${parameter(estimate)} [${parameter(value.low)}, ${parameter(value.high)}]`)
            }
          }
        }
      }
      await page.screenshot({ path: join(artifacts, `insights-${kind}.png`), fullPage: true })
    }
    await close()
  })

  test('laptop and large type: the view lays out without errors', async () => {
    const { page, close } = await openPage({ width: 1366, height: 768 })
    await page.goto(`${baseUrl}/#/insights?key=${encodeURIComponent(key)}`)
    await panelReady(page, 'pain-points')
    await page.getByTestId('large-type').click()
    await panelReady(page, 'pain-points')
    await page.screenshot({ path: join(artifacts, 'insights-large-type.png') })
    await page.getByTestId('large-type').click()
    await close()
  })
})
