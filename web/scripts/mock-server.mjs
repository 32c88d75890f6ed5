//! A dev-only stand-in for `touchpoint serve`: serves web/dist at `/` and
//! answers the query API of docs/api.md from web/fixtures, so the dashboard
//! and its browser tests run without the Rust server.
//!
//! It answers only what the fixtures hold: the map (all customers and each
//! persona), one funnel (product_page,cart,checkout,order_confirmation_email,
//! 14d, ordered; plain or broken down by channel), the default paths, the
//! variants, every touchpoint, ~900 customers, and the return journey:
//! retention triangles (any touchpoint: first-time or recurring, by day
//! (14), week or month (12), plain or cumulative, of the total or the
//! previous period; purchases: week or month, plain), lifecycles (any
//! touchpoint or purchases, by day, week or month) and the value models
//! with their defaults. Other queries get a 422
//! problem+json that says so. Filters the fixtures cannot honour are refused
//! the same way rather than ignored.
//!
//! Usage: node scripts/mock-server.mjs [--port 7071]
//! Env: TOUCHPOINT_KEY (read key, default tp_read_mock), MOCK_DELAY_MS.

import { createServer } from 'node:http'
import { readFileSync, existsSync, statSync } from 'node:fs'
import { gunzipSync } from 'node:zlib'
import { join, dirname, extname, normalize } from 'node:path'
import { fileURLToPath } from 'node:url'

const webDirectory = join(dirname(fileURLToPath(import.meta.url)), '..')
const fixtures = join(webDirectory, 'fixtures')
const dist = join(webDirectory, 'dist')
const portArgument = process.argv.indexOf('--port')
const port = Number(portArgument > 0 ? process.argv[portArgument + 1] : process.env.MOCK_PORT ?? 7071)
const readKey = process.env.TOUCHPOINT_KEY ?? 'tp_read_mock'
const delayMs = Number(process.env.MOCK_DELAY_MS ?? 0)

const readFixture = (name) => JSON.parse(readFileSync(join(fixtures, name), 'utf8'))
// The CLI prints customer keys as JSON numbers; the API sends them as strings
// (they exceed 2^53). Convert in the text, before JSON.parse can round them.
const keysAsStrings = (text) =>
  text.replace(/"(customer_keys|drop_off_keys)":\s*\[([^\]]*)\]/g, (_, field, list) => {
    const keys = list.split(',').map((s) => s.trim()).filter(Boolean).map((s) => (s.startsWith('"') ? s : `"${s}"`))
    return `"${field}": [${keys.join(', ')}]`
  })
const readKeyedFixture = (name) => JSON.parse(keysAsStrings(readFileSync(join(fixtures, name), 'utf8')))

const meta = readFixture('meta.json')
const map = readFixture('map.json')
const funnel = readKeyedFixture('funnel.json')
const funnelByChannel = readKeyedFixture('funnel-breakdown.json')
const paths = readFixture('paths.json')
const variants = readFixture('variants.json')
const touchpoints = readFixture('touchpoints.json')
const retentionAnswers = readFixture('retention.json')
const lifecycleAnswers = readFixture('lifecycle.json')
const valueAnswer = readFixture('value.json')
const repeatAnswer = readFixture('repeat.json')
const stickinessAnswer = readFixture('stickiness.json')
const customers = JSON.parse(gunzipSync(readFileSync(join(fixtures, 'customers.json.gz'))).toString('utf8'))
const customersByKey = new Map(customers.map((c) => [c.customer, c]))
const personaNames = new Set(meta.personas.map((p) => p.name))

class Problem extends Error {
  constructor(status, code, detail) {
    super(detail)
    this.status = status
    this.code = code
  }
}
const titles = { 400: 'Bad Request', 401: 'Unauthorized', 404: 'Not Found', 405: 'Method Not Allowed', 422: 'Unprocessable Content' }

function refuseFilters(query, allowed) {
  for (const name of new Set(query.keys())) {
    if (!allowed.includes(name)) throw new Problem(422, 'mock_unsupported', `The mock server cannot apply the parameter ${name}; run the dashboard against \`touchpoint serve\` for it.`)
  }
}

function personaOf(query) {
  const persona = query.get('persona')
  if (!persona) return null
  if (!personaNames.has(persona)) throw new Problem(400, 'bad_parameter', `no persona named "${persona}" in journey.toml`)
  return persona
}

/** A persona's map: its fixture when there is one, else the persona breakdown of the full map. */
function personaMap(persona) {
  const fixture = `map-${persona}.json`
  if (existsSync(join(fixtures, fixture))) return readFixture(fixture)
  const breakdown = map.personas.find((p) => p.persona === persona)
  if (!breakdown) throw new Problem(400, 'bad_parameter', `no persona named "${persona}" in journey.toml`)
  return { customers: breakdown.customers, touchpoints: breakdown.touchpoints, stages: breakdown.stages, personas: [], transitions: [], starts: {}, ends: {} }
}

/**
 * A touchpoint seen by one persona, as near as the fixtures allow: statistics
 * and transitions from the persona's map; feedback and customers are the
 * unfiltered lists (first 50) narrowed to the persona's members.
 */
function personaTouchpoint(detail, persona) {
  const personaView = personaMap(persona)
  const statistics = personaView.touchpoints.find((t) => t.touchpoint === detail.touchpoint)
  const member = (key) => customersByKey.get(key)?.personas.includes(persona) ?? false
  return {
    ...detail,
    ...(statistics ?? { events: 0, customers: 0, drop_off: null, emotion: null }),
    incoming: personaView.transitions.filter((t) => t.to === detail.touchpoint),
    outgoing: personaView.transitions.filter((t) => t.from === detail.touchpoint),
    feedback: detail.feedback.filter((f) => member(f.customer)),
    customer_keys: detail.customer_keys.filter(member),
  }
}

function expectParameter(query, name, expected, defaultValue) {
  const value = query.get(name) ?? defaultValue
  if (String(value) !== String(expected)) throw new Problem(422, 'mock_unsupported', `The mock server holds one answer only (${name}=${expected}); got ${name}=${value}.`)
}

function answerFunnel(query) {
  refuseFilters(query, ['steps', 'window', 'mode', 'breakdown', 'attribution'])
  expectParameter(query, 'steps', 'product_page,cart,checkout,order_confirmation_email', '')
  expectParameter(query, 'window', '14d', '14d')
  expectParameter(query, 'mode', 'ordered', 'ordered')
  expectParameter(query, 'attribution', 'first', 'first')
  const breakdown = query.get('breakdown')
  if (!breakdown) return funnel
  if (breakdown === 'channel') return funnelByChannel
  throw new Problem(422, 'mock_unsupported', `The mock server holds the breakdown by channel only; got ${breakdown}.`)
}

function answerPaths(query) {
  refuseFilters(query, ['max_steps', 'max_edges', 'session_gap'])
  expectParameter(query, 'max_steps', 5, 5)
  expectParameter(query, 'max_edges', 50, 50)
  expectParameter(query, 'session_gap', '30m', '30m')
  return paths
}

const unsupported = (detail) => new Problem(422, 'mock_unsupported', `${detail} The mock server holds a few answers only; run the dashboard against \`touchpoint serve\` for others.`)
const touchpointNames = new Set(meta.touchpoints.map((t) => t.touchpoint))

/** A repeatable touchpoint parameter as a sorted list, checked against journey.toml. */
function touchpointList(query, name) {
  const values = query.getAll(name).flatMap((value) => value.split(',')).map((value) => value.trim()).filter(Boolean)
  for (const value of values) if (!touchpointNames.has(value)) throw new Problem(400, 'unknown_touchpoint', `no touchpoint named "${value}"`)
  return [...new Set(values)].sort()
}

function oneOf(query, name, allowed, defaultValue) {
  const value = query.get(name) ?? defaultValue
  if (value === undefined) throw new Problem(400, 'bad_parameter', `${name} is required (${allowed.join(', ')})`)
  if (!allowed.includes(value)) throw new Problem(400, 'bad_parameter', `${name} must be one of ${allowed.join(', ')}, got "${value}"`)
  return value
}

function positiveInteger(query, name) {
  const text = query.get(name)
  if (text === null) throw new Problem(400, 'bad_parameter', `${name} is required`)
  const value = Number(text)
  if (!Number.isInteger(value) || value < 1 || value > 400) throw new Problem(400, 'bad_parameter', `${name} must be an integer from 1 to 400, got "${text}"`)
  return value
}

function booleanParameter(query, name) {
  const text = query.get(name) ?? 'false'
  if (text !== 'true' && text !== 'false') throw new Problem(400, 'bad_parameter', `${name} must be true or false, got "${text}"`)
  return text === 'true'
}

const sameQuery = (held, asked) => Object.entries(asked).every(([name, value]) => JSON.stringify(held[name]) === JSON.stringify(value))
const describe = (asked) => Object.entries(asked).map(([name, value]) => `${name}=${Array.isArray(value) ? value.join(',') || '(any)' : value}`).join(', ')

function answerRetention(query) {
  refuseFilters(query, ['start', 'return', 'retention_type', 'period', 'periods', 'cumulative', 'reference'])
  const asked = {
    start: touchpointList(query, 'start'),
    return: touchpointList(query, 'return'),
    retention_type: oneOf(query, 'retention_type', ['first_time', 'recurring'], 'first_time'),
    period: oneOf(query, 'period', ['day', 'week', 'month']),
    periods: positiveInteger(query, 'periods'),
    cumulative: booleanParameter(query, 'cumulative'),
    reference: oneOf(query, 'reference', ['total', 'previous'], 'total'),
  }
  const held = retentionAnswers.find((entry) => sameQuery(entry.query, asked))
  if (!held) throw unsupported(`No retention fixture for ${describe(asked)}.`)
  return held.answer
}

function answerLifecycle(query) {
  refuseFilters(query, ['touchpoint', 'period', 'periods'])
  const asked = { touchpoint: touchpointList(query, 'touchpoint'), period: oneOf(query, 'period', ['day', 'week', 'month']), periods: positiveInteger(query, 'periods') }
  const held = lifecycleAnswers.find((entry) => sameQuery(entry.query, asked))
  if (!held) throw unsupported(`No lifecycle fixture for ${describe(asked)}.`)
  return held.answer
}

function answerValue(query) {
  refuseFilters(query, ['purchase', 'calibration_end', 'period', 'limit'])
  const purchase = touchpointList(query, 'purchase')
  const asked = {
    purchase: purchase.length ? purchase : [...meta.outcomes.purchase].sort(),
    calibration_end: query.get('calibration_end') ?? valueAnswer.query.calibration_end,
    period: oneOf(query, 'period', ['day', 'week'], 'week'),
    limit: query.has('limit') ? positiveInteger(query, 'limit') : 200,
  }
  if (!sameQuery(valueAnswer.query, asked)) throw unsupported(`No value fixture for ${describe(asked)}.`)
  return valueAnswer.answer
}

function searchCustomers(query) {
  const q = (query.get('q') ?? '').trim().toLowerCase()
  const limit = Number(query.get('limit') ?? 20)
  if (!Number.isInteger(limit) || limit < 1) throw new Problem(400, 'bad_parameter', `limit must be a positive integer, got ${query.get('limit')}`)
  if (!q) return []
  return customers
    .filter((c) => c.customer.startsWith(q) || c.distinct_ids.some((id) => id.toLowerCase().startsWith(q)) || Object.values(c.traits).some((v) => String(v).toLowerCase() === q))
    .slice(0, limit)
    .map((c) => ({ customer: c.customer, distinct_ids: c.distinct_ids, events: c.events.length, first_ts: c.events[0]?.ts ?? null, last_ts: c.events.at(-1)?.ts ?? null }))
}

const mockPaths = ['/api/meta', '/api/map', '/api/funnel', '/api/paths', '/api/variants', '/api/customers', '/api/customers/{customer}', '/api/touchpoints/{name}', '/api/retention', '/api/lifecycle', '/api/value', '/api/repeat', '/api/stickiness', '/api/openapi.json']

function answerApi(path, query) {
  if (path === '/api/meta') return meta
  if (path === '/api/map') {
    refuseFilters(query, ['persona'])
    const persona = personaOf(query)
    return persona ? personaMap(persona) : map
  }
  if (path === '/api/funnel') return answerFunnel(query)
  if (path === '/api/paths') return answerPaths(query)
  if (path === '/api/variants') {
    refuseFilters(query, [])
    return variants
  }
  if (path === '/api/customers') return searchCustomers(query)
  if (path === '/api/retention') return answerRetention(query)
  if (path === '/api/lifecycle') return answerLifecycle(query)
  if (path === '/api/value') return answerValue(query)
  if (path === '/api/repeat') {
    refuseFilters(query, [])
    return repeatAnswer
  }
  if (path === '/api/stickiness') {
    refuseFilters(query, ['period', 'periods'])
    expectParameter(query, 'period', 'week', 'week')
    expectParameter(query, 'periods', 8, 8)
    return stickinessAnswer
  }
  // The endpoints the mock answers, so the dashboard asks for no others (e.g. /api/agents).
  if (path === '/api/openapi.json') return { openapi: '3.1.0', info: { title: 'touchpoint mock', version: '0' }, paths: Object.fromEntries(mockPaths.map((p) => [p, {}])) }
  let match = path.match(/^\/api\/touchpoints\/([^/]+)$/)
  if (match) {
    refuseFilters(query, ['persona'])
    const name = decodeURIComponent(match[1])
    const detail = touchpoints[name]
    if (!detail) throw new Problem(404, 'unknown_touchpoint', `no touchpoint named "${name}"`)
    const persona = personaOf(query)
    return persona ? personaTouchpoint(detail, persona) : detail
  }
  match = path.match(/^\/api\/customers\/([^/]+)$/)
  if (match) {
    const key = decodeURIComponent(match[1])
    if (!/^\d+$/.test(key)) throw new Problem(400, 'bad_parameter', `customer key must be an unsigned integer, got "${key}"`)
    const customer = customersByKey.get(key)
    if (!customer) throw new Problem(404, 'unknown_customer', `no customer ${key} (the mock server knows ${customers.length} customers)`)
    return customer
  }
  throw new Problem(404, 'not_found', `no endpoint ${path}`)
}

const contentTypes = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml', '.png': 'image/png', '.json': 'application/json', '.ico': 'image/x-icon' }

function serveStatic(path, response) {
  const relative = normalize(decodeURIComponent(path === '/' ? '/index.html' : path)).replace(/^(\.\.[/\\])+/, '')
  const file = join(dist, relative)
  if (!file.startsWith(dist) || !existsSync(file) || !statSync(file).isFile()) {
    if (!existsSync(join(dist, 'index.html'))) {
      response.writeHead(503, { 'Content-Type': 'text/plain' }).end('web/dist is missing: run `npm run build` first.\n')
      return
    }
    response.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found\n')
    return
  }
  response.writeHead(200, { 'Content-Type': contentTypes[extname(file)] ?? 'application/octet-stream', 'Cache-Control': 'no-cache' })
  response.end(readFileSync(file))
}

const server = createServer(async (request, response) => {
  const url = new URL(request.url ?? '/', 'http://localhost')
  if (!url.pathname.startsWith('/api/')) return serveStatic(url.pathname, response)
  if (delayMs) await new Promise((resolve) => setTimeout(resolve, delayMs))
  try {
    if (request.method !== 'GET') throw new Problem(405, 'method_not_allowed', `${request.method} is not served by the mock`)
    if (request.headers.authorization !== `Bearer ${readKey}`) throw new Problem(401, 'unauthorized', 'missing or wrong read key')
    const body = JSON.stringify(answerApi(url.pathname, url.searchParams))
    response.writeHead(200, { 'Content-Type': 'application/json' }).end(body)
  } catch (error) {
    const status = error instanceof Problem ? error.status : 500
    const problem = { type: 'about:blank', title: titles[status] ?? 'Internal Server Error', status, detail: error.message, code: error instanceof Problem ? error.code : 'internal' }
    response.writeHead(status, { 'Content-Type': 'application/problem+json' }).end(JSON.stringify(problem))
  }
})

server.listen(port, '127.0.0.1', () => {
  console.log(`touchpoint mock server on http://127.0.0.1:${port}/#key=${readKey}`)
})
