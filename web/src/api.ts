// The query API client: wire types of docs/api.md, the read key and
// problem+json errors.

export type ChannelKind = 'digital' | 'human' | 'physical'

/** An emotion summary; the server may name the interval `lo`/`hi` or `low`/`high`. */
export interface EmotionWire {
  mean: number
  n: number
  lo?: number
  hi?: number
  low?: number
  high?: number
}

export interface Emotion {
  mean: number
  lo: number
  hi: number
  n: number
}

export function emotionOf(wire: EmotionWire | null | undefined): Emotion | null {
  if (!wire || typeof wire.mean !== 'number') return null
  return { mean: wire.mean, lo: wire.lo ?? wire.low ?? wire.mean, hi: wire.hi ?? wire.high ?? wire.mean, n: wire.n }
}

export interface Meta {
  stages: string[]
  cycle: boolean
  personas: { name: string; description: string }[]
  touchpoints: { touchpoint: string; stage: string; channel: string; kind: ChannelKind; label?: string }[]
  channels: { channel: string; kind: ChannelKind }[]
  customers: number
  events: number
  from_us: number
  to_us: number
  traits: string[]
  /** `[outcomes]` of journey.toml; older servers do not send it. */
  outcomes?: { purchase: string[]; conversion: string | null; repurchase_days: number | null; churn_days: number | null; recommendation: string[] }
}

export interface MapTouchpoint {
  touchpoint: string
  stage: string
  kind: ChannelKind
  events: number
  customers: number
  drop_off: number | null
  emotion: EmotionWire | null
}

export interface Distribution {
  count: number
  mean: number
  median: number
  p90: number
  min: number
  max: number
  stdev: number
}

export interface MapStage {
  stage: string
  events: number
  customers: number
  drop_off: number | null
  time_to_next_stage_s: Distribution | null
  emotion: EmotionWire | null
}

export interface Transition {
  from: string
  to: string
  count: number
  customers: number
  mean_s: number | null
  median_s: number | null
  p90_s: number | null
  min_s: number | null
  max_s: number | null
  stdev_s: number | null
}

export interface JourneyMap {
  customers: number
  touchpoints: MapTouchpoint[]
  stages: MapStage[]
  personas: { persona: string; customers: number; touchpoints: MapTouchpoint[]; stages: MapStage[] }[]
  transitions: Transition[]
  starts: Record<string, number>
  ends: Record<string, number>
}

export interface Feedback {
  customer: string
  ts: string
  text: string
  sentiment: number | null
  rating: number | null
  rating_scale: string | null
}

export interface TouchpointDetail extends MapTouchpoint {
  incoming: Transition[]
  outgoing: Transition[]
  feedback: Feedback[]
  /** The first customers who met the touchpoint (docs/api.md lists them under `customers`, which is also the count). */
  customer_keys?: (string | number)[]
}

export interface HistogramBin {
  from_s: number
  to_s: number
  count: number
}

export interface FunnelStep {
  touchpoint: string
  optional: boolean
  customers: number
  conversion: number
  conversion_from_previous: number
  drop_off: number
  count: number
  mean_s: number | null
  median_s: number | null
  p90_s: number | null
  histogram: HistogramBin[]
  from_start: { count: number; mean_s: number | null; median_s: number | null; p90_s: number | null; histogram: HistogramBin[] }
  customer_keys: (string | number)[]
  drop_off_keys: (string | number)[]
}

export interface Funnel {
  steps: FunnelStep[]
  histogram: HistogramBin[]
  excluded_customers: number
  breakdowns: { value: string; steps: FunnelStep[]; histogram: HistogramBin[] }[]
}

export interface PathNode {
  key: string
  name: string
  position: number
  paths: number
  outflow: number
  drop_off: number
  customers: number
}

export interface PathEdge {
  source: string
  target: string
  kind: 'transition' | 'drop_off' | string
  count: number
  customers: number
  duration: { count: number; mean_s: number | null; median_s: number | null; p90_s: number | null; histogram: HistogramBin[] } | null
}

export interface Paths {
  nodes: PathNode[]
  edges: PathEdge[]
  paths: number
  customers: number
}

export interface CustomerSummary {
  customer: string
  distinct_ids: string[]
  events: number
  first_ts: string
  last_ts: string
}

export interface CustomerEvent {
  event_id: string
  ts: string
  touchpoint: string
  stage: string | null
  channel: string
  kind: ChannelKind | null
  agent: string | null
  text: string | null
  sentiment: number | null
  rating: number | null
  rating_scale: string | null
  emotion: number | null
  value: number | null
  wait_s: number | null
  handle_s: number | null
  resolved: boolean | null
  abandoned: boolean | null
  properties: unknown
}

export interface CustomerDetail {
  customer: string
  distinct_ids: string[]
  identities: { id: string; linked_to: string | null; reason: string | null; at: string | null }[]
  traits: Record<string, string>
  personas: string[]
  events: CustomerEvent[]
}

export type RetentionPeriod = 'day' | 'week' | 'month'
export type RetentionType = 'first_time' | 'recurring'
export type RetentionReference = 'total' | 'previous'

/** journey::retention::Cohort: `values[0]` is the size; cohort c of n periods has n − c values. */
export interface Cohort {
  cohort_start_us: number
  cohort_start: string
  size: number
  values: number[]
  shares: (number | null)[]
}

export interface RetentionReport {
  period: RetentionPeriod
  retention_type: RetentionType
  cumulative: boolean
  reference: RetentionReference
  groups: { group: string; cohorts: Cohort[] }[]
}

export interface LifecyclePeriod {
  period_start_us: number
  period_start: string
  new: number
  returning: number
  resurrecting: number
  /** Active in the previous period but not in this one, as a positive count. */
  dormant: number
}

export interface LifecycleReport {
  period: RetentionPeriod
  new_customer: string
  groups: { group: string; periods: LifecyclePeriod[] }[]
}

export interface CustomerOutlook {
  customer: string
  p_alive: number
  p_alive_before: number | null
  expected_purchases: number
  clv: number
}

export interface PoorExperience {
  touchpoint: string
  /** ISO 8601 per docs/api.md; the Rust type holds `ts_us`, accepted too. */
  ts?: string
  ts_us?: number
  emotion: number
}

export interface SlippingCustomer extends CustomerOutlook {
  rank: number
  low_p_alive: boolean
  falling_p_alive: boolean
  poor_experiences: number
  last_poor_experiences: PoorExperience[]
}

export interface ValueReport {
  customers: number
  bgnbd: { r: number; alpha: number; a: number; b: number; log_likelihood: number }
  pareto_nbd: { r: number; alpha: number; s: number; beta: number; log_likelihood: number }
  gamma_gamma: { p: number; q: number; gamma: number }
  /** The `limit` customers of highest CLV. */
  outlooks: CustomerOutlook[]
  rfm: { segment: string; customers: number }[]
  slipping_away: { customers: number; value_threshold: number | null; candidates: number; candidate_share: number | null; ranked: SlippingCustomer[] }
}

/** An API failure with the problem+json `detail` as message. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string | null,
  ) {
    super(message)
  }
}

const keyStorageName = 'touchpoint.read_key'

export function readKey(): string | null {
  try {
    return sessionStorage.getItem(keyStorageName)
  } catch {
    return null
  }
}

export function storeKey(key: string | null): void {
  try {
    if (key) sessionStorage.setItem(keyStorageName, key)
    else sessionStorage.removeItem(keyStorageName)
  } catch {
    // Private modes without storage: the key lives for this page only.
  }
}

/** Called when the server refuses the key, so the app can ask for a new one. */
let onUnauthorized: (detail: string) => void = () => {}
export function setUnauthorizedHandler(handler: (detail: string) => void): void {
  onUnauthorized = handler
}

export type Query = Record<string, string | number | boolean | null | undefined | (string | number)[]>

export function queryString(query: Query): string {
  const parameters = new URLSearchParams()
  for (const [name, value] of Object.entries(query)) {
    if (value === null || value === undefined || value === '') continue
    if (Array.isArray(value)) for (const item of value) parameters.append(name, String(item))
    else parameters.append(name, String(value))
  }
  const text = parameters.toString()
  return text ? `?${text}` : ''
}

export async function getJson<T>(path: string, query: Query = {}, signal?: AbortSignal): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' }
  const key = readKey()
  if (key) headers.Authorization = `Bearer ${key}`
  let response: Response
  try {
    response = await fetch(`api/${path}${queryString(query)}`, { headers, signal: signal ?? null })
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error
    throw new ApiError(`The server did not answer (${String(error)}).`, 0, 'network')
  }
  if (!response.ok) {
    let detail = `${response.status} ${response.statusText}`
    let code: string | null = null
    try {
      const problem = (await response.json()) as { detail?: string; title?: string; code?: string }
      detail = problem.detail ?? problem.title ?? detail
      code = problem.code ?? null
    } catch {
      // Not problem+json: keep the status line.
    }
    if (response.status === 401) onUnauthorized(detail)
    throw new ApiError(detail, response.status, code)
  }
  return parseJson<T>(await response.text())
}

/**
 * JSON with customer keys kept exact: some reports send the 64-bit keys as
 * bare numbers (`"customer": 10459292830396799931`, `example_customers: [1, …]`),
 * beyond JavaScript's 2^53, so they become strings before parsing.
 */
export function parseJson<T>(text: string): T {
  const quoted = text
    .replace(/"customer":\s*(-?\d+)/g, '"customer":"$1"')
    .replace(/"(example_[a-z_]*customers[a-z_]*|customer_keys|drop_off_keys)":\s*\[([^\]]*)\]/g, (_, field: string, list: string) => {
      const items = list.split(',').map((item) => item.trim()).filter(Boolean).map((item) => (item.startsWith('"') ? item : `"${item}"`))
      return `"${field}":[${items.join(',')}]`
    })
  return JSON.parse(quoted) as T
}

/** The touchpoint keys of a list as strings (the API sends strings; older answers numbers). */
export const keyText = (key: string | number): string => String(key)

// --- Insights (GET /api/insights/{kind}) -------------------------------------

/** A share with its 95 % interval: `hits` of `n`. */
export interface RateInterval {
  rate: number
  low: number
  high: number
  hits: number
  n: number
}

/** Two shares compared: `first` − `second` with its interval and test. */
export interface RateComparison {
  first: RateInterval
  second: RateInterval
  difference: number
  low: number
  high: number
  z: number
  p_value: number
}

export interface PainEvidence {
  kind: string
  persona: string | null
  rate: number
  expected: number
  low: number
  high: number
  hits: number
  n: number
  affected: number
  customers: number
  impact: number
  severity: number
  z: number
  next_touchpoint: string | null
}

export interface PainPoint extends PainEvidence {
  touchpoint: string
  stage: string | null
  evidence: PainEvidence[]
  example_customers: string[]
  example_texts: string[]
}

export interface PainPointsReport {
  points: PainPoint[]
}

export interface MomentSide {
  customers: number
  with_outcome: number
  outcome_rate: number | null
  example_customers: string[]
}

export interface Moment {
  touchpoint: string
  kind: string
  good: MomentSide
  bad: MomentSide
  neutral_customers: number
  unknown_customers: number
  odds_ratio: number | null
  odds_ratio_low: number | null
  odds_ratio_high: number | null
  log_odds_ratio: number | null
  standard_error: number | null
  p_value: number | null
  impact: number
  supported: boolean
}

export interface MomentsReport {
  eligible_customers: number
  outcome_customers: number
  moments: Moment[]
}

export interface AtRiskEvent {
  touchpoint: number | string
  ts_us: number
  emotion: number | null
  reason: string
}

export interface AtRiskCustomer {
  customer: string
  value: number | null
  reasons: string[]
  poor_in_window: number
  complaints: number
  open_complaint: boolean
  last_nps: number | null
  emotion_slope: number | null
  events: AtRiskEvent[]
}

export interface AtRiskReport {
  customers: AtRiskCustomer[]
  repurchase_after_poor: RateComparison | null
}

export interface ResolutionRow {
  id: string | number | null
  team: number | null
  answered: number
  marked_resolved: number
  reported_fcr: number | null
  true_fcr: number | null
  reopened: RateInterval
  reopened_by_contact: RateInterval
  reopened_by_survey: RateInterval
  unresolved_repeated: RateInterval
  z: number
}

export interface ResolutionReport {
  overall: ResolutionRow
  agents: ResolutionRow[]
  teams: ResolutionRow[]
  channels: ResolutionRow[]
  themes: ResolutionRow[]
}

export interface RootCause {
  exposure: { touchpoint: string | number; previous: string | number | null; breakdown: string | null }
  anchors: number
  followed: number
  rate: number
  rate_elsewhere: number
  odds_ratio: { odds_ratio: number; low: number; high: number }
}

export interface RootCausesReport {
  anchors: number
  themes: { theme: string; anchors_followed: number; outcome_events: number; causes: RootCause[] }[]
}

// --- Contact centre ----------------------------------------------------------

export interface ContactMetrics {
  offered: number
  answered: number
  abandoned: number
  short_abandoned: number
  service_level_offered: number
  answered_within_threshold: number
  service_level: number | null
  service_level_excluding_short_abandons: number | null
  abandon_rate: number | null
  asa_s: number | null
  aht_s: number | null
  talk_s: number | null
  hold_s: number | null
  wrap_s: number | null
  workload_s: number
  patience_s: number | null
  transfers: number
  transfer_rate: number | null
  reported_fcr: number | null
  reported_fcr_n: number
  true_fcr: number | null
  true_fcr_n: number
  emotion: EmotionWire | null
}

export interface ContactGroup extends ContactMetrics {
  channel?: string
  queue?: string
  team?: string
  agent?: string
  interval_start?: string
}

export interface ContactsReport {
  interval_s: number
  answer_within_s: number
  short_abandon_s: number
  repeat_window_s: number
  total: ContactMetrics
  groupings: { by: string; groups: ContactGroup[] }[]
}

export interface StaffInterval {
  interval_start: string
  interval_start_us: number
  offered: number
  agents: number
  agents_with_shrinkage: number
  service_level: number
  p_wait: number
  asa_s: number
  occupancy: number
  abandon_rate: number
  achieved_service_level?: number | null
  /** History only, when agent events are stored: mean agents logged in. */
  staffed_agents?: number | null
  /** … and of those handling, wrapping up or ready. */
  available_agents?: number | null
}

export interface StaffPlan {
  model: string
  interval_s: number
  weeks: number
  target: { service_level: number; answer_within_secs: number; max_asa_secs: number | null; max_occupancy: number | null; shrinkage: number | null }
  queues: { queue: string; channel: string; team: string; offered: number; aht_s: number; patience_s: number | null; history: StaffInterval[]; plan: StaffInterval[] }[]
}

export interface ErlangAnswer {
  model: string
  load_erlangs: number
  agents: number
  agents_with_shrinkage: number
  service_level: number
  p_wait: number
  asa_s: number
  occupancy: number
  abandon_rate: number
  /** The answer at the `agents` asked for, when the query names them. */
  at_agents: { agents: number; service_level: number; p_wait: number; asa_s: number; occupancy: number; abandon_rate: number } | null
}

export interface Handover {
  kind: string
  from: string
  to: string
  count: number
  customers: number
  mean_extra_wait_s: number | null
}

export interface HandoversReport {
  window_s: number
  teams: Handover[]
  agents: Handover[]
}

export interface QueueAlert {
  queue: string
  signal: 'alert' | 'cleared'
  at: string
  detail: unknown
  message?: string
}

export interface AlertsReport {
  config: Record<string, unknown>
  active: QueueAlert[]
  history: QueueAlert[]
  queues: { queue: string; in_breach: boolean; window: unknown }[]
  alerts_total: number
  cleared_total: number
}

export const agentActivities = ['handling', 'after_contact_work', 'manual_task', 'tool_lookup', 'ready_idle', 'not_ready', 'break', 'logged_out'] as const
export type AgentActivity = (typeof agentActivities)[number]

export interface AgentSlice {
  agent: string | null
  team: string | null
  agents: number
  slices: number
  time: Record<`${AgentActivity}_s`, number>
  logged_in_s: number
  non_customer_work_s: number
  contacts: number
  manual_steps: number
  manual_steps_per_contact: number | null
  occupancy: number | null
  transitions: { from: string; to: string; count: number; mean_from_s: number | null }[]
}

export interface AgentsReport {
  total: AgentSlice
  teams: AgentSlice[]
  agents: AgentSlice[]
}

export interface AgentTimeline {
  agent: string
  team: string | null
  spells: { activity: string; start: string; end: string }[]
  events: { ts: string; kind: string; duration_s: number | null; name: string | null; queue: string | null; contact_event_id: string | null }[]
}

// --- Repeat purchase and stickiness ------------------------------------------

export interface RepeatGroup {
  group: string
  customers: number
  purchasers: number
  repeat_purchasers: number
  repurchase_rate: number | null
  purchase_days: number
  time_to_repurchase: { days: Distribution; p25_days: number; p75_days: number } | null
  loyalty_customers: number
  loyalty_share: number | null
  advocacy_customers: number
  advocacy_share: number | null
  referrals: number
  referring_customers: number
  referring_share: number | null
}

export interface StickinessReport {
  period: RetentionPeriod
  groups: { group: string; periods: { period_start: string; days: number; customers: number; customers_by_active_days: number[] }[] }[]
}

// --- What the server offers ----------------------------------------------------

let openApiPaths: Promise<string[] | null> | null = null

/**
 * Whether the server's OpenAPI document lists a path matching `pattern`
 * (e.g. `/api/agents`), so optional panels ask only servers that have the
 * endpoint; null when the document cannot be read (then ask and handle 404).
 */
export async function serverOffers(pattern: RegExp): Promise<boolean | null> {
  openApiPaths ??= getJson<{ paths?: Record<string, unknown> }>('openapi.json')
    .then((document) => Object.keys(document.paths ?? {}))
    .catch(() => null)
  const paths = await openApiPaths
  return paths === null ? null : paths.some((path) => pattern.test(path))
}
