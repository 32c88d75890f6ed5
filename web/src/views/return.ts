// The return journey: the retention triangle (cohorts × periods), the
// lifecycle per period (new, returning, resurrecting above the axis, dormant
// below, as PostHog draws it), and the customer-base models: P(alive)
// against CLV, the customers slipping away with their last poor
// experiences, the fitted parameters and the RFM segments.

import {
  getJson,
  type Cohort,
  type LifecycleReport,
  type PoorExperience,
  type RetentionPeriod,
  type RetentionReference,
  type RetentionReport,
  type RetentionType,
  type RepeatGroup,
  type StickinessReport,
  type ValueReport,
} from '../api'
import { baseOption, chartCard, exportOption, fontSize, okabeIto, type ChartOption } from '../charts'
import { empty, errorState, h, loading } from '../dom'
import { dateTime, decimal, humanize, integer, parameter, percent, signed, touchpointLabel } from '../format'
import type { ViewContext } from '../main'

export interface ReturnQuery {
  start: string[]
  returning: string[]
  retentionType: RetentionType
  period: RetentionPeriod
  periods: number
  cumulative: boolean
  reference: RetentionReference
  group: string
}

/** Periods shown when the user has not chosen: two weeks of days, a quarter of weeks, a year of months. */
export const defaultPeriods: Record<RetentionPeriod, number> = { day: 14, week: 12, month: 12 }
const periodNames: Record<RetentionPeriod, string> = { day: 'Day', week: 'Week', month: 'Month' }

const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
const listParameter = (text: string | null): string[] => (text ? text.split(',').map((s) => s.trim()).filter(Boolean) : [])
const touchpointsText = (names: string[]): string => (names.length ? names.map(touchpointLabel).join(', ') : 'any touchpoint')
const groupLabel = (group: string): string => (group === 'all' ? 'All customers' : humanize(group))

/** The query of the route's parameters, with the defaults of docs/api.md. */
export function returnQueryOf(parameters: URLSearchParams): ReturnQuery {
  const period = (['day', 'week', 'month'] as const).find((p) => p === parameters.get('period')) ?? 'week'
  const periods = Number(parameters.get('periods'))
  return {
    start: listParameter(parameters.get('start')),
    returning: listParameter(parameters.get('return')),
    retentionType: parameters.get('type') === 'recurring' ? 'recurring' : 'first_time',
    period,
    periods: Number.isInteger(periods) && periods >= 1 && periods <= 400 ? periods : defaultPeriods[period],
    cumulative: parameters.get('cumulative') === 'true',
    reference: parameters.get('reference') === 'previous' ? 'previous' : 'total',
    group: parameters.get('group') ?? 'all',
  }
}

/** White to Okabe–Ito blue by share; the printed number carries the value, the shade only helps the eye. */
export function shareColour(share: number | null): string {
  if (share === null) return '#ffffff'
  const t = Math.max(0, Math.min(1, share))
  const mix = (from: number, to: number): number => Math.round(from + (to - from) * Math.sqrt(t))
  return `rgb(${mix(247, 0)}, ${mix(250, 114)}, ${mix(252, 178)})`
}

export async function renderReturnView(main: HTMLElement, context: ViewContext): Promise<void> {
  const { meta } = context
  const query = returnQueryOf(context.route.parameters)
  const purchase = meta.outcomes?.purchase ?? []
  const sortedTouchpoints = [...meta.touchpoints].sort((a, b) => touchpointLabel(a.touchpoint).localeCompare(touchpointLabel(b.touchpoint)))

  const touchpointPicker = (label: string, testId: string, selected: string[]): { element: HTMLElement; select: HTMLSelectElement; set: (names: string[]) => void } => {
    const select = h(
      'select',
      { class: 'select select-multiple', multiple: true, size: 5, 'aria-label': `${label} (none selected: any touchpoint)`, 'data-testid': testId },
      sortedTouchpoints.map((t) => h('option', { value: t.touchpoint }, touchpointLabel(t.touchpoint))),
    )
    const summary = h('span', { class: 'muted small picker-summary', 'aria-live': 'polite' })
    const summarise = (): void => {
      const names = [...select.selectedOptions].map((o) => o.value)
      summary.textContent = names.length === 0 ? 'Any touchpoint' : names.length <= 2 ? names.map(touchpointLabel).join(', ') : `${names.length} touchpoints`
    }
    const set = (names: string[]): void => {
      for (const option of select.options) option.selected = names.includes(option.value)
      summarise()
    }
    select.addEventListener('change', summarise)
    set(selected)
    const presets = h(
      'div',
      { class: 'row picker-presets' },
      h('button', { class: 'button button-small', type: 'button', onclick: () => { set([]); select.dispatchEvent(new Event('change')) } }, 'Any'),
      purchase.length ? h('button', { class: 'button button-small', type: 'button', title: `Purchase touchpoints of journey.toml: ${purchase.map(touchpointLabel).join(', ')}`, onclick: () => { set(purchase); select.dispatchEvent(new Event('change')) } }, 'Purchases') : null,
      summary,
    )
    return { element: h('div', { class: 'control' }, h('span', {}, label), select, presets), select, set }
  }
  const selectedOf = (select: HTMLSelectElement): string[] => [...select.selectedOptions].map((o) => o.value)

  const startPicker = touchpointPicker('Start touchpoints', 'start-select', query.start)
  const returnPicker = touchpointPicker('Return touchpoints', 'return-select', query.returning)
  const typeButtons = (['first_time', 'recurring'] as const).map((type) =>
    h('button', { class: 'button', type: 'button', 'aria-pressed': String(query.retentionType === type), 'data-type': type, title: type === 'first_time' ? 'Cohort: the period of the first start event ever' : 'Cohort: every period with a start event' }, type === 'first_time' ? 'First time' : 'Recurring'),
  )
  const periodSelect = h('select', { class: 'select', 'aria-label': 'Period', 'data-testid': 'period-select' }, (['day', 'week', 'month'] as const).map((p) => h('option', { value: p }, periodNames[p])))
  periodSelect.value = query.period
  const periodsInput = h('input', { class: 'input input-tiny', type: 'number', min: '1', max: '400', value: String(query.periods), 'aria-label': 'Number of periods', 'data-testid': 'periods-input' })
  const cumulativeBox = h('input', { type: 'checkbox', 'data-testid': 'cumulative' })
  cumulativeBox.checked = query.cumulative
  const referenceSelect = h('select', { class: 'select', 'aria-label': 'Share of', 'data-testid': 'reference-select' }, h('option', { value: 'total' }, 'Cohort size'), h('option', { value: 'previous' }, 'Previous period'))
  referenceSelect.value = query.reference
  const groupSelect = h('select', { class: 'select', 'aria-label': 'Customer group', 'data-testid': 'group-select' }, h('option', { value: 'all' }, 'All customers'), meta.personas.map((p) => h('option', { value: p.name, title: p.description }, humanize(p.name))))
  groupSelect.value = query.group === 'all' || meta.personas.some((p) => p.name === query.group) ? query.group : 'all'
  query.group = groupSelect.value

  const controls = h(
    'form',
    { class: 'card controls-card return-controls', 'data-testid': 'return-form' },
    h('div', { class: 'return-controls-grid' },
      startPicker.element,
      returnPicker.element,
      h(
        'div',
        { class: 'form-grid return-options' },
        h('div', { class: 'control' }, h('span', { id: 'retention-type-label' }, 'Cohort'), h('div', { class: 'segmented', role: 'group', 'aria-labelledby': 'retention-type-label', 'data-testid': 'type-switch' }, typeButtons)),
        h('label', { class: 'control' }, h('span', {}, 'Period'), periodSelect),
        h('label', { class: 'control' }, h('span', {}, 'Periods'), periodsInput),
        h('label', { class: 'control' }, h('span', {}, 'Share of'), referenceSelect),
        h('label', { class: 'control' }, h('span', {}, 'Group'), groupSelect),
        h('label', { class: 'checkbox control-checkbox' }, cumulativeBox, 'Cumulative (returned in this period or later)'),
      ),
    ),
  )

  const triangleHost = h('div', { class: 'return-section', 'data-testid': 'triangle-section' })
  const lifecycleHost = h('div', { class: 'return-section', 'data-testid': 'lifecycle-section' })
  const valueHost = h('div', { class: 'return-section value-section', 'data-testid': 'value-section' })
  const repeatHost = h('div', { class: 'return-section', 'data-testid': 'repeat-section' })
  const stickinessHost = h('div', { class: 'return-section', 'data-testid': 'stickiness-section' })
  main.replaceChildren(
    h('div', { class: 'view-header' }, h('div', {}, h('h1', {}, 'Return journey'), h('p', { class: 'muted view-lede' }, 'Who comes back after a first visit or purchase, how the active customers renew period by period, and which valuable customers are slipping away.'))),
    controls,
    h('div', { class: 'return-content' }, triangleHost, lifecycleHost, repeatHost, stickinessHost, valueHost),
  )

  let retention: RetentionReport | null = null
  let lifecycle: LifecycleReport | null = null
  let repeat: RepeatGroup[] | null = null
  let stickiness: StickinessReport | null = null
  let requestNumber = 0

  const drawGroups = (): void => {
    if (retention) drawTriangle(triangleHost, retention, query)
    if (lifecycle) drawLifecycle(lifecycleHost, lifecycle, query)
    if (repeat) drawRepeat(repeatHost, repeat, query.group)
    if (stickiness) drawStickiness(stickinessHost, stickiness, query.group)
  }

  const load = async (): Promise<void> => {
    const number = ++requestNumber
    triangleHost.replaceChildren(h('section', { class: 'card' }, loading('Computing the retention cohorts…')))
    lifecycleHost.replaceChildren(h('section', { class: 'card' }, loading('Computing the lifecycle…')))
    triangleHost.setAttribute('aria-busy', 'true')
    const retentionRequest = getJson<RetentionReport>(
      'retention',
      { start: query.start, return: query.returning, retention_type: query.retentionType, period: query.period, periods: query.periods, cumulative: query.cumulative, reference: query.reference },
      context.signal,
    )
    const lifecycleRequest = getJson<LifecycleReport>('lifecycle', { touchpoint: query.returning, period: query.period, periods: query.periods }, context.signal)
    const [retentionResult, lifecycleResult] = await Promise.allSettled([retentionRequest, lifecycleRequest])
    if (context.signal.aborted || number !== requestNumber) return
    triangleHost.removeAttribute('aria-busy')
    if (retentionResult.status === 'fulfilled') {
      retention = retentionResult.value
      drawTriangle(triangleHost, retention, query)
    } else {
      retention = null
      triangleHost.replaceChildren(h('section', { class: 'card' }, h('h2', { class: 'card-title' }, 'Retention'), errorState(retentionResult.reason, () => void load())))
    }
    if (lifecycleResult.status === 'fulfilled') {
      lifecycle = lifecycleResult.value
      drawLifecycle(lifecycleHost, lifecycle, query)
    } else {
      lifecycle = null
      lifecycleHost.replaceChildren(h('section', { class: 'card' }, h('h2', { class: 'card-title' }, 'Lifecycle'), errorState(lifecycleResult.reason, () => void load())))
    }
  }

  const saveRoute = (): void => {
    context.setParameters({
      start: query.start.join(',') || null,
      return: query.returning.join(',') || null,
      type: query.retentionType === 'first_time' ? null : query.retentionType,
      period: query.period === 'week' ? null : query.period,
      periods: query.periods === defaultPeriods[query.period] ? null : String(query.periods),
      cumulative: query.cumulative ? 'true' : null,
      reference: query.reference === 'total' ? null : query.reference,
      group: query.group === 'all' ? null : query.group,
    })
  }
  const apply = (): void => {
    saveRoute()
    void load()
  }

  startPicker.select.addEventListener('change', () => { query.start = selectedOf(startPicker.select); apply() })
  returnPicker.select.addEventListener('change', () => { query.returning = selectedOf(returnPicker.select); apply() })
  for (const button of typeButtons) {
    button.addEventListener('click', () => {
      query.retentionType = button.dataset.type as RetentionType
      for (const other of typeButtons) other.setAttribute('aria-pressed', String(other === button))
      apply()
    })
  }
  periodSelect.addEventListener('change', () => {
    const previous = query.period
    query.period = periodSelect.value as RetentionPeriod
    // A count the user left at its default follows the new period's default.
    if (query.periods === defaultPeriods[previous]) {
      query.periods = defaultPeriods[query.period]
      periodsInput.value = String(query.periods)
    }
    apply()
  })
  periodsInput.addEventListener('change', () => {
    const value = Number(periodsInput.value)
    if (!Number.isInteger(value) || value < 1 || value > 400) {
      periodsInput.setCustomValidity('A whole number from 1 to 400')
      periodsInput.reportValidity()
      return
    }
    periodsInput.setCustomValidity('')
    query.periods = value
    apply()
  })
  cumulativeBox.addEventListener('change', () => { query.cumulative = cumulativeBox.checked; apply() })
  referenceSelect.addEventListener('change', () => { query.reference = referenceSelect.value as RetentionReference; apply() })
  groupSelect.addEventListener('change', () => {
    query.group = groupSelect.value
    saveRoute()
    drawGroups()
  })
  controls.addEventListener('submit', (event) => event.preventDefault())

  const loadValue = async (): Promise<void> => {
    valueHost.replaceChildren(h('section', { class: 'card' }, loading('Fitting the customer-base models…')))
    try {
      const value = await getJson<ValueReport>('value', {}, context.signal)
      drawValue(valueHost, value, purchase)
    } catch (error) {
      if (context.signal.aborted) return
      valueHost.replaceChildren(h('section', { class: 'card' }, h('h2', { class: 'card-title' }, 'Customer value'), errorState(error, () => void loadValue())))
    }
  }
  const loadRepeat = async (): Promise<void> => {
    repeatHost.replaceChildren(h('section', { class: 'card' }, loading('Counting repeat purchases…')))
    try {
      repeat = (await getJson<{ groups: RepeatGroup[] }>('repeat', {}, context.signal)).groups
      drawRepeat(repeatHost, repeat, query.group)
    } catch (error) {
      if (context.signal.aborted) return
      repeatHost.replaceChildren(h('section', { class: 'card' }, h('h2', { class: 'card-title' }, 'Repeat purchase'), errorState(error, () => void loadRepeat())))
    }
  }
  const loadStickiness = async (): Promise<void> => {
    stickinessHost.replaceChildren(h('section', { class: 'card' }, loading('Counting active days…')))
    try {
      stickiness = await getJson<StickinessReport>('stickiness', { period: 'week', periods: stickinessPeriods }, context.signal)
      drawStickiness(stickinessHost, stickiness, query.group)
    } catch (error) {
      if (context.signal.aborted) return
      stickinessHost.replaceChildren(h('section', { class: 'card' }, h('h2', { class: 'card-title' }, 'Stickiness'), errorState(error, () => void loadStickiness())))
    }
  }
  await Promise.all([load(), loadValue(), loadRepeat(), loadStickiness()])
}

// --- Repeat purchase and stickiness --------------------------------------------

/** Weeks the stickiness chart shows. */
export const stickinessPeriods = 8

function drawRepeat(host: HTMLElement, groups: RepeatGroup[], selected: string): void {
  const days = (value: number | null | undefined): string => (value === null || value === undefined ? '–' : `${decimal(value, 0)} d`)
  host.replaceChildren(
    h(
      'section',
      { class: 'card', 'data-testid': 'repeat-card' },
      h('h2', { class: 'card-title' }, 'Repeat purchase'),
      h('p', { class: 'card-subtitle' }, 'Of the customers who bought, how many bought again and after how long (median, with the middle half in brackets); how many reached the loyalty stage, advocated or referred others.'),
      groups.length === 0
        ? empty('No purchases in the data.')
        : h(
            'div',
            { class: 'table-scroll' },
            h(
              'table',
              { class: 'table', 'data-testid': 'repeat-table' },
              h('thead', {}, h('tr', {}, ['Group', 'Purchasers', 'Bought again', 'Rate', 'Time to repurchase', 'Loyalty', 'Advocacy', 'Referring'].map((t, i) => h('th', { scope: 'col', class: i ? 'number' : '' }, t)))),
              h(
                'tbody',
                {},
                groups.map((g) =>
                  h(
                    'tr',
                    { 'data-group': g.group, class: g.group === selected ? 'is-selected' : null, 'aria-current': g.group === selected ? 'true' : null },
                    h('th', { scope: 'row' }, groupLabel(g.group), h('span', { class: 'muted small block' }, `${integer(g.customers)} customers`)),
                    h('td', { class: 'number', 'data-metric': 'purchasers' }, integer(g.purchasers)),
                    h('td', { class: 'number', 'data-metric': 'repeat_purchasers' }, integer(g.repeat_purchasers)),
                    h('td', { class: 'number', 'data-metric': 'repurchase_rate' }, percent(g.repurchase_rate)),
                    h(
                      'td',
                      { class: 'number', 'data-metric': 'time_to_repurchase' },
                      g.time_to_repurchase ? [days(g.time_to_repurchase.days.median), h('span', { class: 'muted small block' }, `[${days(g.time_to_repurchase.p25_days)}, ${days(g.time_to_repurchase.p75_days)}]`)] : '–',
                    ),
                    h('td', { class: 'number', 'data-metric': 'loyalty_share' }, percent(g.loyalty_share)),
                    h('td', { class: 'number', 'data-metric': 'advocacy_share' }, percent(g.advocacy_share)),
                    h('td', { class: 'number', 'data-metric': 'referring_share' }, percent(g.referring_share), h('span', { class: 'muted small block' }, `${integer(g.referrals)} referrals`)),
                  ),
                ),
              ),
            ),
          ),
    ),
  )
}

/** Blues from light (one active day) to dark (every day), with a pattern each so print and colour-blind readers can tell them apart. */
const activeDayColours = ['#d6eaf8', '#a9d3f0', '#56B4E9', '#2f8fcf', '#0072B2', '#005a8c', '#003d5f']

export function stickinessOption(report: StickinessReport, group: string): ChartOption {
  const periods = groupOf(report.groups, group)?.periods ?? []
  const maxDays = Math.max(0, ...periods.map((p) => p.customers_by_active_days.length))
  return {
    ...baseOption(),
    grid: { left: 56, right: 16, top: 56, bottom: 48 },
    legend: { top: 0, left: 0, textStyle: { fontSize: fontSize('small') } },
    tooltip: { ...(baseOption().tooltip as object), trigger: 'axis', axisPointer: { type: 'shadow' } },
    xAxis: { type: 'category', data: periods.map((p) => p.period_start), axisLabel: { fontSize: fontSize('small') } },
    yAxis: { type: 'value', name: 'active customers', nameTextStyle: { fontSize: fontSize('small') }, axisLabel: { fontSize: fontSize('small') }, splitLine: { lineStyle: { color: '#e4e7eb' } } },
    series: Array.from({ length: maxDays }, (_, k) => ({
      name: `${k + 1} day${k ? 's' : ''}`,
      type: 'bar',
      stack: 'days',
      barMaxWidth: 40,
      data: periods.map((p) => p.customers_by_active_days[k] ?? 0),
      itemStyle: { color: activeDayColours[Math.min(k, activeDayColours.length - 1)], borderColor: '#ffffff', borderWidth: 0.5, decal: k % 2 === 1 ? decalOf(k % 4 === 1 ? 'diagonal' : 'circle') : undefined },
    })),
  }
}

function drawStickiness(host: HTMLElement, report: StickinessReport, group: string): void {
  const shown = groupOf(report.groups, group)
  host.replaceChildren(
    chartCard({
      name: 'stickiness',
      title: 'Stickiness',
      subtitle: `${groupLabel(shown?.group ?? 'all')} · active customers per ${report.period} by the number of days they were active in it; the darker the bar, the more days.`,
      height: 340,
      description: `Stacked bars of customers by active days for ${shown?.periods.length ?? 0} periods`,
      option: stickinessOption(report, group),
    }),
  )
}

// --- Retention triangle ------------------------------------------------------

const groupOf = <T extends { group: string }>(groups: T[], name: string): T | undefined => groups.find((g) => g.group === name) ?? groups[0]

function triangleOption(cohorts: Cohort[], period: RetentionPeriod): ChartOption {
  const columns = cohorts.length
  const data = cohorts.flatMap((cohort, row) => cohort.shares.map((share, k) => ({ value: [k, row, share ?? 0], share, count: cohort.values[k] ?? 0, itemStyle: { color: shareColour(share) }, label: { color: share !== null && share > 0.45 ? '#ffffff' : '#1f2933' } })))
  return {
    ...baseOption(),
    grid: { left: 96, right: 16, top: 40, bottom: 16 },
    // ECharts draws a heatmap only with a visual map; hidden, since each cell carries its colour.
    visualMap: { show: false, type: 'continuous', dimension: 2, min: 0, max: 1, inRange: { color: [shareColour(0), shareColour(0.25), shareColour(0.5), shareColour(0.75), shareColour(1)] } },
    xAxis: { type: 'category', position: 'top', data: Array.from({ length: columns }, (_, k) => `${periodNames[period]} ${k}`), splitArea: { show: false }, axisLabel: { fontSize: fontSize('small') }, axisTick: { show: false } },
    yAxis: { type: 'category', inverse: true, data: cohorts.map((c) => `${c.cohort_start} (${integer(c.size)})`), axisLabel: { fontSize: fontSize('small') }, axisTick: { show: false } },
    series: [
      {
        type: 'heatmap',
        data,
        itemStyle: { borderColor: '#ffffff', borderWidth: 2 },
        label: {
          show: true,
          fontSize: fontSize('small'),
          formatter: (item: { data: { share: number | null } }) => percent(item.data.share, 1),
        },
      },
    ],
  }
}

function drawTriangle(host: HTMLElement, report: RetentionReport, query: ReturnQuery): void {
  const group = groupOf(report.groups, query.group)
  if (!group) {
    host.replaceChildren(h('section', { class: 'card' }, empty('The report has no groups.')))
    return
  }
  const cohorts = group.cohorts
  const columns = cohorts.reduce((most, c) => Math.max(most, c.values.length), 0)
  const unit = periodNames[report.period]
  const totalSize = cohorts.reduce((sum, c) => sum + c.size, 0)
  const title = 'Retention'
  const subtitle = `${groupLabel(group.group)} · ${report.retention_type === 'first_time' ? 'first-time' : 'recurring'} cohorts by ${report.period} · start: ${touchpointsText(query.start)} · return: ${touchpointsText(query.returning)} · ${report.cumulative ? 'cumulative, ' : ''}share of ${report.reference === 'total' ? 'the cohort size' : 'the previous period'}`
  const exportName = 'retention-triangle'
  const exportButton = (renderer: 'canvas' | 'svg'): HTMLElement =>
    h('button', {
      class: 'button button-small',
      type: 'button',
      'data-export': renderer === 'canvas' ? 'png' : 'svg',
      title: `Download the retention triangle as ${renderer === 'canvas' ? 'PNG' : 'SVG'}`,
      onclick: () => exportOption({ name: exportName, title, subtitle, option: triangleOption(cohorts, report.period) }, renderer, Math.max(640, 120 + 72 * columns), 56 + 30 * cohorts.length),
    }, renderer === 'canvas' ? 'PNG' : 'SVG')

  const table = h(
    'table',
    { class: 'table triangle', 'data-testid': 'triangle', 'data-period': report.period, 'data-retention-type': report.retention_type, 'data-cumulative': String(report.cumulative), 'data-reference': report.reference, 'data-group': group.group },
    h('caption', { class: 'visually-hidden' }, `${title}: ${subtitle}`),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Cohort'), h('th', { scope: 'col', class: 'number' }, 'Size'), Array.from({ length: columns }, (_, k) => h('th', { scope: 'col', class: 'number' }, `${unit} ${k}`)))),
    h(
      'tbody',
      {},
      cohorts.map((cohort, row) =>
        h(
          'tr',
          { 'data-cohort': String(row), 'data-cohort-start': cohort.cohort_start },
          h('th', { scope: 'row', class: 'cohort-date' }, cohort.cohort_start),
          h('td', { class: 'number', 'data-metric': 'size' }, integer(cohort.size)),
          Array.from({ length: columns }, (_, k) => {
            if (k >= cohort.values.length) return h('td', { class: 'triangle-cell is-outside', 'aria-hidden': 'true' })
            const share = cohort.shares[k] ?? null
            const value = cohort.values[k] ?? 0
            const dark = share !== null && share > 0.45
            return h(
              'td',
              {
                class: `number triangle-cell${dark ? ' is-dark' : ''}`,
                style: `background:${shareColour(share)}`,
                'data-period': String(k),
                'data-value': String(value),
                title: `${cohort.cohort_start}, ${unit.toLowerCase()} ${k}: ${integer(value)} of ${integer(cohort.size)} customers${share === null ? '' : ` (${percent(share)})`}`,
              },
              h('span', { class: 'cell-share', 'data-metric': 'share' }, percent(share)),
              h('span', { class: 'cell-count', 'data-metric': 'value' }, integer(value)),
            )
          }),
        ),
      ),
    ),
  )
  host.replaceChildren(
    h(
      'section',
      { class: 'card', 'data-chart-card': exportName },
      h(
        'header',
        { class: 'card-header' },
        h('div', {}, h('h2', { class: 'card-title' }, title), h('p', { class: 'card-subtitle' }, subtitle)),
        h('div', { class: 'toolbar' }, exportButton('canvas'), exportButton('svg')),
      ),
      totalSize === 0 ? empty('No customer had a start event in these periods.') : h('div', { class: 'table-scroll' }, table),
      h('p', { class: 'muted small triangle-note' }, `Each row is a cohort: the customers whose ${report.retention_type === 'first_time' ? 'first' : ''} start event fell in that ${unit.toLowerCase()}. ${unit} k shows how many of them came back k ${unit.toLowerCase()}s later (share on top, customers below); the shade deepens with the share.`),
    ),
  )
}

// --- Lifecycle ---------------------------------------------------------------

const lifecycleStates = [
  { key: 'new', name: 'New', colour: okabeIto.blue, decal: 'none' },
  { key: 'returning', name: 'Returning', colour: okabeIto.green, decal: 'diagonal' },
  { key: 'resurrecting', name: 'Resurrecting', colour: okabeIto.orange, decal: 'circle' },
  { key: 'dormant', name: 'Dormant', colour: okabeIto.vermillion, decal: 'rect' },
] as const

function decalOf(kind: string): object | undefined {
  if (kind === 'none') return undefined
  if (kind === 'diagonal') return { symbol: 'rect', dashArrayX: [1, 0], dashArrayY: [2, 5], rotation: Math.PI / 4, color: 'rgba(255,255,255,0.55)' }
  return { symbol: kind, symbolSize: 0.45, dashArrayX: [1, 0], dashArrayY: [3, 6], color: 'rgba(255,255,255,0.55)' }
}

export function lifecycleOption(report: LifecycleReport, group: string): ChartOption {
  const periods = groupOf(report.groups, group)?.periods ?? []
  return {
    ...baseOption(),
    grid: { left: 64, right: 24, top: 48, bottom: 56 },
    legend: { top: 0, right: 0, textStyle: { fontSize: fontSize('body') } },
    tooltip: {
      ...(baseOption().tooltip as object),
      trigger: 'axis',
      axisPointer: { type: 'shadow' },
      formatter: (items: { dataIndex: number }[]) => {
        const p = periods[items[0]?.dataIndex ?? -1]
        if (!p) return ''
        return `<b>${escapeHtml(p.period_start)}</b><br>${lifecycleStates.map((s) => `${s.name}: <b>${integer(p[s.key])}</b>`).join('<br>')}`
      },
    },
    xAxis: { type: 'category', data: periods.map((p) => p.period_start), axisLabel: { fontSize: fontSize('small'), rotate: periods.length > 16 ? 45 : 0 } },
    yAxis: { type: 'value', name: 'customers', nameTextStyle: { fontSize: fontSize('small') }, axisLabel: { fontSize: fontSize('small'), formatter: (v: number) => integer(Math.abs(v)) }, splitLine: { lineStyle: { color: '#e4e7eb' } } },
    series: lifecycleStates.map((state) => ({
      name: state.name,
      type: 'bar',
      stack: state.key === 'dormant' ? 'dormant' : 'active',
      barMaxWidth: 48,
      // Dormant below the axis, as a negative bar.
      data: periods.map((p) => (state.key === 'dormant' ? -p.dormant : p[state.key])),
      itemStyle: { color: state.colour, decal: decalOf(state.decal) },
      emphasis: { focus: 'series' },
    })),
  }
}

function drawLifecycle(host: HTMLElement, report: LifecycleReport, query: ReturnQuery): void {
  const group = groupOf(report.groups, query.group)
  host.replaceChildren(
    chartCard({
      name: 'lifecycle',
      title: 'Lifecycle',
      subtitle: `${groupLabel(group?.group ?? 'all')} · active at ${touchpointsText(query.returning)} · per ${report.period}: new, returning and resurrecting customers above the axis, those gone dormant below.`,
      height: 340,
      description: `Lifecycle bars for ${group?.periods.length ?? 0} periods`,
      option: lifecycleOption(report, query.group),
    }),
  )
}

// --- Customer value ----------------------------------------------------------

const slippingSymbol = 'triangle'
const otherSymbol = 'circle'

export function valueScatterOption(value: ValueReport): ChartOption {
  const slipping = new Set(value.slipping_away.ranked.map((c) => c.customer))
  const point = (o: ValueReport['outlooks'][number]) => ({ value: [o.p_alive, o.clv], customer: o.customer, p_alive_before: o.p_alive_before, expected_purchases: o.expected_purchases })
  return {
    ...baseOption(),
    grid: { left: 72, right: 24, top: 48, bottom: 56 },
    legend: { top: 0, right: 0, textStyle: { fontSize: fontSize('body') } },
    tooltip: {
      ...(baseOption().tooltip as object),
      trigger: 'item',
      formatter: (item: { seriesName: string; data: ReturnType<typeof point> }) => {
        const d = item.data
        return `<span class="mono">${escapeHtml(d.customer)}</span>${item.seriesName === 'Slipping away' ? ' · <b>slipping away</b>' : ''}<br>P(alive): <b>${percent(d.value[0])}</b>${d.p_alive_before === null ? '' : ` (30 days earlier ${percent(d.p_alive_before)})`}<br>CLV: <b>${decimal(d.value[1])}</b><br>Expected purchases (1 year): ${decimal(d.expected_purchases)}`
      },
    },
    xAxis: { type: 'value', name: 'P(alive)', nameLocation: 'middle', nameGap: 32, min: 0, max: 1, axisLabel: { fontSize: fontSize('small'), formatter: (v: number) => `${Math.round(v * 100)} %` }, splitLine: { lineStyle: { color: '#eef0f2' } } },
    yAxis: { type: 'value', name: 'CLV', nameTextStyle: { fontSize: fontSize('small') }, axisLabel: { fontSize: fontSize('small') }, splitLine: { lineStyle: { color: '#e4e7eb' } } },
    series: [
      { name: 'Other customers', type: 'scatter', symbol: otherSymbol, symbolSize: 8, data: value.outlooks.filter((o) => !slipping.has(o.customer)).map(point), itemStyle: { color: okabeIto.blue, opacity: 0.55, borderColor: '#005a8c', borderWidth: 0.5 }, cursor: 'pointer' },
      { name: 'Slipping away', type: 'scatter', symbol: slippingSymbol, symbolSize: 14, data: value.outlooks.filter((o) => slipping.has(o.customer)).map(point), itemStyle: { color: okabeIto.vermillion, borderColor: '#1f2933', borderWidth: 1 }, cursor: 'pointer', z: 3 },
    ],
  }
}

function rfmOption(value: ValueReport): ChartOption {
  const segments = [...value.rfm]
  return {
    ...baseOption(),
    grid: { left: 140, right: 56, top: 8, bottom: 32 },
    tooltip: { ...(baseOption().tooltip as object), trigger: 'axis', axisPointer: { type: 'shadow' } },
    xAxis: { type: 'value', name: 'customers', nameLocation: 'middle', nameGap: 24, axisLabel: { fontSize: fontSize('small') }, splitLine: { lineStyle: { color: '#e4e7eb' } } },
    yAxis: { type: 'category', inverse: true, data: segments.map((s) => rfmLabel(s.segment)), axisLabel: { fontSize: fontSize('small') }, axisTick: { show: false } },
    series: [{ name: 'Customers', type: 'bar', data: segments.map((s) => s.customers), itemStyle: { color: okabeIto.skyBlue, borderColor: okabeIto.blue }, barMaxWidth: 22, label: { show: true, position: 'right', fontSize: fontSize('small'), formatter: (p: { value: number }) => integer(p.value) } }],
  }
}

const rfmLabel = (segment: string): string => (segment === 'cant_lose' ? 'Can’t lose' : humanize(segment))

const poorExperienceDate = (e: PoorExperience): string => (e.ts ? dateTime(e.ts) : e.ts_us !== undefined ? dateTime(new Date(e.ts_us / 1000).toISOString()) : '–')

function drawValue(host: HTMLElement, value: ValueReport, purchase: string[]): void {
  const slipping = value.slipping_away
  const outlookKeys = new Set(value.outlooks.map((o) => o.customer))
  const shownInScatter = slipping.ranked.filter((c) => outlookKeys.has(c.customer)).length
  const scatter = chartCard({
    name: 'value-scatter',
    title: 'P(alive) and customer lifetime value',
    subtitle: `The ${integer(value.outlooks.length)} customers of highest CLV (BG/NBD, Gamma-Gamma, 12 months at 1 % a month). ▲ slipping away (${integer(shownInScatter)} of them here), ● the others. Select a point to open the customer.`,
    height: 400,
    description: `Scatter of P(alive) against CLV for ${value.outlooks.length} customers; ${shownInScatter} slipping away are drawn as triangles`,
    option: valueScatterOption(value),
    onReady: (chart) => {
      chart.on('click', (event) => {
        const customer = (event.data as { customer?: string } | undefined)?.customer
        if (customer) location.hash = `#/customer/${encodeURIComponent(customer)}`
      })
    },
  })
  const modelRows: [string, [string, number][], number | null][] = [
    ['BG/NBD', [['r', value.bgnbd.r], ['α', value.bgnbd.alpha], ['a', value.bgnbd.a], ['b', value.bgnbd.b]], value.bgnbd.log_likelihood],
    ['Pareto/NBD', [['r', value.pareto_nbd.r], ['α', value.pareto_nbd.alpha], ['s', value.pareto_nbd.s], ['β', value.pareto_nbd.beta]], value.pareto_nbd.log_likelihood],
    ['Gamma-Gamma', [['p', value.gamma_gamma.p], ['q', value.gamma_gamma.q], ['γ', value.gamma_gamma.gamma]], null],
  ]
  const models = h(
    'section',
    { class: 'card' },
    h('h2', { class: 'card-title' }, 'Fitted models'),
    h('p', { class: 'card-subtitle' }, `Maximum likelihood over ${integer(value.customers)} customers with a purchase (${purchase.length ? purchase.map(touchpointLabel).join(', ') : 'the purchase touchpoints'}).`),
    h(
      'table',
      { class: 'table model-table', 'data-testid': 'model-table' },
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Model'), h('th', { scope: 'col' }, 'Parameters'), h('th', { scope: 'col', class: 'number' }, 'Log-likelihood'))),
      h(
        'tbody',
        {},
        modelRows.map(([name, parameters, logLikelihood]) =>
          h(
            'tr',
            { 'data-model': name },
            h('th', { scope: 'row' }, name),
            h('td', {}, h('dl', { class: 'parameters' }, parameters.map(([symbol, v]) => h('div', {}, h('dt', {}, symbol), h('dd', { 'data-parameter': symbol }, parameter(v)))))),
            h('td', { class: 'number' }, logLikelihood === null ? '–' : decimal(logLikelihood, 1)),
          ),
        ),
      ),
    ),
  )
  const rfm = chartCard({
    name: 'rfm-segments',
    title: 'RFM segments',
    subtitle: 'Customers per segment of recency, frequency and monetary quintiles.',
    height: 32 + 30 * Math.max(4, value.rfm.length),
    description: `Bar chart of ${value.rfm.length} RFM segments`,
    option: rfmOption(value),
  })
  const table = h(
    'table',
    { class: 'table', 'data-testid': 'slipping-table' },
    h('thead', {}, h('tr', {}, ['#', 'Customer', 'P(alive)', '30 days earlier', 'CLV', 'Expected purchases', 'Why', 'Last poor experiences'].map((title, i) => h('th', { scope: 'col', class: i >= 2 && i <= 5 ? 'number' : '' }, title)))),
    h(
      'tbody',
      {},
      slipping.ranked.map((c) =>
        h(
          'tr',
          { 'data-customer': c.customer },
          h('td', { class: 'number' }, String(c.rank)),
          h('td', {}, h('a', { class: 'key-link', href: `#/customer/${encodeURIComponent(c.customer)}` }, c.customer)),
          h('td', { class: 'number', 'data-metric': 'p_alive' }, percent(c.p_alive)),
          h('td', { class: 'number' }, percent(c.p_alive_before)),
          h('td', { class: 'number', 'data-metric': 'clv' }, decimal(c.clv)),
          h('td', { class: 'number' }, decimal(c.expected_purchases)),
          h('td', {}, h('div', { class: 'chips' }, c.low_p_alive ? h('span', { class: 'chip chip-warning' }, 'low') : null, c.falling_p_alive ? h('span', { class: 'chip chip-warning' }, '↓ falling') : null)),
          h(
            'td',
            { 'data-metric': 'poor_experiences' },
            c.last_poor_experiences.length === 0
              ? h('span', { class: 'muted' }, 'none recorded')
              : h(
                  'ul',
                  { class: 'poor-list' },
                  c.last_poor_experiences.map((e) => h('li', {}, h('strong', {}, touchpointLabel(e.touchpoint)), ' ', h('span', { class: 'negative' }, signed(e.emotion)), h('span', { class: 'muted' }, ` · ${poorExperienceDate(e)}`))),
                  c.poor_experiences > c.last_poor_experiences.length ? h('li', { class: 'muted' }, `${integer(c.poor_experiences)} in all`) : null,
                ),
          ),
        ),
      ),
    ),
  )
  host.replaceChildren(
    h(
      'dl',
      { class: 'kpis kpis-row', 'data-testid': 'value-kpis' },
      h('div', {}, h('dt', {}, 'Customers assessed'), h('dd', { 'data-metric': 'customers' }, integer(slipping.customers))),
      h('div', {}, h('dt', {}, 'Valuable from CLV'), h('dd', { 'data-metric': 'value_threshold' }, decimal(slipping.value_threshold))),
      h('div', {}, h('dt', {}, 'Slipping away'), h('dd', { 'data-metric': 'candidates' }, integer(slipping.candidates))),
      h('div', {}, h('dt', {}, 'Share'), h('dd', { 'data-metric': 'candidate_share' }, percent(slipping.candidate_share))),
    ),
    scatter,
    h('div', { class: 'value-grid' }, models, rfm),
    h(
      'section',
      { class: 'card' },
      h('h2', { class: 'card-title' }, 'Slipping away'),
      h('p', { class: 'card-subtitle' }, `Valuable customers (CLV at least ${decimal(slipping.value_threshold)}) whose P(alive) is low or fell in the last 30 days, by value at risk. Select a customer to see their journey.`),
      slipping.ranked.length === 0 ? empty('Nobody valuable is slipping away.') : h('div', { class: 'table-scroll slipping-scroll', tabindex: '0', role: 'region', 'aria-label': 'Customers slipping away' }, table),
    ),
  )
}
