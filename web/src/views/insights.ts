// Insights: the findings of the analysis kernels behind `GET /api/insights/{kind}`,
// one tab per kind. Pain points as a ranked list whose rows open their
// evidence, moments of truth as a forest plot of odds ratios, customers at
// risk as a table with a CSV download, reported against true first-contact
// resolution, root causes per theme, and a readable table of any other report.

import {
  getJson,
  type AtRiskCustomer,
  type AtRiskReport,
  type Meta,
  type Moment,
  type MomentsReport,
  type PainEvidence,
  type PainPointsReport,
  type RateComparison,
  type RateInterval,
  type ResolutionReport,
  type ResolutionRow,
  type RootCausesReport,
} from '../api'
import { baseOption, chartCard, fontSize, okabeIto, type ChartOption } from '../charts'
import { empty, errorState, h, loading, present } from '../dom'
import { dateTime, decimal, duration, humanize, integer, parameter, percent, signed, touchpointLabel } from '../format'
import type { ViewContext } from '../main'

export const insightKinds = [
  { kind: 'pain-points', title: 'Pain points' },
  { kind: 'moments', title: 'Moments of truth' },
  { kind: 'at-risk', title: 'At risk' },
  { kind: 'resolution', title: 'Resolution' },
  { kind: 'root-causes', title: 'Root causes' },
  { kind: 'follow-up', title: 'Follow-up' },
  { kind: 'recovery', title: 'Recovery' },
  { kind: 'emotion', title: 'Emotion' },
  { kind: 'drivers', title: 'Drivers' },
  { kind: 'attribution', title: 'Attribution' },
  { kind: 'personas', title: 'Personas' },
  { kind: 'conformance', title: 'Conformance' },
] as const
export type InsightKind = (typeof insightKinds)[number]['kind']

const momentOutcomes = ['repurchase', 'churn', 'promoter', 'conversion'] as const

const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)

/** Reports name touchpoints, or give their index in meta.touchpoints. */
export function touchpointName(meta: Meta, value: unknown): string {
  if (typeof value === 'number') return meta.touchpoints[value]?.touchpoint ?? `#${value}`
  return String(value ?? '–')
}

const personaLabel = (persona: string | null | undefined): string => (persona ? humanize(persona) : 'All customers')

/** An interval in square brackets: [0.21, 0.26]. */
const interval = (low: number | null | undefined, high: number | null | undefined, format: (v: number) => string): string =>
  low === null || low === undefined || high === null || high === undefined ? '' : `[${format(low)}, ${format(high)}]`

/** Pain-point effects: mean emotion for emotion findings, a share otherwise. */
export const effectFormat = (kind: string): ((v: number) => string) => (kind === 'negative_emotion' ? (v: number) => signed(v) : (v: number) => percent(v))

const customerLinks = (keys: (string | number)[], limit = 5): HTMLElement =>
  h('ul', { class: 'key-list' }, keys.slice(0, limit).map((key) => h('li', {}, h('a', { class: 'key-link', href: `#/customer/${encodeURIComponent(String(key))}` }, String(key)))))

const kpi = (label: string, metric: string, value: string, title?: string): HTMLElement => h('div', { title: title ?? null }, h('dt', {}, label), h('dd', { 'data-metric': metric }, value))

export async function renderInsightsView(main: HTMLElement, context: ViewContext): Promise<void> {
  const { meta } = context
  const parameters = context.route.parameters
  let kind: InsightKind = insightKinds.find((k) => k.kind === parameters.get('kind'))?.kind ?? 'pain-points'

  const personaSelect = h('select', { class: 'select', 'aria-label': 'Persona', 'data-testid': 'insight-persona' }, h('option', { value: '' }, 'All customers'), meta.personas.map((p) => h('option', { value: p.name, title: p.description }, humanize(p.name))))
  personaSelect.value = parameters.get('persona') ?? ''
  const channelSelect = h('select', { class: 'select', 'aria-label': 'Channel', 'data-testid': 'insight-channel' }, h('option', { value: '' }, 'All channels'), meta.channels.map((c) => h('option', { value: c.channel }, humanize(c.channel))))
  channelSelect.value = parameters.get('channel') ?? ''
  const fromInput = h('input', { class: 'input input-narrow', type: 'date', 'aria-label': 'From', 'data-testid': 'insight-from', value: parameters.get('from') ?? '' })
  const toInput = h('input', { class: 'input input-narrow', type: 'date', 'aria-label': 'To', 'data-testid': 'insight-to', value: parameters.get('to') ?? '' })
  const outcomeSelect = h('select', { class: 'select', 'aria-label': 'Outcome', 'data-testid': 'insight-outcome' }, momentOutcomes.map((o) => h('option', { value: o }, humanize(o))))
  outcomeSelect.value = momentOutcomes.find((o) => o === parameters.get('outcome')) ?? 'repurchase'
  const daysInput = h('input', { class: 'input input-tiny', type: 'number', min: '1', max: '3650', placeholder: 'default', 'aria-label': 'Outcome window in days', 'data-testid': 'insight-days', value: parameters.get('days') ?? '' })
  const momentControls = h(
    'div',
    { class: 'row insight-moment-controls' },
    h('label', { class: 'control' }, h('span', {}, 'Outcome'), outcomeSelect),
    h('label', { class: 'control' }, h('span', {}, 'Within days'), daysInput),
  )

  const tabs = insightKinds.map((k) =>
    h('button', { class: 'tab', type: 'button', role: 'tab', id: `insight-tab-${k.kind}`, 'aria-controls': 'insight-panel', 'aria-selected': String(k.kind === kind), tabindex: k.kind === kind ? '0' : '-1', 'data-kind': k.kind }, k.title),
  )
  const tabList = h('div', { class: 'tabs', role: 'tablist', 'aria-label': 'Insight', 'data-testid': 'insight-tabs' }, tabs)
  const panel = h('div', { class: 'insight-panel', id: 'insight-panel', role: 'tabpanel', 'data-testid': 'insight-panel', tabindex: '-1' })
  const form = h(
    'form',
    { class: 'card controls-card', 'data-testid': 'insight-filters' },
    h(
      'div',
      { class: 'form-grid' },
      h('label', { class: 'control' }, h('span', {}, 'Persona'), personaSelect),
      h('label', { class: 'control' }, h('span', {}, 'Channel'), channelSelect),
      h('label', { class: 'control' }, h('span', {}, 'From'), fromInput),
      h('label', { class: 'control' }, h('span', {}, 'To'), toInput),
      momentControls,
    ),
  )
  main.replaceChildren(
    h('div', { class: 'view-header' }, h('div', {}, h('h1', {}, 'Insights'), h('p', { class: 'muted view-lede' }, 'What the analyses found: where customers struggle, which moments decide the outcome, who is at risk, and how well contacts are really resolved. Every finding carries its interval and the customers behind it.'))),
    form,
    tabList,
    panel,
  )

  let requestNumber = 0
  const load = async (): Promise<void> => {
    const number = ++requestNumber
    momentControls.hidden = kind !== 'moments'
    panel.setAttribute('aria-labelledby', `insight-tab-${kind}`)
    panel.dataset.kind = kind
    panel.removeAttribute('data-ready')
    panel.replaceChildren(h('section', { class: 'card' }, loading(`Computing ${insightKinds.find((k) => k.kind === kind)?.title.toLowerCase()}…`)))
    const query: Record<string, string> = { persona: personaSelect.value, channel: channelSelect.value, from: fromInput.value, to: toInput.value }
    if (kind === 'moments') {
      query.outcome = outcomeSelect.value
      query.days = daysInput.value
    }
    try {
      const report = await getJson<unknown>(`insights/${kind}`, query, context.signal)
      if (context.signal.aborted || number !== requestNumber) return
      drawReport(panel, kind, report, meta)
      panel.dataset.ready = 'true'
    } catch (error) {
      if (context.signal.aborted || number !== requestNumber) return
      panel.replaceChildren(h('section', { class: 'card' }, errorState(error, () => void load())))
      panel.dataset.ready = 'error'
    }
  }
  const saveRoute = (): void =>
    context.setParameters({
      kind: kind === 'pain-points' ? null : kind,
      persona: personaSelect.value,
      channel: channelSelect.value,
      from: fromInput.value,
      to: toInput.value,
      outcome: kind === 'moments' && outcomeSelect.value !== 'repurchase' ? outcomeSelect.value : null,
      days: kind === 'moments' ? daysInput.value : null,
    })
  const select = (next: InsightKind, focus: boolean): void => {
    kind = next
    for (const tab of tabs) {
      const on = tab.dataset.kind === kind
      tab.setAttribute('aria-selected', String(on))
      tab.tabIndex = on ? 0 : -1
      if (on && focus) tab.focus()
    }
    saveRoute()
    void load()
  }
  for (const [index, tab] of tabs.entries()) {
    tab.addEventListener('click', () => select(tab.dataset.kind as InsightKind, false))
    // Arrow keys move among the tabs, as the WAI-ARIA tabs pattern has it.
    tab.addEventListener('keydown', (event) => {
      const step = event.key === 'ArrowRight' ? 1 : event.key === 'ArrowLeft' ? -1 : 0
      if (event.key === 'Home' || event.key === 'End' || step) {
        event.preventDefault()
        const target = event.key === 'Home' ? 0 : event.key === 'End' ? tabs.length - 1 : (index + step + tabs.length) % tabs.length
        select(tabs[target]?.dataset.kind as InsightKind, true)
      }
    })
  }
  for (const control of [personaSelect, channelSelect, fromInput, toInput, outcomeSelect, daysInput]) {
    control.addEventListener('change', () => {
      saveRoute()
      void load()
    })
  }
  form.addEventListener('submit', (event) => event.preventDefault())
  await load()
}

function drawReport(panel: HTMLElement, kind: InsightKind, report: unknown, meta: Meta): void {
  switch (kind) {
    case 'pain-points':
      return drawPainPoints(panel, report as PainPointsReport)
    case 'moments':
      return drawMoments(panel, report as MomentsReport)
    case 'at-risk':
      return drawAtRisk(panel, report as AtRiskReport, meta)
    case 'resolution':
      return drawResolution(panel, report as ResolutionReport)
    case 'root-causes':
      return drawRootCauses(panel, report as RootCausesReport, meta)
    default:
      return drawGeneric(panel, kind, report, meta)
  }
}

// --- Pain points ---------------------------------------------------------------

const painKindLabel = (kind: string): string => humanize(kind)

function evidenceTable(evidence: PainEvidence[]): HTMLElement {
  return h(
    'table',
    { class: 'table evidence-table', 'data-testid': 'pain-evidence' },
    h('thead', {}, h('tr', {}, ['Finding', 'Group', 'Observed', '95 % interval', 'Expected', 'Hits of n', 'z', 'Affected', 'Impact'].map((t, i) => h('th', { scope: 'col', class: i >= 2 ? 'number' : '' }, t)))),
    h(
      'tbody',
      {},
      evidence.map((e) => {
        const format = effectFormat(e.kind)
        return h(
          'tr',
          { 'data-evidence-kind': e.kind },
          h('td', {}, painKindLabel(e.kind), e.next_touchpoint ? h('span', { class: 'muted' }, ` → ${touchpointLabel(e.next_touchpoint)}`) : null),
          h('td', {}, personaLabel(e.persona)),
          h('td', { class: 'number', 'data-metric': 'rate' }, format(e.rate)),
          h('td', { class: 'number', 'data-metric': 'interval' }, interval(e.low, e.high, format)),
          h('td', { class: 'number', 'data-metric': 'expected' }, format(e.expected)),
          h('td', { class: 'number', 'data-metric': 'hits' }, `${integer(e.hits)} / ${integer(e.n)}`),
          h('td', { class: 'number', 'data-metric': 'z' }, decimal(e.z, 1)),
          h('td', { class: 'number', 'data-metric': 'affected' }, `${integer(e.affected)} of ${integer(e.customers)}`),
          h('td', { class: 'number', 'data-metric': 'impact' }, decimal(e.impact, 1)),
        )
      }),
    ),
  )
}

function drawPainPoints(panel: HTMLElement, report: PainPointsReport): void {
  const points = report.points
  if (points.length === 0) {
    panel.replaceChildren(h('section', { class: 'card' }, h('h2', { class: 'card-title' }, 'Pain points'), empty('No touchpoint stands out for these customers and dates.')))
    return
  }
  const rows = points.flatMap((point, index) => {
    const format = effectFormat(point.kind)
    const detailId = `pain-detail-${index}`
    const detailRow = h(
      'tr',
      { class: 'detail-row', id: detailId, hidden: true, 'data-detail': String(index) },
      h(
        'td',
        { colspan: '8' },
        h(
          'div',
          { class: 'pain-detail' },
          h('h3', { class: 'section-title' }, `Evidence (${point.evidence.length})`),
          h('div', { class: 'table-scroll' }, evidenceTable(point.evidence)),
          h(
            'div',
            { class: 'pain-detail-grid' },
            h('div', {}, h('h3', { class: 'section-title' }, 'Example customers'), point.example_customers.length ? customerLinks(point.example_customers, 10) : h('p', { class: 'muted' }, 'None recorded.')),
            h(
              'div',
              {},
              h('h3', { class: 'section-title' }, 'What customers wrote'),
              point.example_texts.length ? h('ul', { class: 'feedback-list', 'data-testid': 'pain-texts' }, point.example_texts.map((text) => h('li', { class: 'feedback' }, h('blockquote', {}, text)))) : h('p', { class: 'muted' }, 'No texts at this touchpoint.'),
            ),
          ),
        ),
      ),
    )
    const toggle = h('button', { class: 'button button-small expander', type: 'button', 'aria-expanded': 'false', 'aria-controls': detailId, title: 'Show the evidence', 'data-testid': 'pain-toggle' }, h('span', { 'aria-hidden': 'true', class: 'expander-mark' }, '▸'), h('span', { class: 'visually-hidden' }, `Evidence for ${touchpointLabel(point.touchpoint)}`))
    toggle.addEventListener('click', () => {
      const open = toggle.getAttribute('aria-expanded') !== 'true'
      toggle.setAttribute('aria-expanded', String(open))
      detailRow.hidden = !open
    })
    const row = h(
      'tr',
      { 'data-point': String(index), 'data-touchpoint': point.touchpoint, 'data-kind': point.kind },
      h('td', {}, toggle),
      h('td', { class: 'number' }, String(index + 1)),
      h('th', { scope: 'row' }, touchpointLabel(point.touchpoint), point.stage ? h('span', { class: 'muted small block' }, humanize(point.stage)) : null),
      h('td', { 'data-metric': 'persona' }, personaLabel(point.persona)),
      h('td', { 'data-metric': 'kind' }, painKindLabel(point.kind), point.next_touchpoint ? h('span', { class: 'muted' }, ` → ${touchpointLabel(point.next_touchpoint)}`) : null),
      h(
        'td',
        { class: 'number' },
        h('span', { 'data-metric': 'rate' }, format(point.rate)),
        ' ',
        h('span', { class: 'muted small', 'data-metric': 'interval' }, interval(point.low, point.high, format)),
        h('span', { class: 'muted small block' }, 'expected ', h('span', { 'data-metric': 'expected' }, format(point.expected))),
      ),
      h('td', { class: 'number', 'data-metric': 'affected' }, `${integer(point.affected)} of ${integer(point.customers)}`),
      h('td', { class: 'number', 'data-metric': 'impact' }, decimal(point.impact, 1)),
    )
    return [row, detailRow]
  })
  panel.replaceChildren(
    h(
      'section',
      { class: 'card' },
      h('h2', { class: 'card-title' }, 'Pain points'),
      h('p', { class: 'card-subtitle' }, 'Touchpoints ranked by impact (customers affected × how far the rate is from what is expected there). Open a row for its evidence, example customers and what they wrote.'),
      h(
        'div',
        { class: 'table-scroll' },
        h(
          'table',
          { class: 'table pain-table', 'data-testid': 'pain-table' },
          h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'Details')), ['#', 'Touchpoint', 'Group', 'Finding', 'Effect [95 % interval]', 'Customers affected', 'Impact'].map((t, i) => h('th', { scope: 'col', class: i === 0 || i >= 4 ? 'number' : '' }, t)))),
          h('tbody', {}, rows),
        ),
      ),
    ),
  )
}

// --- Moments of truth ------------------------------------------------------------

/** The moments with customers on both sides: those the data says anything about. */
export const momentsWithEvidence = (moments: Moment[]): Moment[] =>
  moments.filter((m) => m.good.customers + m.bad.customers > 0 && m.odds_ratio !== null && m.odds_ratio_low !== null && m.odds_ratio_high !== null && m.odds_ratio > 0)

function forestOption(moments: Moment[]): ChartOption {
  const labels = moments.map((m) => touchpointLabel(m.touchpoint))
  const point = (m: Moment, row: number) => ({ value: [m.odds_ratio, row], moment: m.touchpoint, low: m.odds_ratio_low, high: m.odds_ratio_high, p: m.p_value, bad: m.bad.customers, good: m.good.customers })
  const indexed = moments.map((m, row) => ({ m, row }))
  return {
    ...baseOption(),
    grid: { left: 150, right: 32, top: 36, bottom: 48 },
    legend: { top: 0, right: 0, data: ['Supported', 'Not supported'], textStyle: { fontSize: fontSize('body') } },
    tooltip: {
      ...(baseOption().tooltip as object),
      trigger: 'item',
      formatter: (item: { data: ReturnType<typeof point> }) => {
        const d = item.data
        if (!d || !('moment' in d)) return ''
        return `<b>${escapeHtml(touchpointLabel(d.moment))}</b><br>Odds ratio <b>${decimal(d.value[0] as number)}</b> [${decimal(d.low)}, ${decimal(d.high)}]<br>p = ${parameter(d.p)} · ${integer(d.bad)} bad, ${integer(d.good)} good experiences`
      },
    },
    xAxis: { type: 'log', name: 'odds ratio (bad vs good experience), log scale', nameLocation: 'middle', nameGap: 30, axisLabel: { fontSize: fontSize('small') }, splitLine: { lineStyle: { color: '#eef0f2' } } },
    yAxis: { type: 'category', inverse: true, data: labels, axisLabel: { fontSize: fontSize('small') }, axisTick: { show: false } },
    series: [
      {
        name: 'Interval',
        type: 'custom',
        silent: true,
        renderItem: (_params: unknown, api: { value: (i: number) => number; coord: (v: [number, number]) => [number, number] }) => {
          const low = api.coord([api.value(0), api.value(2)])
          const high = api.coord([api.value(1), api.value(2)])
          const style = { stroke: '#3e4c59', lineWidth: 1.5 }
          return {
            type: 'group',
            children: [
              { type: 'line', shape: { x1: low[0], y1: low[1], x2: high[0], y2: high[1] }, style },
              { type: 'line', shape: { x1: low[0], y1: low[1] - 5, x2: low[0], y2: low[1] + 5 }, style },
              { type: 'line', shape: { x1: high[0], y1: high[1] - 5, x2: high[0], y2: high[1] + 5 }, style },
            ],
          }
        },
        encode: { x: [0, 1], y: 2 },
        data: moments.map((m, row) => [m.odds_ratio_low, m.odds_ratio_high, row]),
        z: 1,
      },
      {
        name: 'Supported',
        type: 'scatter',
        symbol: 'diamond',
        symbolSize: 14,
        itemStyle: { color: okabeIto.vermillion, borderColor: '#1f2933', borderWidth: 1 },
        data: indexed.filter(({ m }) => m.supported).map(({ m, row }) => point(m, row)),
        z: 3,
      },
      {
        name: 'Not supported',
        type: 'scatter',
        symbol: 'circle',
        symbolSize: 10,
        itemStyle: { color: '#ffffff', borderColor: okabeIto.blue, borderWidth: 2 },
        data: indexed.filter(({ m }) => !m.supported).map(({ m, row }) => point(m, row)),
        z: 2,
        markLine: { silent: true, symbol: 'none', lineStyle: { color: okabeIto.black, type: 'dashed' }, label: { formatter: 'no effect', fontSize: fontSize('small') }, data: [{ xAxis: 1 }] },
      },
    ],
  }
}

function drawMoments(panel: HTMLElement, report: MomentsReport): void {
  const shown = momentsWithEvidence(report.moments).sort((a, b) => b.impact - a.impact)
  const hidden = report.moments.length - shown.length
  const side = (label: string, s: Moment['good']): HTMLElement =>
    h('td', { class: 'number', 'data-metric': label }, `${integer(s.customers)}`, h('span', { class: 'muted small block' }, `${percent(s.outcome_rate)} with outcome`))
  panel.replaceChildren(...present(
    h(
      'dl',
      { class: 'kpis kpis-row', 'data-testid': 'moments-kpis' },
      kpi('Eligible customers', 'eligible_customers', integer(report.eligible_customers)),
      kpi('With the outcome', 'outcome_customers', integer(report.outcome_customers)),
      kpi('Moments with evidence', 'shown', integer(shown.length)),
      kpi('Supported', 'supported', integer(report.moments.filter((m) => m.supported).length)),
    ),
    shown.length === 0
      ? h('section', { class: 'card' }, empty('No touchpoint has customers with both good and bad experiences for this outcome.'))
      : chartCard({
          name: 'moments-forest',
          title: 'Moments of truth',
          subtitle: `Odds of the outcome after a bad rather than a good experience, with 95 % intervals. ◆ supported by the data, ○ not (the interval spans 1 or too few customers).${hidden ? ` ${hidden} touchpoints without experiences on both sides are left out.` : ''}`,
          height: 80 + 30 * shown.length,
          description: `Forest plot of the odds ratios of ${shown.length} touchpoints`,
          option: forestOption(shown),
        }),
    shown.length === 0
      ? null
      : h(
          'section',
          { class: 'card' },
          h('h2', { class: 'card-title' }, 'Moments in numbers'),
          h(
            'div',
            { class: 'table-scroll' },
            h(
              'table',
              { class: 'table', 'data-testid': 'moments-table' },
              h('thead', {}, h('tr', {}, ['Touchpoint', 'Odds ratio', '95 % interval', 'p', 'Bad experiences', 'Good experiences', 'Impact', 'Supported', 'Examples (bad)'].map((t, i) => h('th', { scope: 'col', class: i >= 1 && i <= 6 ? 'number' : '' }, t)))),
              h(
                'tbody',
                {},
                shown.map((m) =>
                  h(
                    'tr',
                    { 'data-touchpoint': m.touchpoint },
                    h('th', { scope: 'row' }, touchpointLabel(m.touchpoint)),
                    h('td', { class: 'number', 'data-metric': 'odds_ratio' }, decimal(m.odds_ratio)),
                    h('td', { class: 'number', 'data-metric': 'interval' }, interval(m.odds_ratio_low, m.odds_ratio_high, (v) => decimal(v))),
                    h('td', { class: 'number', 'data-metric': 'p_value' }, parameter(m.p_value)),
                    side('bad', m.bad),
                    side('good', m.good),
                    h('td', { class: 'number', 'data-metric': 'impact' }, decimal(m.impact, 1)),
                    h('td', { 'data-metric': 'supported' }, m.supported ? h('span', { class: 'chip chip-warning' }, '◆ yes') : h('span', { class: 'muted' }, 'no')),
                    h('td', {}, customerLinks(m.bad.example_customers, 3)),
                  ),
                ),
              ),
            ),
          ),
        ),
  ))
}

// --- At risk -------------------------------------------------------------------------

const reasonLabel = (reason: string): string => humanize(reason)

/** The at-risk list as CSV (RFC 4180 quoting), one row per customer. */
export function atRiskCsv(customers: AtRiskCustomer[]): string {
  const quote = (value: unknown): string => {
    const text = value === null || value === undefined ? '' : String(value)
    return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text
  }
  const header = ['customer', 'value', 'reasons', 'poor_in_window', 'complaints', 'open_complaint', 'last_nps', 'emotion_slope']
  const lines = customers.map((c) => [c.customer, c.value, c.reasons.join(';'), c.poor_in_window, c.complaints, c.open_complaint, c.last_nps, c.emotion_slope].map(quote).join(','))
  return [header.join(','), ...lines].join('\n') + '\n'
}

function downloadText(fileName: string, text: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }))
  const link = h('a', { href: url, download: fileName, class: 'visually-hidden' })
  document.body.appendChild(link)
  link.click()
  link.remove()
  setTimeout(() => URL.revokeObjectURL(url), 10_000)
}

const comparisonText = (c: RateComparison, first: string, second: string): string =>
  `${first}: ${percent(c.first.rate)} (${integer(c.first.hits)} of ${integer(c.first.n)}); ${second}: ${percent(c.second.rate)} (${integer(c.second.hits)} of ${integer(c.second.n)}); difference ${signed(c.difference * 100, 1)} points [${signed(c.low * 100, 1)}, ${signed(c.high * 100, 1)}], p = ${parameter(c.p_value)}`

function drawAtRisk(panel: HTMLElement, report: AtRiskReport, meta: Meta): void {
  const customers = report.customers
  const comparison = report.repurchase_after_poor
  const download = h('button', { class: 'button button-small', type: 'button', 'data-testid': 'at-risk-csv', title: 'Download the list as CSV', onclick: () => downloadText('at-risk.csv', atRiskCsv(customers), 'text/csv') }, 'CSV')
  panel.replaceChildren(...present(
    h(
      'dl',
      { class: 'kpis kpis-row', 'data-testid': 'at-risk-kpis' },
      kpi('Customers at risk', 'customers', integer(customers.length)),
      kpi('Value at risk', 'value', decimal(customers.reduce((sum, c) => sum + (c.value ?? 0), 0))),
      kpi('With an open complaint', 'open_complaints', integer(customers.filter((c) => c.open_complaint).length)),
      comparison ? kpi('Repurchase after a poor experience', 'repurchase_after_poor', percent(comparison.first.rate), comparisonText(comparison, 'after a poor experience', 'otherwise')) : null,
    ),
    comparison ? h('p', { class: 'muted small insight-note', 'data-testid': 'at-risk-comparison' }, `Repurchase ${comparisonText(comparison, 'after a poor experience', 'otherwise')}.`) : null,
    h(
      'section',
      { class: 'card' },
      h('header', { class: 'card-header' }, h('div', {}, h('h2', { class: 'card-title' }, 'Customers at risk'), h('p', { class: 'card-subtitle' }, 'By value: customers with poor experiences, falling emotion, complaints or a detractor score. Select a customer for the journey.')), h('div', { class: 'toolbar' }, download)),
      customers.length === 0
        ? empty('Nobody is at risk for these filters.')
        : h(
            'div',
            { class: 'table-scroll slipping-scroll', tabindex: '0', role: 'region', 'aria-label': 'Customers at risk' },
            h(
              'table',
              { class: 'table', 'data-testid': 'at-risk-table' },
              h('thead', {}, h('tr', {}, ['Customer', 'Value', 'Why', 'Poor experiences', 'Complaints', 'Last NPS', 'Emotion trend', 'Recent experiences'].map((t, i) => h('th', { scope: 'col', class: i === 1 || (i >= 3 && i <= 6) ? 'number' : '' }, t)))),
              h(
                'tbody',
                {},
                customers.map((c) =>
                  h(
                    'tr',
                    { 'data-customer': c.customer },
                    h('td', {}, h('a', { class: 'key-link', href: `#/customer/${encodeURIComponent(c.customer)}` }, c.customer)),
                    h('td', { class: 'number', 'data-metric': 'value' }, decimal(c.value)),
                    h('td', {}, h('div', { class: 'chips' }, c.reasons.map((r) => h('span', { class: 'chip chip-warning' }, reasonLabel(r))))),
                    h('td', { class: 'number', 'data-metric': 'poor_in_window' }, integer(c.poor_in_window)),
                    h('td', { class: 'number', 'data-metric': 'complaints' }, integer(c.complaints), c.open_complaint ? h('span', { class: 'muted small block' }, 'one open') : null),
                    h('td', { class: 'number', 'data-metric': 'last_nps' }, c.last_nps === null ? '–' : integer(c.last_nps)),
                    h('td', { class: `number ${c.emotion_slope !== null && c.emotion_slope < 0 ? 'negative' : ''}`, 'data-metric': 'emotion_slope' }, signed(c.emotion_slope)),
                    h(
                      'td',
                      {},
                      h(
                        'ul',
                        { class: 'poor-list' },
                        c.events.slice(-3).map((e) => h('li', {}, h('strong', {}, touchpointLabel(touchpointName(meta, e.touchpoint))), ' ', h('span', { class: e.emotion !== null && e.emotion < 0 ? 'negative' : '' }, signed(e.emotion)), h('span', { class: 'muted' }, ` · ${dateTime(new Date(e.ts_us / 1000).toISOString())}`))),
                      ),
                    ),
                  ),
                ),
              ),
            ),
          ),
    ),
  ))
}

// --- Resolution ------------------------------------------------------------------------

const noTeam = 4294967295
type ResolutionLevel = 'agents' | 'teams' | 'channels' | 'themes'
const levelNames: Record<ResolutionLevel, string> = { agents: 'Agents', teams: 'Teams', channels: 'Channels', themes: 'Themes' }

/** The row's name: agents, channels and themes are named, teams numbered. */
export function resolutionName(level: ResolutionLevel, row: ResolutionRow): string {
  if (row.id === null) return level === 'themes' ? '(no theme)' : '(none)'
  if (level === 'teams') return row.id === noTeam ? '(no team)' : `Team ${row.id}`
  return level === 'channels' ? humanize(String(row.id)) : String(row.id)
}

function resolutionOption(level: ResolutionLevel, rows: ResolutionRow[]): ChartOption {
  return {
    ...baseOption(),
    grid: { left: 140, right: 32, top: 36, bottom: 40 },
    legend: { top: 0, right: 0, textStyle: { fontSize: fontSize('body') } },
    tooltip: { ...(baseOption().tooltip as object), trigger: 'axis', axisPointer: { type: 'shadow' }, valueFormatter: (v: number) => percent(v) },
    xAxis: { type: 'value', min: 0, max: 1, axisLabel: { fontSize: fontSize('small'), formatter: (v: number) => `${Math.round(v * 100)} %` }, splitLine: { lineStyle: { color: '#e4e7eb' } } },
    yAxis: { type: 'category', inverse: true, data: rows.map((r) => resolutionName(level, r)), axisLabel: { fontSize: fontSize('small') }, axisTick: { show: false } },
    series: [
      { name: 'Reported FCR', type: 'bar', data: rows.map((r) => r.reported_fcr), itemStyle: { color: okabeIto.skyBlue, borderColor: okabeIto.blue }, barMaxWidth: 14 },
      { name: 'True FCR', type: 'bar', data: rows.map((r) => r.true_fcr), itemStyle: { color: okabeIto.orange, borderColor: '#8a5f00', decal: { symbol: 'rect', dashArrayX: [1, 0], dashArrayY: [2, 4], rotation: Math.PI / 4, color: 'rgba(255,255,255,0.6)' } }, barMaxWidth: 14 },
    ],
  }
}

function drawResolution(panel: HTMLElement, report: ResolutionReport): void {
  const overall = report.overall
  const levelHost = h('div', { 'data-testid': 'resolution-level' })
  const buttons = (Object.keys(levelNames) as ResolutionLevel[]).map((level) => h('button', { class: 'button button-small', type: 'button', 'aria-pressed': String(level === 'agents'), 'data-level': level }, levelNames[level]))
  const draw = (level: ResolutionLevel): void => {
    const rows = [...report[level]].sort((a, b) => (b.reported_fcr ?? 0) - (b.true_fcr ?? 0) - ((a.reported_fcr ?? 0) - (a.true_fcr ?? 0)))
    for (const button of buttons) button.setAttribute('aria-pressed', String(button.dataset.level === level))
    levelHost.dataset.level = level
    levelHost.replaceChildren(
      rows.length === 0
        ? h('section', { class: 'card' }, empty('No answered contacts.'))
        : chartCard({
            name: 'resolution-fcr',
            title: `Reported and true first-contact resolution · ${levelNames[level].toLowerCase()}`,
            subtitle: 'Reported: the agent marked the contact resolved. True: no repeat contact and no negative survey within the window. Largest gap first.',
            height: 72 + 34 * rows.length,
            description: `Bars of reported and true FCR for ${rows.length} ${level}`,
            option: resolutionOption(level, rows),
            toolbar: [h('div', { class: 'segmented', role: 'group', 'aria-label': 'Resolution by' }, buttons)],
          }),
      h(
        'section',
        { class: 'card' },
        h(
          'div',
          { class: 'table-scroll' },
          h(
            'table',
            { class: 'table', 'data-testid': 'resolution-table' },
            h('thead', {}, h('tr', {}, [levelNames[level].replace(/s$/, ''), 'Answered', 'Marked resolved', 'Reported FCR', 'True FCR', 'Gap', 'Reopened [95 %]', 'z'].map((t, i) => h('th', { scope: 'col', class: i ? 'number' : '' }, t)))),
            h(
              'tbody',
              {},
              rows.map((r) =>
                h(
                  'tr',
                  { 'data-id': String(r.id) },
                  h('th', { scope: 'row' }, resolutionName(level, r)),
                  h('td', { class: 'number', 'data-metric': 'answered' }, integer(r.answered)),
                  h('td', { class: 'number', 'data-metric': 'marked_resolved' }, integer(r.marked_resolved)),
                  h('td', { class: 'number', 'data-metric': 'reported_fcr' }, percent(r.reported_fcr)),
                  h('td', { class: 'number', 'data-metric': 'true_fcr' }, percent(r.true_fcr)),
                  h('td', { class: 'number', 'data-metric': 'gap' }, r.reported_fcr === null || r.true_fcr === null ? '–' : `${signed((r.reported_fcr - r.true_fcr) * 100, 1)} pt`),
                  h('td', { class: 'number', 'data-metric': 'reopened' }, rateText(r.reopened)),
                  h('td', { class: 'number', 'data-metric': 'z' }, decimal(r.z, 1)),
                ),
              ),
            ),
          ),
        ),
      ),
    )
  }
  for (const button of buttons) button.addEventListener('click', () => draw(button.dataset.level as ResolutionLevel))
  panel.replaceChildren(
    h(
      'dl',
      { class: 'kpis kpis-row', 'data-testid': 'resolution-kpis' },
      kpi('Answered contacts', 'answered', integer(overall.answered)),
      kpi('Reported FCR', 'reported_fcr', percent(overall.reported_fcr)),
      kpi('True FCR', 'true_fcr', percent(overall.true_fcr)),
      kpi('Marked resolved, then reopened', 'reopened', percent(overall.reopened.rate)),
      kpi('Unresolved and repeated', 'unresolved_repeated', percent(overall.unresolved_repeated.rate)),
    ),
    levelHost,
  )
  draw('agents')
}

const rateText = (r: RateInterval | null | undefined): string => (r ? `${percent(r.rate)} ${interval(r.low, r.high, (v) => percent(v))}` : '–')

// --- Root causes -------------------------------------------------------------------

function drawRootCauses(panel: HTMLElement, report: RootCausesReport, meta: Meta): void {
  const withCauses = report.themes.filter((t) => t.causes.length > 0)
  const without = report.themes.filter((t) => t.causes.length === 0)
  const exposureText = (e: RootCausesReport['themes'][number]['causes'][number]['exposure']): string =>
    `${e.previous !== null ? `${touchpointLabel(touchpointName(meta, e.previous))} → ` : ''}${touchpointLabel(touchpointName(meta, e.touchpoint))}${e.breakdown ? ` (${e.breakdown})` : ''}`
  panel.replaceChildren(...present(
    h('dl', { class: 'kpis kpis-row', 'data-testid': 'root-kpis' }, kpi('Anchor events', 'anchors', integer(report.anchors)), kpi('Themes', 'themes', integer(report.themes.length)), kpi('Themes with a cause', 'with_causes', integer(withCauses.length))),
    withCauses.length === 0 ? h('section', { class: 'card' }, empty('No touchpoint raises the odds of any theme.')) : null,
    withCauses.map((theme) =>
      h(
        'section',
        { class: 'card', 'data-theme': theme.theme },
        h('h2', { class: 'card-title' }, `“${theme.theme}”`),
        h('p', { class: 'card-subtitle' }, `${integer(theme.outcome_events)} mentions; ${integer(theme.anchors_followed)} touchpoint visits were followed by one. The touchpoints below raise the odds that the theme follows.`),
        h(
          'table',
          { class: 'table', 'data-testid': 'root-causes-table' },
          h('thead', {}, h('tr', {}, ['Touchpoint', 'Followed by the theme', 'Rate', 'Elsewhere', 'Odds ratio [95 %]'].map((t, i) => h('th', { scope: 'col', class: i ? 'number' : '' }, t)))),
          h(
            'tbody',
            {},
            theme.causes.map((c) =>
              h(
                'tr',
                {},
                h('th', { scope: 'row' }, exposureText(c.exposure)),
                h('td', { class: 'number', 'data-metric': 'followed' }, `${integer(c.followed)} of ${integer(c.anchors)}`),
                h('td', { class: 'number', 'data-metric': 'rate' }, percent(c.rate, 2)),
                h('td', { class: 'number', 'data-metric': 'rate_elsewhere' }, percent(c.rate_elsewhere, 2)),
                h('td', { class: 'number', 'data-metric': 'odds_ratio' }, `${decimal(c.odds_ratio.odds_ratio)} ${interval(c.odds_ratio.low, c.odds_ratio.high, (v) => decimal(v))}`),
              ),
            ),
          ),
        ),
      ),
    ),
    without.length ? h('p', { class: 'muted small insight-note' }, `No touchpoint stands out for ${without.length} other themes: ${without.map((t) => `“${t.theme}”`).join(', ')}.`) : null,
  ))
}

// --- Any other report ------------------------------------------------------------------

type Json = null | boolean | number | string | Json[] | { [key: string]: Json }
type JsonObject = { [key: string]: Json }

const isObject = (v: Json | undefined): v is JsonObject => v !== null && typeof v === 'object' && !Array.isArray(v)

/** The estimate of an interval object: `rate`, `value`, `mean`, `odds_ratio` or `difference`, with `low` and `high`. */
const estimateKeys = ['rate', 'value', 'mean', 'odds_ratio', 'difference'] as const
function intervalOf(v: JsonObject): { estimate: number; low: number; high: number } | null {
  const key = estimateKeys.find((k) => typeof v[k] === 'number')
  if (!key || typeof v.low !== 'number' || typeof v.high !== 'number') return null
  return { estimate: v[key] as number, low: v.low, high: v.high }
}

/** One number the way the generic tables show it: whole numbers with separators, seconds as durations, others to four significant digits. */
export function figure(key: string, value: number): string {
  if (key.endsWith('_s')) return duration(value)
  return Number.isInteger(value) ? integer(value) : parameter(value)
}

function cellText(meta: Meta, key: string, value: Json | undefined): Node | string {
  if (value === null || value === undefined) return '–'
  if (typeof value === 'boolean') return value ? 'yes' : 'no'
  if (typeof value === 'number') {
    if (key === 'touchpoint' || key === 'next_touchpoint') return touchpointLabel(touchpointName(meta, value))
    if (key === 'stage') return humanize(meta.stages[value] ?? `#${value}`)
    return figure(key, value)
  }
  if (typeof value === 'string') return key === 'touchpoint' || key === 'next_touchpoint' ? touchpointLabel(value) : key === 'persona' || key === 'kind' || key === 'signal' || key === 'stage' ? humanize(value) : value
  if (Array.isArray(value)) {
    if (/customers/.test(key)) return customerLinks(value as (string | number)[], 3)
    return `${value.length} items`
  }
  const bounds = intervalOf(value)
  if (bounds) return `${parameter(bounds.estimate)} [${parameter(bounds.low)}, ${parameter(bounds.high)}]`
  if (isObject(value) && typeof value.count === 'number' && typeof value.total === 'number') return `${integer(value.count)} of ${integer(value.total)}`
  return Object.entries(value)
    .filter(([, v]) => typeof v === 'number' || typeof v === 'string')
    .map(([k, v]) => `${humanize(k)} ${typeof v === 'number' ? figure(k, v) : v}`)
    .join(' · ')
}

/** Columns: the scalar and interval fields of the rows, nested lists last. */
function columnsOf(rows: JsonObject[]): { scalar: string[]; nested: string[] } {
  const keys = [...new Set(rows.flatMap((r) => Object.keys(r)))]
  const nestedList = (k: string): boolean => rows.some((r) => Array.isArray(r[k]) && (r[k] as Json[]).some(isObject))
  const first = ['touchpoint', 'persona', 'theme', 'kind', 'stage', 'signal', 'group']
  const scalar = keys.filter((k) => !nestedList(k)).sort((a, b) => (first.includes(b) ? 1 : 0) - (first.includes(a) ? 1 : 0))
  return { scalar, nested: keys.filter(nestedList) }
}

const genericRowLimit = 50

function genericTable(meta: Meta, name: string, rows: JsonObject[], depth: number): HTMLElement {
  const { scalar, nested } = columnsOf(rows)
  const shown = rows.slice(0, genericRowLimit)
  return h(
    'div',
    { class: 'generic-table', 'data-table': name },
    h(
      'div',
      { class: 'table-scroll' },
      h(
        'table',
        { class: 'table' },
        h('thead', {}, h('tr', {}, scalar.map((k) => h('th', { scope: 'col' }, humanize(k))))),
        h(
          'tbody',
          {},
          shown.flatMap((row, index) => {
            const main = h('tr', { 'data-row': String(index) }, scalar.map((k) => h('td', { 'data-field': k, class: typeof row[k] === 'number' ? 'number' : '' }, cellText(meta, k, row[k]))))
            if (nested.length === 0 || depth > 1) return [main]
            const details = h(
              'tr',
              { class: 'detail-row' },
              h(
                'td',
                { colspan: String(Math.max(1, scalar.length)) },
                nested.map((k) => {
                  const items = (row[k] as Json[] | undefined)?.filter(isObject) ?? []
                  return h('details', { class: 'generic-details' }, h('summary', {}, `${humanize(k)} (${items.length})`), items.length ? genericTable(meta, `${name}.${k}`, items, depth + 1) : h('p', { class: 'muted' }, 'None.'))
                }),
              ),
            )
            return [main, details]
          }),
        ),
      ),
    ),
    rows.length > shown.length ? h('p', { class: 'muted small' }, `The first ${genericRowLimit} of ${integer(rows.length)} rows.`) : null,
  )
}

function drawGeneric(panel: HTMLElement, kind: InsightKind, report: unknown, meta: Meta): void {
  const root = (isObject(report as Json) ? report : { value: report as Json }) as JsonObject
  const figures: HTMLElement[] = []
  const tables: HTMLElement[] = []
  const lists: HTMLElement[] = []
  for (const [key, value] of Object.entries(root)) {
    if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') figures.push(kpi(humanize(key), key, String(cellText(meta, key, value))))
    else if (Array.isArray(value) && value.some(isObject)) {
      const rows = value.filter(isObject)
      tables.push(h('section', { class: 'card' }, h('h2', { class: 'card-title' }, `${humanize(key)} (${integer(rows.length)})`), genericTable(meta, key, rows, 0)))
    } else if (Array.isArray(value)) {
      lists.push(h('section', { class: 'card' }, h('h2', { class: 'card-title' }, humanize(key)), /customers/.test(key) ? customerLinks(value as (string | number)[], 10) : h('p', {}, value.map(String).join(', ') || '–')))
    } else if (isObject(value)) {
      if ('first' in value && 'second' in value && isObject(value.first) && isObject(value.second)) {
        const c = value as unknown as RateComparison
        figures.push(kpi(humanize(key), key, `${signed(c.difference * 100, 1)} pt`, comparisonText(c, 'first group', 'second group')))
        lists.push(h('p', { class: 'muted small insight-note', 'data-comparison': key }, `${humanize(key)}: ${comparisonText(c, 'first group', 'second group')}.`))
      } else figures.push(kpi(humanize(key), key, String(cellText(meta, key, value))))
    }
  }
  const title = insightKinds.find((k) => k.kind === kind)?.title ?? humanize(kind)
  panel.replaceChildren(...present(
    h('h2', { class: 'section-title' }, title),
    figures.length ? h('dl', { class: 'kpis kpis-row', 'data-testid': 'generic-figures' }, figures) : null,
    ...lists,
    ...tables,
    figures.length + tables.length + lists.length === 0 ? h('section', { class: 'card' }, empty('This report is empty.')) : null,
  ))
}
