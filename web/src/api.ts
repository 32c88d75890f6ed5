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
  return (await response.json()) as T
}

/** The touchpoint keys of a list as strings (the API sends strings; older answers numbers). */
export const keyText = (key: string | number): string => String(key)
