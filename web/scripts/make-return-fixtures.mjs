//! Writes the return-journey fixtures of the mock server
//! (`fixtures/retention.json`, `lifecycle.json`, `value.json`) from the demo
//! data set, following the definitions of crates/journey/src/retention and
//! crates/journey/src/value (PostHog's retention and lifecycle semantics,
//! BG/NBD, Pareto/NBD and Gamma-Gamma fitted by maximum likelihood, RFM
//! quintiles, the slipping-away ranking). A naive re-implementation for the
//! mock only: the real answers come from `touchpoint serve`.
//!
//! retention.json and lifecycle.json hold a list of `{query, answer}`: the
//! parameters the mock accepts (after defaults) and the report it sends.
//! value.json is the one answer of `/api/value` with its defaults.
//!
//! Usage: node scripts/make-return-fixtures.mjs [DEMO_DIR]   (default /tmp/demo5k)
//! Run it before `npm run fixtures`, which adds the customers value.json
//! names to customers.json.gz.

import { asyncBufferFromFile, parquetReadObjects } from 'hyparquet'
import { parse as parseToml } from 'smol-toml'
import { readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { join, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'

const demoDirectory = process.argv[2] ?? '/tmp/demo5k'
const fixturesDirectory = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures')
const journey = parseToml(readFileSync(join(demoDirectory, 'journey.toml'), 'utf8'))

const DAY_MS = 86_400_000
const toUnsignedKey = (signed) => (signed < 0n ? signed + (1n << 64n) : signed).toString()
const isoMicros = (ms) => new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z')
const isoDate = (ms) => new Date(ms).toISOString().slice(0, 10)

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
const traitsByCustomer = new Map()
for (const row of traitRows) {
  const key = toUnsignedKey(row.customer)
  const traits = traitsByCustomer.get(key) ?? {}
  traits[row.trait] = row.value
  traitsByCustomer.set(key, traits)
}
const personaNames = journey.persona.map((persona) => persona.name)
const personasOf = (traits) =>
  journey.persona.filter((persona) => persona.when.every((condition) => condition.in.includes(traits[condition.trait]))).map((persona) => persona.name)

/** Customers in key order, each with events (ms, touchpoint, emotion, value) in time order. */
const byKey = new Map()
for (const event of events) {
  const key = toUnsignedKey(event.customer)
  const list = byKey.get(key) ?? []
  list.push({ ms: event.ts.getTime(), id: event.event_id, touchpoint: event.touchpoint, emotion: event.emotion, value: event.value })
  byKey.set(key, list)
}
const customers = [...byKey.entries()]
  .sort(([a], [b]) => (BigInt(a) < BigInt(b) ? -1 : 1))
  .map(([key, list]) => {
    list.sort((a, b) => a.ms - b.ms || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    return { key, events: list, personas: new Set(personasOf(traitsByCustomer.get(key) ?? {})) }
  })
const firstEventMs = Math.min(...events.map((e) => e.ts.getTime()))
const lastEventMs = Math.max(...events.map((e) => e.ts.getTime()))

// --- Calendar: UTC days, ISO weeks from Monday, months ---------------------
function periodStartMs(period, ms) {
  const day = Math.floor(ms / DAY_MS)
  if (period === 'day') return day * DAY_MS
  if (period === 'week') return (day - ((day + 3) % 7)) * DAY_MS
  const date = new Date(ms)
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1)
}
function periodNumber(period, ms) {
  const start = periodStartMs(period, ms)
  if (period === 'month') {
    const date = new Date(start)
    return date.getUTCFullYear() * 12 + date.getUTCMonth()
  }
  return Math.round(start / DAY_MS / (period === 'week' ? 7 : 1))
}
function periodStarts(period, fromMs, count) {
  const starts = []
  let start = periodStartMs(period, fromMs)
  for (let i = 0; i < count; i++) {
    starts.push(start)
    if (period === 'day') start += DAY_MS
    else if (period === 'week') start += 7 * DAY_MS
    else {
      const date = new Date(start)
      start = Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1)
    }
  }
  return starts
}

const matches = (names) => (touchpoint) => names.length === 0 || names.includes(touchpoint)
const groupsOf = () => [{ group: 'all', member: () => true }, ...personaNames.map((name) => ({ group: name, member: (c) => c.personas.has(name) }))]
const share = (numerator, denominator) => (denominator > 0 ? numerator / denominator : null)

// --- Retention (cohorts.rs) ------------------------------------------------
function retention({ start, returning, retention_type, period, periods, cumulative, reference }) {
  const starts = periodStarts(period, firstEventMs, periods)
  const first = periodNumber(period, starts[0])
  const isStart = matches(start)
  const isReturn = matches(returning)
  const groups = groupsOf().map(({ group, member }) => {
    const counts = starts.map((_, c) => new Array(periods - c).fill(0))
    for (const customer of customers.filter(member)) {
      const startEvents = customer.events.filter((e) => isStart(e.touchpoint))
      if (startEvents.length === 0) continue
      let cohorts
      if (retention_type === 'first_time') cohorts = [periodNumber(period, startEvents[0].ms) - first]
      else cohorts = [...new Set(startEvents.map((e) => periodNumber(period, e.ms) - first))]
      cohorts = cohorts.filter((c) => c >= 0 && c < periods)
      const returnPeriods = new Set(customer.events.filter((e) => isReturn(e.touchpoint)).map((e) => periodNumber(period, e.ms) - first))
      for (const c of cohorts) {
        counts[c][0] += 1
        const returned = []
        for (let k = 1; c + k < periods; k++) if (returnPeriods.has(c + k)) returned.push(k)
        if (cumulative) {
          const last = returned.at(-1) ?? 0
          for (let k = 1; k <= last; k++) counts[c][k] += 1
        } else for (const k of returned) counts[c][k] += 1
      }
    }
    return {
      group,
      cohorts: starts.map((startMs, c) => {
        const values = counts[c]
        const size = values[0]
        return {
          cohort_start_us: startMs * 1000,
          cohort_start: isoDate(startMs),
          size,
          values,
          shares: values.map((value, k) => (reference === 'previous' && k > 0 ? share(value, values[k - 1]) : share(value, size))),
        }
      }),
    }
  })
  return { period, retention_type, cumulative, reference, groups }
}

// --- Lifecycle (lifecycle.rs), new = first seen ----------------------------
function lifecycle({ touchpoint, period, periods }) {
  const starts = periodStarts(period, firstEventMs, periods)
  const first = periodNumber(period, starts[0])
  const isActive = matches(touchpoint)
  const groups = groupsOf().map(({ group, member }) => {
    const rows = starts.map((ms) => ({ period_start_us: ms * 1000, period_start: isoDate(ms), new: 0, returning: 0, resurrecting: 0, dormant: 0 }))
    for (const customer of customers.filter(member)) {
      const newPeriod = periodNumber(period, customer.events[0].ms) - first
      const active = new Set(customer.events.filter((e) => isActive(e.touchpoint)).map((e) => periodNumber(period, e.ms) - first))
      for (let k = 0; k < periods; k++) {
        const now = active.has(k)
        const before = active.has(k - 1)
        if (now && k === newPeriod) rows[k].new += 1
        else if (now && before) rows[k].returning += 1
        else if (now) rows[k].resurrecting += 1
        else if (before) rows[k].dormant += 1
      }
    }
    return { group, periods: rows }
  })
  return { period, new_customer: 'first_seen', groups }
}

// --- Special functions and a Nelder–Mead minimiser -------------------------
const lanczos = [676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7]
function lnGamma(x) {
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - lnGamma(1 - x)
  x -= 1
  let sum = 0.99999999999980993
  for (let i = 0; i < 8; i++) sum += lanczos[i] / (x + i + 1)
  const t = x + 7.5
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(sum)
}
/** Gauss's 2F1(a, b; c; z) by its power series, for 0 ≤ z < 1. */
function hyp2f1(a, b, c, z) {
  let term = 1
  let sum = 1
  for (let n = 0; n < 100_000; n++) {
    term *= ((a + n) * (b + n)) / ((c + n) * (n + 1)) * z
    sum += term
    if (Math.abs(term) < 1e-15 * Math.abs(sum)) break
  }
  return sum
}
function nelderMead(f, start, iterations = 4000) {
  const n = start.length
  let simplex = [start, ...start.map((_, i) => start.map((v, j) => (i === j ? v + 0.5 : v)))].map((p) => ({ p, v: f(p) }))
  for (let it = 0; it < iterations; it++) {
    simplex.sort((a, b) => a.v - b.v)
    if (Math.abs(simplex[n].v - simplex[0].v) < 1e-10) break
    const centroid = start.map((_, j) => simplex.slice(0, n).reduce((s, q) => s + q.p[j], 0) / n)
    const along = (t) => centroid.map((c, j) => c + t * (simplex[n].p[j] - c))
    const reflected = along(-1)
    const vr = f(reflected)
    if (vr < simplex[0].v) {
      const expanded = along(-2)
      const ve = f(expanded)
      simplex[n] = ve < vr ? { p: expanded, v: ve } : { p: reflected, v: vr }
    } else if (vr < simplex[n - 1].v) simplex[n] = { p: reflected, v: vr }
    else {
      const contracted = along(0.5)
      const vc = f(contracted)
      if (vc < simplex[n].v) simplex[n] = { p: contracted, v: vc }
      else simplex = simplex.map((q, i) => (i === 0 ? q : { p: q.p.map((v, j) => simplex[0].p[j] + 0.5 * (v - simplex[0].p[j])), v: 0 })).map((q, i) => (i === 0 ? q : { p: q.p, v: f(q.p) }))
    }
  }
  simplex.sort((a, b) => a.v - b.v)
  return simplex[0]
}
const finiteOr = (value) => (Number.isFinite(value) ? value : 1e300)
// The demo data are simulated with little heterogeneity, where the
// unbounded maximum-likelihood estimates run off to degenerate corners
// (a, b → ∞; Gamma-Gamma p → ∞, γ → 0). The fixtures keep every parameter
// within e^±7 so that the mock's answer looks like a real data set's.
const boundedLog = 7
const withinBounds = (objective) => (logParameters) => (logParameters.every((v) => Math.abs(v) <= boundedLog) ? finiteOr(objective(logParameters.map(Math.exp))) : 1e300)

// --- Purchases, summaries (summary.rs), weeks ------------------------------
const purchaseTouchpoints = journey.outcomes.purchase
const calibrationEndDay = Math.floor(lastEventMs / DAY_MS)
const periodDays = 7
function summarize(purchaseDays, endDay) {
  const calibration = purchaseDays.filter(([day]) => day <= endDay)
  if (calibration.length === 0) return null
  const [firstDay] = calibration[0]
  const repeats = calibration.slice(1)
  return {
    x: repeats.length,
    tx: (calibration.at(-1)[0] - firstDay) / periodDays,
    T: (endDay - firstDay) / periodDays,
    m: repeats.length ? repeats.reduce((s, [, v]) => s + v, 0) / repeats.length : 0,
    lastDay: calibration.at(-1)[0],
    days: calibration.length,
    total: calibration.reduce((s, [, v]) => s + v, 0),
  }
}
const buyers = []
for (const customer of customers) {
  const perDay = new Map()
  for (const e of customer.events) {
    if (!purchaseTouchpoints.includes(e.touchpoint)) continue
    const day = Math.floor(e.ms / DAY_MS)
    perDay.set(day, (perDay.get(day) ?? 0) + (e.value ?? 0))
  }
  const days = [...perDay.entries()].sort((a, b) => a[0] - b[0])
  const now = summarize(days, calibrationEndDay)
  if (now) buyers.push({ customer, now, before: summarize(days, calibrationEndDay - 30) })
}

// BG/NBD (Fader, Hardie & Lee 2005).
function bgnbdLogLikelihood([r, alpha, a, b]) {
  let total = 0
  for (const { now: { x, tx, T } } of buyers) {
    const head = lnGamma(r + x) - lnGamma(r) + r * Math.log(alpha) + lnGamma(a + b) + lnGamma(b + x) - lnGamma(b) - lnGamma(a + b + x)
    const alive = -(r + x) * Math.log(alpha + T)
    let term = Math.exp(alive)
    if (x > 0) term += Math.exp(Math.log(a) - Math.log(b + x - 1) - (r + x) * Math.log(alpha + tx))
    total += head + Math.log(term)
  }
  return total
}
const bgnbdFit = nelderMead(withinBounds((p) => -bgnbdLogLikelihood(p)), [0, Math.log(10), 0, 0])
const [r, alpha, a, b] = bgnbdFit.p.map(Math.exp)
const bgnbd = { r, alpha, a, b, log_likelihood: -bgnbdFit.v }
const pAlive = ({ x, tx, T }) => (x === 0 ? 1 : 1 / (1 + (a / (b + x - 1)) * ((alpha + T) / (alpha + tx)) ** (r + x)))
function expectedPurchases(t, s) {
  const { x, tx, T } = s
  const z = t / (alpha + T + t)
  const power = ((alpha + T) / (alpha + T + t)) ** (r + x)
  const odds = x === 0 ? 0 : (a / (b + x - 1)) * ((alpha + T) / (alpha + tx)) ** (r + x)
  return ((a + b + x - 1) / (a - 1)) * (1 - power * hyp2f1(r + x, b + x, a + b + x - 1, z)) / (1 + odds)
}

// Pareto/NBD (Fader & Hardie 2005, "A note on deriving the Pareto/NBD model").
function paretoLogLikelihood([pr, palpha, s, beta]) {
  let total = 0
  for (const { now: { x, tx, T } } of buyers) {
    const rsx = pr + s + x
    let a0
    if (palpha >= beta) {
      const f = (t) => hyp2f1(rsx, s + 1, rsx + 1, (palpha - beta) / (palpha + t)) / (palpha + t) ** rsx
      a0 = f(tx) - f(T)
    } else {
      const f = (t) => hyp2f1(rsx, pr + x, rsx + 1, (beta - palpha) / (beta + t)) / (beta + t) ** rsx
      a0 = f(tx) - f(T)
    }
    const inner = 1 / ((palpha + T) ** (pr + x) * (beta + T) ** s) + (s / rsx) * a0
    total += lnGamma(pr + x) - lnGamma(pr) + pr * Math.log(palpha) + s * Math.log(beta) + Math.log(inner)
  }
  return total
}
const paretoFit = nelderMead(withinBounds((p) => -paretoLogLikelihood(p)), [0, Math.log(10), 0, Math.log(10)], 1500)
const [pr, palpha, ps, pbeta] = paretoFit.p.map(Math.exp)
const pareto_nbd = { r: pr, alpha: palpha, s: ps, beta: pbeta, log_likelihood: -paretoFit.v }

// Gamma-Gamma over the customers with repeat purchases.
const spenders = buyers.filter(({ now }) => now.x > 0 && now.m > 0)
function gammaGammaLogLikelihood([p, q, gamma]) {
  let total = 0
  for (const { now: { x, m } } of spenders) {
    const px = p * x
    total += -lnGamma(q) + q * Math.log(gamma) + lnGamma(px + q) - lnGamma(px) + (px - 1) * Math.log(m) + px * Math.log(x) - (px + q) * Math.log(gamma + m * x)
  }
  return total
}
const gammaGammaFit = nelderMead(withinBounds((p) => -gammaGammaLogLikelihood(p)), [0, 0, Math.log(spenders.reduce((sum, { now }) => sum + now.m, 0) / spenders.length)])
const [gp, gq, ggamma] = gammaGammaFit.p.map(Math.exp)
const gamma_gamma = { p: gp, q: gq, gamma: ggamma }
const expectedSpend = ({ x, m }) => (gp * (ggamma + m * x)) / (gp * x + gq - 1)

// Outlooks (slipping.rs OutlookOptions::new, weekly).
const forecastPeriods = 365 / periodDays
const cashFlowPeriod = 30 / periodDays
function clv(s) {
  const spend = expectedSpend(s)
  let total = 0
  let previous = 0
  for (let k = 1; k <= 12; k++) {
    const cumulative = expectedPurchases(k * cashFlowPeriod, s)
    total += (spend * (cumulative - previous)) / 1.01 ** k
    previous = cumulative
  }
  return total
}
const outlooks = buyers.map(({ customer, now, before }) => ({
  customer: customer.key,
  p_alive: pAlive(now),
  p_alive_before: before ? pAlive(before) : null,
  expected_purchases: expectedPurchases(forecastPeriods, now),
  clv: clv(now),
}))

// RFM (rfm.rs): recency in days, purchase days, total value.
function quintiles(values) {
  const sorted = [...values].sort((p, q) => p - q)
  const below = (v) => sorted.findIndex((w) => w >= v)
  const upTo = (v) => {
    const i = sorted.findIndex((w) => w > v)
    return i < 0 ? sorted.length : i
  }
  return values.map((v) => Math.min(5, 1 + Math.floor((5 * (below(v) + 0.5 * (upTo(v) - below(v)))) / sorted.length)))
}
function segment(rScore, fm) {
  if (rScore === 5 && fm === 1) return 'new'
  if (rScore === 5 && fm >= 4) return 'champions'
  if (rScore >= 4 && fm >= 2 && fm <= 3) return 'potential_loyalist'
  if (rScore === 4 && fm === 1) return 'promising'
  if (rScore >= 3 && fm >= 4) return 'loyal'
  if (rScore === 3 && fm === 3) return 'need_attention'
  if (rScore === 3) return 'about_to_sleep'
  if (rScore === 1 && fm === 1) return 'lost'
  if (fm <= 2) return 'hibernating'
  if (fm <= 4) return 'at_risk'
  return 'cant_lose'
}
const recencyScores = quintiles(buyers.map(({ now }) => -(calibrationEndDay - now.lastDay)))
const frequencyScores = quintiles(buyers.map(({ now }) => now.days))
const monetaryScores = quintiles(buyers.map(({ now }) => now.total))
const segmentOrder = ['champions', 'loyal', 'potential_loyalist', 'new', 'promising', 'need_attention', 'about_to_sleep', 'at_risk', 'cant_lose', 'hibernating', 'lost']
const segmentCounts = new Map(segmentOrder.map((name) => [name, 0]))
buyers.forEach((_, i) => {
  const name = segment(recencyScores[i], Math.ceil((frequencyScores[i] + monetaryScores[i]) / 2))
  segmentCounts.set(name, segmentCounts.get(name) + 1)
})
const rfm = segmentOrder.map((name) => ({ segment: name, customers: segmentCounts.get(name) }))

// Slipping away (slipping.rs): poor experiences below −0.3, last 3.
// Emotions are f32 in the store; serde writes their shortest f32 form.
const f32 = (value) => {
  const single = Math.fround(value)
  for (let digits = 1; digits < 10; digits++) {
    const text = Number(single.toPrecision(digits))
    if (Math.fround(text) === single) return text
  }
  return single
}
const poorByCustomer = new Map()
for (const customer of customers) {
  const poor = customer.events.filter((e) => e.emotion !== null && e.emotion !== undefined && e.emotion < -0.3)
  if (poor.length) poorByCustomer.set(customer.key, { count: poor.length, last: poor.slice(-3).map((e) => ({ touchpoint: e.touchpoint, ts: isoMicros(e.ms), emotion: f32(e.emotion) })) })
}
const clvsSorted = outlooks.map((o) => o.clv).sort((p, q) => p - q)
const quantile7 = (sorted, q) => {
  const h = (sorted.length - 1) * q
  const lower = Math.floor(h)
  return sorted[lower] + (h - lower) * ((sorted[Math.min(lower + 1, sorted.length - 1)] ?? sorted[lower]) - sorted[lower])
}
const valueThreshold = quantile7(clvsSorted, 0.8)
const candidates = outlooks
  .filter((o) => o.clv >= valueThreshold)
  .map((o) => {
    const drop = o.p_alive_before === null ? null : o.p_alive_before - o.p_alive
    return { o, drop, low: o.p_alive <= 0.5, falling: drop !== null && drop >= 0.1 }
  })
  .filter(({ low, falling }) => low || falling)
  .sort((p, q) => q.o.clv * (1 - q.o.p_alive) - p.o.clv * (1 - p.o.p_alive) || (q.drop ?? -Infinity) - (p.drop ?? -Infinity) || (BigInt(p.o.customer) < BigInt(q.o.customer) ? -1 : 1))
const ranked = candidates.slice(0, 100).map(({ o, low, falling }, i) => ({
  rank: i + 1,
  customer: o.customer,
  p_alive: o.p_alive,
  p_alive_before: o.p_alive_before,
  expected_purchases: o.expected_purchases,
  clv: o.clv,
  low_p_alive: low,
  falling_p_alive: falling,
  poor_experiences: poorByCustomer.get(o.customer)?.count ?? 0,
  last_poor_experiences: poorByCustomer.get(o.customer)?.last ?? [],
}))
const value = {
  customers: buyers.length,
  bgnbd,
  pareto_nbd,
  gamma_gamma,
  outlooks: [...outlooks].sort((p, q) => q.clv - p.clv || (BigInt(p.customer) < BigInt(q.customer) ? -1 : 1)).slice(0, 200),
  rfm,
  slipping_away: { customers: outlooks.length, value_threshold: valueThreshold, candidates: candidates.length, candidate_share: share(candidates.length, outlooks.length), ranked },
}

// --- The fixtures ----------------------------------------------------------
const purchases = [...purchaseTouchpoints].sort()
const retentionQueries = []
for (const retention_type of ['first_time', 'recurring'])
  for (const [period, periods] of [['day', 14], ['week', 12], ['month', 12]])
    for (const cumulative of [false, true])
      for (const reference of ['total', 'previous']) retentionQueries.push({ start: [], return: [], retention_type, period, periods, cumulative, reference })
for (const retention_type of ['first_time', 'recurring'])
  for (const [period, periods] of [['week', 12], ['month', 12]]) retentionQueries.push({ start: purchases, return: purchases, retention_type, period, periods, cumulative: false, reference: 'total' })
const retentionFixture = retentionQueries.map((query) => ({ query, answer: retention({ ...query, returning: query.return }) }))

const lifecycleQueries = []
for (const touchpoint of [[], purchases])
  for (const [period, periods] of [['day', 14], ['week', 12], ['month', 12]]) lifecycleQueries.push({ touchpoint, period, periods })
const lifecycleFixture = lifecycleQueries.map((query) => ({ query, answer: lifecycle(query) }))

const valueFixture = { query: { purchase: purchases, calibration_end: isoDate(calibrationEndDay * DAY_MS), period: 'week', limit: 200 }, answer: value }

writeFileSync(join(fixturesDirectory, 'retention.json'), JSON.stringify(retentionFixture) + '\n')
writeFileSync(join(fixturesDirectory, 'lifecycle.json'), JSON.stringify(lifecycleFixture) + '\n')
writeFileSync(join(fixturesDirectory, 'value.json'), JSON.stringify(valueFixture, null, 1) + '\n')
console.log(`retention: ${retentionFixture.length} answers; lifecycle: ${lifecycleFixture.length}; value: ${buyers.length} buyers, BG/NBD`, bgnbd, 'Pareto/NBD', pareto_nbd, 'Gamma-Gamma', gamma_gamma, `${ranked.length} slipping away of ${candidates.length}`)
