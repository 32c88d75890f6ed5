// Browser tests of the contact-centre view (`#/contacts`): KPIs and queues,
// the staffing chart of offered against required and scheduled agents, the
// Erlang calculator (the worked example exactly), handovers, alerts and the
// agents panel (skipped only when /api/agents answers 404); every number on
// screen checked against the API's JSON fetched here. Same
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
const cell = (row, metric) => row.locator(`[data-metric="${metric}"]`).first().innerText()
/** The agents endpoint may be missing from older servers; its 404 is then expected. */
const agentsStatus = async () => (await fetch(`${baseUrl}/api/agents`, { headers: { Authorization: `Bearer ${key}` } })).status
const pageOptions = async () => ((await agentsStatus()) === 404 ? { allowedErrors: [/Failed to load resource: the server responded with a status of 404/] } : {})

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

describe('contact centre', () => {
  test('the navigation leads to the view; KPIs and the queue table match the API', async () => {
    const { json: report } = await api('contacts?by=queue&by=agent&interval=30m')
    const { page, close } = await openPage(await pageOptions())
    await page.goto(`${baseUrl}/#/map?key=${encodeURIComponent(key)}`)
    await page.getByTestId('journey-map').waitFor()
    await page.locator('.nav-link', { hasText: 'Contact centre' }).click()
    assert.equal(new URL(page.url()).hash, '#/contacts')
    const kpis = page.getByTestId('contact-kpis')
    await kpis.waitFor()
    const t = report.total
    assert.equal(await cell(kpis, 'offered'), integer(t.offered))
    assert.equal(await cell(kpis, 'service_level'), percent(t.service_level))
    assert.equal(t.service_level, t.answered_within_threshold / t.service_level_offered, 'service level over all offered, abandoned included')
    assert.equal(await cell(kpis, 'asa_s'), duration(t.asa_s))
    assert.equal(await cell(kpis, 'aht_s'), duration(t.aht_s))
    assert.equal(await cell(kpis, 'abandon_rate'), percent(t.abandon_rate))
    assert.equal(await cell(kpis, 'reported_fcr'), percent(t.reported_fcr))
    assert.equal(await cell(kpis, 'true_fcr'), percent(t.true_fcr))
    const queues = report.groupings.find((g) => g.by === 'queue').groups
    const rows = page.locator('[data-testid="queue-table"] tbody tr')
    assert.equal(await rows.count(), queues.length)
    for (const [i, q] of queues.entries()) {
      const row = rows.nth(i)
      assert.equal(await row.getAttribute('data-queue'), q.queue)
      assert.equal(await cell(row, 'offered'), integer(q.offered))
      assert.equal(await cell(row, 'answered'), integer(q.answered))
      assert.ok((await cell(row, 'service_level')).startsWith(percent(q.service_level)))
      assert.equal(await cell(row, 'asa_s'), duration(q.asa_s))
      assert.equal(await cell(row, 'aht_s'), duration(q.aht_s))
      assert.equal(await cell(row, 'abandon_rate'), percent(q.abandon_rate))
      assert.equal(await cell(row, 'reported_fcr'), percent(q.reported_fcr))
      assert.equal(await cell(row, 'true_fcr'), percent(q.true_fcr))
      assert.equal(await cell(row, 'emotion'), q.emotion ? signed(q.emotion.mean) : '–')
    }
    await page.waitForSelector('[data-chart="staffing-chart"][data-rendered="true"]')
    await page.screenshot({ path: join(artifacts, 'contacts.png'), fullPage: true })
    await close()
  })

  test('staffing: offered, required and scheduled agents of history and plan match /api/staff/plan; the queue switch refetches; export', async () => {
    const { json: report } = await api('contacts?by=queue&by=agent&interval=30m')
    const queues = report.groupings.find((g) => g.by === 'queue').groups
    const busiest = queues.filter((q) => q.service_level !== null).sort((a, b) => b.offered - a.offered)[0].queue
    const planOf = async (queue) => (await api(`staff/plan?queue=${queue}&interval=30m&weeks=4&horizon=7d`)).json
    const { page, close } = await openPage(await pageOptions())
    await page.goto(`${baseUrl}/#/contacts?key=${encodeURIComponent(key)}`)
    const check = async (queue) => {
      const plan = await planOf(queue)
      const planned = plan.queues.find((q) => q.queue === queue)
      await page.waitForSelector(`[data-testid="staffing-section"][data-queue="${queue}"][data-ready="true"]`)
      if (!planned) {
        assert.ok((await page.getByTestId('staffing-section').innerText()).includes('No staffing plan'))
        return
      }
      await page.waitForSelector('[data-chart="staffing-chart"][data-rendered="true"]')
      await page.waitForFunction((q) => document.querySelector('[data-testid="staffing-section"] .card-title')?.textContent.endsWith(q), humanize(queue))
      const series = await chartSeries(page, 'staffing-chart')
      const byName = Object.fromEntries(series.map((s) => [s.name, s.data]))
      const history = planned.history
      const all = [...history, ...planned.plan]
      assert.deepEqual(byName['Offered'], all.map((i, k) => (k < history.length ? i.offered : null)))
      assert.deepEqual(byName['Forecast offered'], all.map((i, k) => (k < history.length ? null : i.offered)))
      assert.deepEqual(byName['Required agents'], all.map((i) => i.agents))
      assert.deepEqual(byName['Scheduled (with shrinkage)'], all.map((i) => i.agents_with_shrinkage))
      assert.deepEqual(byName['Achieved service level'], all.map((i, k) => (k < history.length && i.offered > 0 && i.achieved_service_level !== undefined && i.achieved_service_level !== null ? i.achieved_service_level : null)))
      assert.ok(all.every((i) => i.agents_with_shrinkage >= i.agents), 'shrinkage only adds agents')
      if (history.some((i) => i.staffed_agents !== undefined)) {
        assert.deepEqual(byName['Staffed (logged in)'], all.map((i, k) => (k < history.length ? i.staffed_agents : null)))
        assert.deepEqual(byName['Available (handling or ready)'], all.map((i, k) => (k < history.length ? i.available_agents : null)))
      } else {
        assert.equal(byName['Staffed (logged in)'], undefined)
      }
      const symbols = series.filter((s) => s.symbol).map((s) => s.symbol)
      assert.equal(new Set(symbols).size, symbols.length, 'each line has its own marker shape')
    }
    await check(busiest)
    await page.locator('[data-testid="staffing-section"]').screenshot({ path: join(artifacts, 'contacts-staffing.png') })
    await exportBoth(page, page.locator('.chart-card', { has: page.locator('[data-chart="staffing-chart"]') }), 'staffing-chart')
    for (const q of queues.filter((q) => q.queue !== busiest).slice(0, 2)) {
      await page.selectOption('[data-testid="staffing-queue"]', q.queue)
      await check(q.queue)
      assert.ok(new URL(page.url()).hash.includes(`queue=${q.queue}`))
    }
    await close()
  })

  test('the Erlang calculator shows the worked example exactly and follows the API for other inputs', async () => {
    const { json: example } = await api('staff/erlang?model=c&arrivals=100&interval=30m&aht=180s&service_level=0.8&answer_within=20s&shrinkage=0.3')
    const { json: erlangA } = await api('staff/erlang?model=a&arrivals=100&interval=30m&aht=180s&service_level=0.8&answer_within=20s&patience=120s&shrinkage=0.3')
    const { json: fixed } = await api('staff/erlang?model=c&arrivals=100&interval=30m&aht=180s&service_level=0.8&answer_within=20s&shrinkage=0.3&agents=12')
    const { page, close } = await openPage(await pageOptions())
    await page.goto(`${baseUrl}/#/contacts?key=${encodeURIComponent(key)}`)
    const result = page.getByTestId('erlang-result')
    await result.waitFor()
    // 100 contacts per 30 minutes, 180 s AHT, 80 % within 20 s, 30 % shrinkage.
    assert.equal(await cell(result, 'agents'), '14')
    assert.equal(await cell(result, 'service_level'), '0.888')
    assert.equal(await cell(result, 'p_wait'), '0.174')
    assert.equal(await cell(result, 'asa_s'), '7.8 s')
    assert.equal(await cell(result, 'occupancy'), '0.714')
    assert.equal(await cell(result, 'agents_with_shrinkage'), '20')
    assert.equal(example.agents, 14)
    assert.equal(example.agents_with_shrinkage, 20)
    assert.equal(await cell(result, 'service_level'), decimal(example.service_level, 3))
    await page.getByTestId('erlang-card').screenshot({ path: join(artifacts, 'contacts-erlang.png') })
    // Erlang A with patience, by keyboard.
    await page.selectOption('[data-testid="erlang-model"]', 'a')
    await page.locator('[data-testid="erlang-patience"]').fill('120')
    await page.locator('[data-testid="erlang-patience"]').press('Enter')
    await page.waitForSelector('[data-testid="erlang-result"] [data-metric="abandon_rate"]')
    assert.equal(await cell(page.getByTestId('erlang-result'), 'agents'), integer(erlangA.agents))
    assert.equal(await cell(page.getByTestId('erlang-result'), 'service_level'), decimal(erlangA.service_level, 3))
    assert.equal(await cell(page.getByTestId('erlang-result'), 'abandon_rate'), decimal(erlangA.abandon_rate, 3))
    assert.equal(await cell(page.getByTestId('erlang-result'), 'asa_s'), `${erlangA.asa_s.toFixed(1)} s`)
    // A what-if head count.
    await page.selectOption('[data-testid="erlang-model"]', 'c')
    await page.locator('[data-testid="erlang-agents"]').fill('12')
    await page.getByTestId('erlang-submit').click()
    const atAgents = page.getByTestId('erlang-at-agents')
    await atAgents.waitFor()
    const a = fixed.at_agents
    assert.equal(await atAgents.innerText(), `With ${integer(a.agents)} agents: service level ${decimal(a.service_level, 3)}, P(wait) ${decimal(a.p_wait, 3)}, ASA ${a.asa_s.toFixed(1)} s, occupancy ${decimal(a.occupancy, 3)}.`)
    await close()
  })

  test('handovers, live alerts and their empty states match the API', async () => {
    const { json: handovers } = await api('handovers')
    const { json: alerts } = await api('alerts')
    const { page, close } = await openPage(await pageOptions())
    await page.goto(`${baseUrl}/#/contacts?key=${encodeURIComponent(key)}`)
    for (const level of ['teams', 'agents']) {
      if (level === 'agents') await page.locator('[data-testid="handovers-card"] [data-level="agents"]').click()
      const list = [...handovers[level]].sort((a, b) => b.count - a.count).slice(0, 30)
      await page.waitForSelector(`[data-testid="handovers-card"] [data-level="${level}"][aria-pressed="true"]`)
      const rows = page.locator('[data-testid="handover-table"] tbody tr')
      assert.equal(await rows.count(), list.length)
      for (const [i, r] of list.entries()) {
        assert.equal(await cell(rows.nth(i), 'count'), integer(r.count))
        assert.equal(await cell(rows.nth(i), 'customers'), integer(r.customers))
        assert.equal(await cell(rows.nth(i), 'mean_extra_wait_s'), duration(r.mean_extra_wait_s))
      }
    }
    const card = page.getByTestId('alerts-card')
    await card.locator('[data-metric="alerts_total"]').waitFor()
    assert.equal(await cell(card, 'active'), integer(alerts.active.length))
    assert.equal(await cell(card, 'alerts_total'), integer(alerts.alerts_total))
    assert.equal(await cell(card, 'cleared_total'), integer(alerts.cleared_total))
    if (alerts.active.length === 0) assert.equal(await page.getByTestId('alerts-empty').innerText(), 'No queue is in breach right now.')
    else assert.equal(await page.locator('[data-testid="alerts-active"] li').count(), alerts.active.length)
    if (alerts.history.length === 0) await page.getByTestId('alerts-history-empty').waitFor()
    else assert.equal(await page.locator('[data-testid="alerts-history"] li').count(), Math.min(10, alerts.history.length))
    await page.getByTestId('alerts-card').screenshot({ path: join(artifacts, 'contacts-alerts.png') })
    await close()
  })

  test('agents: time split, occupancy and manual steps match /api/agents (a note when it answers 404)', async () => {
    const status = await agentsStatus()
    const { page, close } = await openPage(await pageOptions())
    await page.goto(`${baseUrl}/#/contacts?key=${encodeURIComponent(key)}`)
    const section = page.getByTestId('agents-section')
    await page.waitForSelector('[data-testid="agents-section"][data-available]')
    if (status === 404) {
      assert.equal(await section.getAttribute('data-available'), 'false')
      assert.ok((await page.getByTestId('agents-unavailable').innerText()).includes('GET /api/agents'))
      await section.screenshot({ path: join(artifacts, 'contacts-agents-unavailable.png') })
      await close()
      return
    }
    assert.equal(status, 200)
    const { json: report } = await api('agents')
    assert.equal(await section.getAttribute('data-available'), 'true')
    const kpis = page.getByTestId('agent-kpis')
    assert.equal(await cell(kpis, 'agents'), integer(report.total.agents))
    assert.equal(await cell(kpis, 'occupancy'), percent(report.total.occupancy))
    assert.equal(await cell(kpis, 'manual_steps_per_contact'), decimal(report.total.manual_steps_per_contact))
    const activities = ['handling', 'after_contact_work', 'manual_task', 'tool_lookup', 'ready_idle', 'not_ready', 'break']
    for (const level of ['teams', 'agents']) {
      if (level === 'agents') await section.locator('[data-level="agents"]').click()
      await page.waitForSelector(`[data-testid="agents-section"] [data-level="${level}"][aria-pressed="true"]`)
      await page.waitForSelector('[data-chart="agents-time"][data-rendered="true"]')
      await page.waitForFunction((l) => document.querySelector('[data-testid="agents-section"] .card-title')?.textContent.endsWith(l), level)
      const slices = report[level]
      const series = await chartSeries(page, 'agents-time')
      assert.equal(series.length, activities.length)
      for (const [k, activity] of activities.entries()) assert.deepEqual(series[k].data, slices.map((s) => Number(((s.time[`${activity}_s`] ?? 0) / 3600).toFixed(3))), activity)
      const rows = section.locator('[data-testid="agents-table"] tbody tr')
      assert.equal(await rows.count(), slices.length)
      for (const [i, s] of slices.entries()) {
        assert.equal(await cell(rows.nth(i), 'contacts'), integer(s.contacts))
        assert.equal(await cell(rows.nth(i), 'occupancy'), percent(s.occupancy))
        assert.equal(await cell(rows.nth(i), 'manual_steps_per_contact'), decimal(s.manual_steps_per_contact))
        assert.equal(await cell(rows.nth(i), 'logged_in_s'), duration(s.logged_in_s))
      }
      if (level === 'teams') await exportBoth(page, page.locator('.chart-card', { has: page.locator('[data-chart="agents-time"]') }), 'agents-time')
    }
    await section.screenshot({ path: join(artifacts, 'contacts-agents.png') })
    await close()
  })

  test('laptop and large type: the view lays out without errors', async () => {
    const { page, close } = await openPage({ width: 1366, height: 768, ...(await pageOptions()) })
    await page.goto(`${baseUrl}/#/contacts?key=${encodeURIComponent(key)}`)
    await page.waitForSelector('[data-chart="staffing-chart"][data-rendered="true"]')
    await page.screenshot({ path: join(artifacts, 'laptop-contacts.png'), fullPage: true })
    await page.getByTestId('large-type').click()
    await page.waitForSelector('[data-chart="staffing-chart"][data-rendered="true"]')
    await page.screenshot({ path: join(artifacts, 'contacts-large-type.png') })
    await page.getByTestId('large-type').click()
    await close()
  })
})
