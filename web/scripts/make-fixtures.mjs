//! Writes the fixtures of the endpoints that have no CLI counterpart
//! (`/api/meta`, `/api/touchpoints/{name}`, `/api/customers…`) from the demo
//! data set, so that the mock server answers consistently with map.json,
//! funnel.json and paths.json (computed by the CLI from the same data).
//!
//! Usage: node scripts/make-fixtures.mjs [DEMO_DIR]   (default /tmp/demo5k)
//! Reads DEMO_DIR/journey.toml, DEMO_DIR/traits.parquet and the Delta table
//! DEMO_DIR/events; writes fixtures/meta.json, fixtures/touchpoints.json and
//! fixtures/customers.json.gz (gzip: it holds every event of the ~1,000
//! customers the other fixtures name, value.json's too: run
//! make-return-fixtures.mjs first). Dev-only: the dashboard never imports this.

import { asyncBufferFromFile, parquetReadObjects } from 'hyparquet'
import { parse as parseToml } from 'smol-toml'
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { gzipSync } from 'node:zlib'
import { join, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'

const demoDirectory = process.argv[2] ?? '/tmp/demo5k'
const fixturesDirectory = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures')
const firstListLength = 50

const journey = parseToml(readFileSync(join(demoDirectory, 'journey.toml'), 'utf8'))
const map = JSON.parse(readFileSync(join(fixturesDirectory, 'map.json'), 'utf8'))
const funnelText = readFileSync(join(fixturesDirectory, 'funnel.json'), 'utf8')

// Customer keys are u64; the store keeps them as signed 64-bit integers.
const toUnsignedKey = (signed) => (signed < 0n ? signed + (1n << 64n) : signed).toString()

// Timestamps as the API sends them: ISO 8601 UTC with microseconds.
const isoMicros = (date) => date.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z')

async function readParquetFiles(directory) {
  const rows = []
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    const path = join(directory, entry.name)
    if (entry.isDirectory() && !entry.name.startsWith('_')) rows.push(...(await readParquetFiles(path)))
    else if (entry.name.endsWith('.parquet')) rows.push(...(await parquetReadObjects({ file: await asyncBufferFromFile(path) })))
  }
  return rows
}

const events = await readParquetFiles(join(demoDirectory, 'events'))
const traitRows = await parquetReadObjects({ file: await asyncBufferFromFile(join(demoDirectory, 'traits.parquet')) })

const touchpointDefinitions = new Map(journey.touchpoint.map((t) => [t.name, t]))
const traitsByCustomer = new Map()
for (const row of traitRows) {
  const key = toUnsignedKey(row.customer)
  const traits = traitsByCustomer.get(key) ?? {}
  traits[row.trait] = row.value
  traitsByCustomer.set(key, traits)
}
const personasOf = (traits) =>
  journey.persona
    .filter((persona) => persona.when.every((condition) => condition.in.includes(traits[condition.trait])))
    .map((persona) => persona.name)

// Events per customer in journey order (ts, event_id).
const eventsByCustomer = new Map()
for (const event of events) {
  const key = toUnsignedKey(event.customer)
  const list = eventsByCustomer.get(key) ?? []
  list.push(event)
  eventsByCustomer.set(key, list)
}
for (const list of eventsByCustomer.values()) {
  list.sort((a, b) => a.ts - b.ts || (a.event_id < b.event_id ? -1 : a.event_id > b.event_id ? 1 : 0))
}
const sortedCustomerKeys = [...eventsByCustomer.keys()].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1))

// --- /api/meta -----------------------------------------------------------
const timestamps = events.map((event) => event.ts.getTime())
const meta = {
  stages: journey.stages,
  cycle: journey.cycle,
  personas: journey.persona.map((persona) => ({ name: persona.name, description: persona.description })),
  touchpoints: journey.touchpoint.map((t) => ({ touchpoint: t.name, stage: t.stage, channel: t.channel, kind: t.kind, label: t.label })),
  channels: Object.entries(journey.channels).map(([channel, kind]) => ({ channel, kind })),
  customers: eventsByCustomer.size,
  events: events.length,
  from_us: Math.min(...timestamps) * 1000,
  to_us: Math.max(...timestamps) * 1000,
  traits: [...new Set(traitRows.map((row) => row.trait))].sort(),
  outcomes: {
    purchase: journey.outcomes?.purchase ?? [],
    conversion: journey.outcomes?.conversion ?? null,
    repurchase_days: journey.outcomes?.repurchase_days ?? null,
    churn_days: journey.outcomes?.churn_days ?? null,
    recommendation: journey.outcomes?.recommendation ?? [],
  },
}

// --- /api/touchpoints/{name} ---------------------------------------------
const touchpoints = {}
const referencedCustomers = new Set()
for (const statistics of map.touchpoints) {
  const name = statistics.touchpoint
  const customersHere = sortedCustomerKeys.filter((key) => eventsByCustomer.get(key).some((event) => event.touchpoint === name))
  const feedback = events
    .filter((event) => event.touchpoint === name && event.text)
    .sort((a, b) => b.ts - a.ts)
    .slice(0, firstListLength)
    .map((event) => ({
      customer: toUnsignedKey(event.customer),
      ts: isoMicros(event.ts),
      text: event.text,
      sentiment: event.sentiment,
      rating: event.rating,
      rating_scale: event.rating_scale,
    }))
  const customers = customersHere.slice(0, firstListLength)
  for (const key of customers) referencedCustomers.add(key)
  for (const item of feedback) referencedCustomers.add(item.customer)
  touchpoints[name] = {
    ...statistics,
    incoming: map.transitions.filter((transition) => transition.to === name),
    outgoing: map.transitions.filter((transition) => transition.from === name),
    feedback,
    // docs/api.md names this list `customers` as well as the count; the list
    // is sent as `customer_keys` (like a funnel step's) so both fit.
    customer_keys: customers,
  }
}
// The funnel's customer and drop-off lists (read as text: the keys exceed 2^53).
for (const match of funnelText.matchAll(/"(?:customer_keys|drop_off_keys)":\s*\[([^\]]*)\]/g)) {
  for (const key of match[1].split(',').map((s) => s.trim()).filter(Boolean)) referencedCustomers.add(key)
}

// The customers of the return-journey view (make-return-fixtures.mjs).
if (existsSync(join(fixturesDirectory, 'value.json'))) {
  const { answer } = JSON.parse(readFileSync(join(fixturesDirectory, 'value.json'), 'utf8'))
  for (const outlook of answer.outlooks) referencedCustomers.add(outlook.customer)
  for (const slipping of answer.slipping_away.ranked) referencedCustomers.add(slipping.customer)
}

// --- /api/customers/{customer} -------------------------------------------
const parseProperties = (text) => {
  if (text == null) return null
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}
const customers = [...referencedCustomers]
  .filter((key) => eventsByCustomer.has(key))
  .sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1))
  .map((key) => {
    const list = eventsByCustomer.get(key)
    const distinctIds = [...new Set(list.map((event) => event.distinct_id))]
    const traits = traitsByCustomer.get(key) ?? {}
    return {
      customer: key,
      distinct_ids: distinctIds,
      // Every demo customer has one identity; it is the root of its own group.
      identities: distinctIds.map((id) => ({
        id,
        linked_to: null,
        reason: 'first seen',
        at: isoMicros(list.find((event) => event.distinct_id === id).ts),
      })),
      traits,
      personas: personasOf(traits),
      events: list.map((event) => {
        const definition = touchpointDefinitions.get(event.touchpoint)
        return {
          event_id: event.event_id,
          ts: isoMicros(event.ts),
          touchpoint: event.touchpoint,
          stage: event.stage ?? definition?.stage ?? null,
          channel: event.channel,
          kind: event.channel_kind ?? definition?.kind ?? journey.channels[event.channel] ?? null,
          agent: event.agent,
          text: event.text,
          sentiment: event.sentiment,
          rating: event.rating,
          rating_scale: event.rating_scale,
          emotion: event.emotion,
          value: event.value,
          wait_s: event.wait_s,
          handle_s: event.handle_s,
          resolved: event.resolved,
          abandoned: event.abandoned,
          properties: parseProperties(event.properties),
        }
      }),
    }
  })

writeFileSync(join(fixturesDirectory, 'meta.json'), JSON.stringify(meta, null, 2) + '\n')
writeFileSync(join(fixturesDirectory, 'touchpoints.json'), JSON.stringify(touchpoints) + '\n')
writeFileSync(join(fixturesDirectory, 'customers.json.gz'), gzipSync(JSON.stringify(customers) + '\n', { level: 9 }))
console.log(`meta: ${meta.customers} customers, ${meta.events} events; ${Object.keys(touchpoints).length} touchpoints; ${customers.length} customer details`)
