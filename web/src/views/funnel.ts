// Funnels: the builder (steps, window, mode, exclusions, breakdown), the
// conversion chart, the time-to-convert histogram and the dropped customers.

import { getJson, keyText, type Funnel, type FunnelStep, type HistogramBin } from '../api'
import { baseOption, chartCard, fontSize, okabeIto, seriesColours, type ChartOption } from '../charts'
import { empty, errorState, h, loading } from '../dom'
import { duration, humanize, integer, percent, touchpointLabel } from '../format'
import type { ViewContext } from '../main'

interface StepChoice {
  touchpoints: string[]
  optional: boolean
}

interface FunnelQuery {
  steps: StepChoice[]
  window: string
  mode: string
  exclude: string[]
  breakdown: string
  attribution: string
}

export const defaultFunnelSteps = ['product_page', 'cart', 'checkout', 'order_confirmation_email']

/** `a|b,c?` → the builder's steps, and back. */
export function parseSteps(text: string): StepChoice[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => ({ touchpoints: s.replace(/\?$/, '').split('|').filter(Boolean), optional: s.endsWith('?') }))
}

export function stepsText(steps: StepChoice[]): string {
  return steps
    .filter((s) => s.touchpoints.length > 0)
    .map((s) => `${s.touchpoints.join('|')}${s.optional ? '?' : ''}`)
    .join(',')
}

const stepLabel = (step: FunnelStep): string => step.touchpoint.split('|').map(touchpointLabel).join(' or ')

export async function renderFunnelView(main: HTMLElement, context: ViewContext): Promise<void> {
  const { meta } = context
  const p = context.route.parameters
  const query: FunnelQuery = {
    steps: parseSteps(p.get('steps') ?? defaultFunnelSteps.join(',')),
    window: p.get('window') ?? '14d',
    mode: p.get('mode') ?? 'ordered',
    exclude: p.getAll('exclude'),
    breakdown: p.get('breakdown') ?? '',
    attribution: p.get('attribution') ?? 'first',
  }
  const sortedTouchpoints = [...meta.touchpoints].sort((a, b) => touchpointLabel(a.touchpoint).localeCompare(touchpointLabel(b.touchpoint)))
  const touchpointSelect = (value: string, label: string): HTMLSelectElement => {
    const select = h('select', { class: 'select', 'aria-label': label }, sortedTouchpoints.map((t) => h('option', { value: t.touchpoint }, touchpointLabel(t.touchpoint))))
    select.value = value
    return select
  }

  const stepList = h('ol', { class: 'step-list', 'data-testid': 'funnel-steps' })
  const exclusionList = h('ul', { class: 'exclusion-list' })
  const drawBuilder = (): void => {
    stepList.replaceChildren(
      ...query.steps.map((step, index) =>
        h(
          'li',
          { class: 'step-row' },
          h('span', { class: 'step-number' }, String(index + 1)),
          step.touchpoints.map((touchpoint, alternative) => {
            const select = touchpointSelect(touchpoint, `Step ${index + 1}${alternative ? `, alternative ${alternative + 1}` : ''}`)
            select.addEventListener('change', () => (step.touchpoints[alternative] = select.value))
            return [alternative > 0 ? h('span', { class: 'muted' }, 'or') : null, select]
          }),
          h('button', { class: 'button button-small', type: 'button', title: 'Accept another touchpoint at this step', onclick: () => { step.touchpoints.push(sortedTouchpoints[0]!.touchpoint); drawBuilder() } }, '+ or'),
          h(
            'label',
            { class: 'checkbox' },
            (() => {
              const box = h('input', { type: 'checkbox' })
              box.checked = step.optional
              box.addEventListener('change', () => (step.optional = box.checked))
              return box
            })(),
            'optional',
          ),
          h('button', { class: 'button button-small button-ghost', type: 'button', 'aria-label': `Remove step ${index + 1}`, disabled: query.steps.length <= 2, onclick: () => { query.steps.splice(index, 1); drawBuilder() } }, 'Remove'),
        ),
      ),
    )
    exclusionList.replaceChildren(
      ...query.exclude.map((exclusion, index) => {
        const [touchpoint = sortedTouchpoints[0]!.touchpoint, from = '1', to = String(query.steps.length)] = exclusion.split(':')
        const select = touchpointSelect(touchpoint, `Exclusion ${index + 1}`)
        const fromInput = h('input', { class: 'input input-tiny', type: 'number', min: '1', max: String(query.steps.length), value: from, 'aria-label': 'from step' })
        const toInput = h('input', { class: 'input input-tiny', type: 'number', min: '1', max: String(query.steps.length), value: to, 'aria-label': 'to step' })
        const update = (): void => {
          query.exclude[index] = `${select.value}:${fromInput.value}:${toInput.value}`
        }
        for (const element of [select, fromInput, toInput]) element.addEventListener('change', update)
        return h('li', { class: 'step-row' }, select, h('span', { class: 'muted' }, 'between step'), fromInput, h('span', { class: 'muted' }, 'and'), toInput, h('button', { class: 'button button-small button-ghost', type: 'button', onclick: () => { query.exclude.splice(index, 1); drawBuilder() } }, 'Remove'))
      }),
    )
  }
  drawBuilder()

  const windowInput = h('input', { class: 'input input-narrow', type: 'text', value: query.window, title: 'e.g. 14d, 2h', 'aria-label': 'Conversion window' })
  const modeSelect = h('select', { class: 'select', 'aria-label': 'Mode' }, h('option', { value: 'ordered' }, 'Ordered'), h('option', { value: 'strict' }, 'Strict order'), h('option', { value: 'unordered' }, 'Any order'))
  modeSelect.value = query.mode
  const breakdownSelect = h('select', { class: 'select', 'aria-label': 'Breakdown' }, h('option', { value: '' }, 'None'), h('option', { value: 'channel' }, 'Channel'), meta.traits.map((t) => h('option', { value: `trait:${t}` }, `Trait: ${humanize(t)}`)))
  breakdownSelect.value = query.breakdown
  const attributionSelect = h('select', { class: 'select', 'aria-label': 'Attribution' }, h('option', { value: 'first' }, 'First touch'), h('option', { value: 'last' }, 'Last touch'), query.steps.map((_, i) => h('option', { value: String(i + 1) }, `Step ${i + 1}`)))
  attributionSelect.value = query.attribution

  const form = h(
    'form',
    { class: 'card controls-card', 'data-testid': 'funnel-form' },
    h('div', { class: 'builder' },
      h('div', { class: 'builder-steps' }, h('h2', { class: 'card-title' }, 'Steps'), stepList, h('button', { class: 'button button-small', type: 'button', onclick: () => { query.steps.push({ touchpoints: [sortedTouchpoints[0]!.touchpoint], optional: false }); drawBuilder() } }, '+ Add step')),
      h(
        'div',
        { class: 'builder-options' },
        h('div', { class: 'form-grid' },
          h('label', { class: 'control' }, h('span', {}, 'Window'), windowInput),
          h('label', { class: 'control' }, h('span', {}, 'Mode'), modeSelect),
          h('label', { class: 'control' }, h('span', {}, 'Breakdown'), breakdownSelect),
          h('label', { class: 'control' }, h('span', {}, 'Attribution'), attributionSelect),
        ),
        h('h3', { class: 'section-title' }, 'Exclusions'),
        exclusionList,
        h('button', { class: 'button button-small', type: 'button', onclick: () => { query.exclude.push(`${sortedTouchpoints[0]!.touchpoint}:1:${query.steps.length}`); drawBuilder() } }, '+ Add exclusion'),
        h('div', { class: 'control-submit' }, h('button', { class: 'button button-primary', type: 'submit' }, 'Compute funnel')),
      ),
    ),
  )
  const content = h('div', { class: 'funnel-content' })
  main.replaceChildren(
    h('div', { class: 'view-header' }, h('div', {}, h('h1', {}, 'Funnels'), h('p', { class: 'muted view-lede' }, 'Conversion through ordered steps within a window measured from the first step. Excluded customers leave the funnel.'))),
    form,
    content,
  )

  const load = async (): Promise<void> => {
    content.replaceChildren(loading('Computing the funnel…'))
    try {
      const result = await getJson<Funnel>(
        'funnel',
        { steps: stepsText(query.steps), window: query.window, mode: query.mode, exclude: query.exclude, breakdown: query.breakdown || null, attribution: query.breakdown ? query.attribution : null },
        context.signal,
      )
      drawFunnel(content, result)
    } catch (error) {
      if (context.signal.aborted) return
      content.replaceChildren(errorState(error, () => void load()))
    }
  }
  form.addEventListener('submit', (event) => {
    event.preventDefault()
    query.window = windowInput.value.trim() || '14d'
    query.mode = modeSelect.value
    query.breakdown = breakdownSelect.value
    query.attribution = attributionSelect.value
    const steps = stepsText(query.steps)
    context.setParameters({ steps, window: query.window === '14d' ? null : query.window, mode: query.mode === 'ordered' ? null : query.mode, breakdown: query.breakdown || null, attribution: query.breakdown && query.attribution !== 'first' ? query.attribution : null })
    void load()
  })
  await load()
}

function conversionOption(result: Funnel): ChartOption {
  const labels = result.steps.map((s, i) => `${i + 1}. ${stepLabel(s)}${s.optional ? ' (optional)' : ''}`)
  const breakdownSeries = result.breakdowns.map((b, i) => ({
    name: humanize(b.value),
    type: 'bar',
    data: b.steps.map((s) => s.customers),
    itemStyle: { color: seriesColours[(i + 1) % seriesColours.length], decal: { symbol: i % 2 ? 'rect' : 'circle', symbolSize: 0.5, dashArrayX: [1, 0], dashArrayY: [3, 5], color: 'rgba(255,255,255,0.5)' } },
    label: { show: true, position: 'top', fontSize: fontSize('small'), formatter: (p: { dataIndex: number }) => percent(b.steps[p.dataIndex]?.conversion, 0) },
  }))
  return {
    ...baseOption(),
    grid: { left: 64, right: 24, top: 48, bottom: 40 },
    legend: { top: 0, right: 0, textStyle: { fontSize: fontSize('body') } },
    tooltip: {
      ...(baseOption().tooltip as object),
      trigger: 'axis',
      axisPointer: { type: 'shadow' },
      formatter: (items: { dataIndex: number }[]) => {
        const step = result.steps[items[0]?.dataIndex ?? -1]
        if (!step) return ''
        return `<b>${stepLabel(step)}</b><br>Converted: <b>${integer(step.customers)}</b> (${percent(step.conversion)} of step 1, ${percent(step.conversion_from_previous)} of the previous)<br>Dropped: <b>${integer(step.drop_off)}</b><br>Median time from previous: ${duration(step.median_s)}`
      },
    },
    xAxis: { type: 'category', data: labels, axisLabel: { interval: 0, width: 150, overflow: 'break', fontSize: fontSize('small') } },
    yAxis: { type: 'value', name: 'customers', nameTextStyle: { fontSize: fontSize('small') }, axisLabel: { fontSize: fontSize('small') }, splitLine: { lineStyle: { color: '#e4e7eb' } } },
    series: [
      {
        name: result.breakdowns.length ? 'All customers' : 'Converted',
        type: 'bar',
        stack: result.breakdowns.length ? undefined : 'funnel',
        barMaxWidth: 96,
        data: result.steps.map((s) => s.customers),
        itemStyle: { color: okabeIto.blue },
        label: { show: true, position: 'inside', color: '#ffffff', fontWeight: 'bold', fontSize: fontSize('small'), formatter: (p: { dataIndex: number }) => `${percent(result.steps[p.dataIndex]?.conversion, 1)}` },
      },
      ...(result.breakdowns.length
        ? breakdownSeries
        : [
            {
              name: 'Dropped',
              type: 'bar',
              stack: 'funnel',
              data: result.steps.map((s) => s.drop_off),
              itemStyle: { color: '#d9dee3', decal: { symbol: 'rect', dashArrayX: [1, 0], dashArrayY: [2, 4], rotation: Math.PI / 4, color: 'rgba(82,96,109,0.35)' } },
              label: { show: true, position: 'top', color: '#52606d', fontSize: fontSize('small'), formatter: (p: { dataIndex: number }) => ((result.steps[p.dataIndex]?.drop_off ?? 0) > 0 ? `−${integer(result.steps[p.dataIndex]?.drop_off)}` : '') },
            },
          ]),
    ],
  }
}

function histogramOption(bins: HistogramBin[]): ChartOption {
  return {
    ...baseOption(),
    grid: { left: 64, right: 24, top: 24, bottom: 64 },
    tooltip: {
      ...(baseOption().tooltip as object),
      trigger: 'axis',
      axisPointer: { type: 'shadow' },
      formatter: (items: { dataIndex: number }[]) => {
        const bin = bins[items[0]?.dataIndex ?? -1]
        return bin ? `${duration(bin.from_s)} – ${duration(bin.to_s)}<br><b>${integer(bin.count)}</b> customers` : ''
      },
    },
    xAxis: { type: 'category', name: 'time to convert', nameLocation: 'middle', nameGap: 40, data: bins.map((b) => `${duration(b.from_s)}–${duration(b.to_s)}`), axisLabel: { interval: 0, rotate: 30, fontSize: fontSize('small') } },
    yAxis: { type: 'log', logBase: 10, min: 1, name: 'customers (log)', nameTextStyle: { fontSize: fontSize('small') }, axisLabel: { fontSize: fontSize('small') }, splitLine: { lineStyle: { color: '#e4e7eb' } } },
    series: [{ type: 'bar', data: bins.map((b) => (b.count > 0 ? b.count : null)), itemStyle: { color: okabeIto.green }, barCategoryGap: '10%', label: { show: true, position: 'top', fontSize: fontSize('small'), formatter: (p: { value: number }) => integer(p.value) } }],
  }
}

function drawFunnel(content: HTMLElement, result: Funnel): void {
  if (result.steps.length === 0) {
    content.replaceChildren(empty('The funnel has no steps.'))
    return
  }
  const last = result.steps[result.steps.length - 1]!
  const first = result.steps[0]!
  const converted = result.histogram.reduce((sum, b) => sum + b.count, 0)
  content.replaceChildren(
    h(
      'dl',
      { class: 'kpis kpis-row', 'data-testid': 'funnel-kpis' },
      h('div', {}, h('dt', {}, 'Entered'), h('dd', { 'data-metric': 'entered' }, integer(first.customers))),
      h('div', {}, h('dt', {}, 'Converted'), h('dd', { 'data-metric': 'converted' }, integer(last.customers))),
      h('div', {}, h('dt', {}, 'Conversion'), h('dd', { 'data-metric': 'conversion' }, percent(last.conversion))),
      h('div', {}, h('dt', {}, 'Excluded'), h('dd', { 'data-metric': 'excluded' }, integer(result.excluded_customers))),
    ),
    chartCard({
      name: 'funnel-conversion',
      title: 'Conversion by step',
      subtitle: result.breakdowns.length ? `Converted customers per step, overall and by ${result.breakdowns.map((b) => humanize(b.value)).join(', ')}.` : 'Converted customers per step (share of step 1 inside the bar) and drop-off stacked above.',
      height: 360,
      description: `Funnel of ${result.steps.length} steps from ${integer(first.customers)} to ${integer(last.customers)} customers`,
      option: conversionOption(result),
    }),
    h(
      'section',
      { class: 'card' },
      h('h2', { class: 'card-title' }, 'Steps'),
      h(
        'table',
        { class: 'table', 'data-testid': 'funnel-table' },
        h('thead', {}, h('tr', {}, ['Step', 'Customers', 'Conversion', 'From previous', 'Drop-off', 'Median time', 'p90 time'].map((title, i) => h('th', { scope: 'col', class: i ? 'number' : '' }, title)))),
        h(
          'tbody',
          {},
          result.steps.map((step, index) =>
            h(
              'tr',
              { 'data-step': String(index) },
              h('td', {}, `${index + 1}. ${stepLabel(step)}${step.optional ? ' (optional)' : ''}`),
              h('td', { class: 'number', 'data-metric': 'customers' }, integer(step.customers)),
              h('td', { class: 'number', 'data-metric': 'conversion' }, percent(step.conversion)),
              h('td', { class: 'number' }, percent(step.conversion_from_previous)),
              h('td', { class: 'number', 'data-metric': 'drop_off' }, integer(step.drop_off)),
              h('td', { class: 'number' }, duration(step.median_s)),
              h('td', { class: 'number' }, duration(step.p90_s)),
            ),
          ),
        ),
      ),
    ),
    result.histogram.length === 0
      ? h('section', { class: 'card' }, empty('Nobody converted, so there is no time to convert.'))
      : chartCard({
          name: 'funnel-time-to-convert',
          title: 'Time to convert',
          subtitle: `From step 1 to the last step, ${integer(converted)} customers (logarithmic scale).`,
          height: 300,
          description: `Histogram of the time to convert in ${result.histogram.length} bins`,
          option: histogramOption(result.histogram),
        }),
    h(
      'section',
      { class: 'card' },
      h('h2', { class: 'card-title' }, 'Dropped customers'),
      h('p', { class: 'muted small' }, 'Customers who reached the previous step but not this one (first ones listed by the server). Select one to see their journey.'),
      h(
        'div',
        { class: 'dropped-grid', 'data-testid': 'dropped' },
        result.steps.slice(1).map((step, index) =>
          h(
            'div',
            { class: 'dropped-step' },
            h('h3', { class: 'section-title' }, `${index + 1} → ${index + 2}: ${stepLabel(step)}`, h('span', { class: 'muted' }, ` · ${integer(step.drop_off)} dropped`)),
            step.drop_off_keys.length === 0
              ? h('p', { class: 'muted small' }, 'None.')
              : h('ul', { class: 'key-list' }, step.drop_off_keys.map(keyText).map((key) => h('li', {}, h('a', { class: 'key-link', href: `#/customer/${encodeURIComponent(key)}` }, key)))),
          ),
        ),
      ),
    ),
  )
}
