// The journey map: stages as columns (with the cycle), touchpoint cards by
// channel kind, the emotion curve, persona comparison and the touchpoint panel.

import { emotionOf, getJson, keyText, type ChannelKind, type Emotion, type JourneyMap, type MapStage, type MapTouchpoint, type Meta, type TouchpointDetail, type Transition } from '../api'
import { baseOption, chartCard, fontSize, okabeIto, type ChartOption } from '../charts'
import { empty, errorState, h, loading, onActivate, svgIcon } from '../dom'
import { dateTime, duration, humanize, integer, kindOrder, percent, signed, touchpointLabel } from '../format'
import type { ViewContext } from '../main'

/** One compared population: all customers or one persona. */
interface Population {
  persona: string | null
  title: string
  map: JourneyMap
}

// --- The pain-point rule ------------------------------------------------
// Until the insights API ranks pain points, a touchpoint is marked when, with
// at least `painMinimumCustomers` customers, either
//  - its drop-off is at least 10 percentage points and 1.5 times above the
//    customer-weighted mean drop-off of the touchpoints of its stage, or
//  - its 95 % emotion interval lies wholly below its stage's emotion mean, or
//    wholly below zero.
export const painMinimumCustomers = 30
export const painDropOffMarginPoints = 0.1
export const painDropOffRatio = 1.5

export const painRuleText = `Pain point: drop-off at least ${painDropOffMarginPoints * 100} points and ${painDropOffRatio}× above the stage's customer-weighted average, or the 95 % emotion interval wholly below the stage's emotion mean or below zero (touchpoints with ≥ ${painMinimumCustomers} customers).`

export interface PainVerdict {
  pain: boolean
  reasons: string[]
}

export function stageDropOffBaseline(map: JourneyMap, stage: string): number | null {
  let weighted = 0
  let customers = 0
  for (const t of map.touchpoints) {
    if (t.stage !== stage || t.drop_off === null) continue
    weighted += t.drop_off * t.customers
    customers += t.customers
  }
  return customers > 0 ? weighted / customers : null
}

export function painVerdict(map: JourneyMap, touchpoint: MapTouchpoint): PainVerdict {
  const reasons: string[] = []
  if (touchpoint.customers < painMinimumCustomers) return { pain: false, reasons }
  const baseline = stageDropOffBaseline(map, touchpoint.stage)
  if (touchpoint.drop_off !== null && baseline !== null && touchpoint.drop_off >= baseline + painDropOffMarginPoints && touchpoint.drop_off >= baseline * painDropOffRatio) {
    reasons.push(`drop-off ${percent(touchpoint.drop_off)} vs. ${percent(baseline)} in the stage`)
  }
  const emotion = emotionOf(touchpoint.emotion)
  const stageEmotion = emotionOf(map.stages.find((s) => s.stage === touchpoint.stage)?.emotion)
  if (emotion && stageEmotion && emotion.hi < stageEmotion.mean) {
    reasons.push(`emotion ${signed(emotion.mean)} below the stage's ${signed(stageEmotion.mean)}`)
  } else if (emotion && emotion.hi < 0) {
    reasons.push(`negative emotion ${signed(emotion.mean)}`)
  }
  return { pain: reasons.length > 0, reasons }
}

// --- Shapes: every series and kind has a shape as well as a colour --------
const shapePaths = {
  circle: 'M8 3a5 5 0 1 1 0 10A5 5 0 0 1 8 3z',
  diamond: 'M8 2l6 6-6 6-6-6z',
  square: 'M3 3h10v10H3z',
  triangle: 'M8 2l6.5 11h-13z',
}
const seriesStyles = [
  { colour: okabeIto.blue, shape: 'circle' as const, echartsSymbol: 'circle', lineType: 'solid' as const },
  { colour: okabeIto.orange, shape: 'diamond' as const, echartsSymbol: 'diamond', lineType: 'dashed' as const },
]
const kindShapes: Record<ChannelKind, keyof typeof shapePaths> = { digital: 'circle', human: 'diamond', physical: 'square' }
const kindDescriptions: Record<ChannelKind, string> = { digital: 'Digital', human: 'Human', physical: 'Physical' }

function seriesMarker(index: number): SVGSVGElement {
  const style = seriesStyles[index] ?? seriesStyles[0]!
  const icon = svgIcon(shapePaths[style.shape])
  icon.classList.add(`series-${index}`)
  return icon
}

// --- The view -------------------------------------------------------------
export async function renderMapView(main: HTMLElement, context: ViewContext): Promise<void> {
  const { meta } = context
  const personaNames = new Set(meta.personas.map((p) => p.name))
  const wanted = (name: string | null): string | null => (name && (personaNames.has(name) || name === 'all') ? name : null)
  let persona = wanted(context.route.parameters.get('persona'))
  let compare = wanted(context.route.parameters.get('compare'))
  if (persona === 'all') persona = null

  const personaSelect = h('select', { id: 'persona', class: 'select', 'data-testid': 'persona-select' }, h('option', { value: '' }, 'All customers'), meta.personas.map((p) => h('option', { value: p.name, title: p.description }, humanize(p.name))))
  const compareSelect = h(
    'select',
    { id: 'compare', class: 'select', 'data-testid': 'compare-select' },
    h('option', { value: '' }, 'No comparison'),
    h('option', { value: 'all' }, 'All customers'),
    meta.personas.map((p) => h('option', { value: p.name, title: p.description }, humanize(p.name))),
  )
  personaSelect.value = persona ?? ''
  compareSelect.value = compare ?? ''
  const content = h('div', { class: 'map-content' })
  const printButton = h('button', { class: 'button', type: 'button', 'data-testid': 'print-map', onclick: () => window.print() }, 'Print map')
  main.replaceChildren(
    h(
      'div',
      { class: 'view-header' },
      h('div', {}, h('h1', {}, 'Journey map'), h('p', { class: 'muted view-lede' }, 'Stages in order, touchpoints by channel kind, emotion with its 95 % interval. Select a touchpoint for its transitions, feedback and customers.')),
      h(
        'div',
        { class: 'controls' },
        h('label', { class: 'control' }, h('span', {}, 'Persona'), personaSelect),
        h('label', { class: 'control' }, h('span', {}, 'Compare with'), compareSelect),
        printButton,
      ),
    ),
    content,
  )

  const load = async (): Promise<void> => {
    content.replaceChildren(loading('Computing the journey map…'))
    const started = performance.now()
    try {
      const [first, second] = await Promise.all([
        getJson<JourneyMap>('map', { persona }, context.signal),
        compare ? getJson<JourneyMap>('map', { persona: compare === 'all' ? null : compare }, context.signal) : Promise.resolve(null),
      ])
      const populations: Population[] = [{ persona, title: persona ? humanize(persona) : 'All customers', map: first }]
      if (second) populations.push({ persona: compare === 'all' ? null : compare, title: compare === 'all' ? 'All customers' : humanize(compare ?? ''), map: second })
      drawMap(content, meta, populations, context)
      // The browser test reads this: time from navigation start to a drawn map.
      requestAnimationFrame(() => {
        content.dataset.renderedAtMs = String(Math.round(performance.now()))
        content.dataset.loadMs = String(Math.round(performance.now() - started))
      })
    } catch (error) {
      if (context.signal.aborted) return
      content.replaceChildren(errorState(error, () => void load()))
    }
  }

  personaSelect.addEventListener('change', () => {
    persona = personaSelect.value || null
    context.setParameters({ persona })
    void load()
  })
  compareSelect.addEventListener('change', () => {
    compare = compareSelect.value || null
    context.setParameters({ compare })
    void load()
  })
  await load()
}

function drawMap(content: HTMLElement, meta: Meta, populations: Population[], context: ViewContext): void {
  const stages = meta.stages
  const base = populations[0]!
  const comparing = populations.length > 1
  const legend = h(
    'div',
    { class: 'legend', 'data-testid': 'map-legend' },
    populations.map((p, index) => h('span', { class: 'legend-item' }, seriesMarker(index), `${p.title} (${integer(p.map.customers)} customers)`)),
    kindOrder.map((kind) => h('span', { class: 'legend-item' }, kindIcon(kind), kindDescriptions[kind])),
    h('span', { class: 'legend-item legend-pain' }, painIcon(), h('span', {}, painRuleText)),
  )

  const emotionCard = chartCard({
    name: 'emotion-curve',
    title: 'Emotion across the journey',
    subtitle: 'Mean emotion score per stage in [−1, 1]; the band is the 95 % interval.',
    height: 260,
    description: `Emotion curve across ${stages.length} stages for ${populations.map((p) => p.title).join(' and ')}`,
    option: emotionOption(stages, populations),
  })

  // Stage columns with their touchpoints grouped by kind.
  const columns = stages.map((stage, stageIndex) => {
    const stageStatistics = populations.map((p) => p.map.stages.find((s) => s.stage === stage) ?? null)
    const touchpointNames = new Set<string>()
    for (const p of populations) for (const t of p.map.touchpoints) if (t.stage === stage) touchpointNames.add(t.touchpoint)
    for (const t of meta.touchpoints) if (t.stage === stage) touchpointNames.add(t.touchpoint)
    const byKind = new Map<ChannelKind, string[]>()
    for (const name of touchpointNames) {
      const kind = base.map.touchpoints.find((t) => t.touchpoint === name)?.kind ?? meta.touchpoints.find((t) => t.touchpoint === name)?.kind ?? 'digital'
      byKind.set(kind, [...(byKind.get(kind) ?? []), name])
    }
    const customersOf = (name: string): number => base.map.touchpoints.find((t) => t.touchpoint === name)?.customers ?? 0
    return h(
      'section',
      { class: 'stage-column', 'data-stage': stage, 'aria-label': `Stage ${humanize(stage)}` },
      stageHeader(stage, stageIndex, stages.length, stageStatistics, comparing),
      kindOrder
        .filter((kind) => byKind.has(kind))
        .map((kind) =>
          h(
            'div',
            { class: 'kind-group' },
            h('h4', { class: 'kind-title' }, kindIcon(kind), kindDescriptions[kind]),
            (byKind.get(kind) ?? []).sort((a, b) => customersOf(b) - customersOf(a)).map((name) => touchpointCard(name, populations, meta, context)),
          ),
        ),
    )
  })

  const grid = h('div', { class: 'stage-grid', style: `--stages:${stages.length}`, 'data-testid': 'stage-grid' }, columns)
  const cycle = meta.cycle && stages.length > 1 ? cycleArrow(stages[stages.length - 1]!, stages[0]!) : null
  content.replaceChildren(
    h('div', { class: 'print-title' }, h('h1', {}, 'Journey map'), h('p', {}, `${populations.map((p) => p.title).join(' vs. ')} · printed ${new Date().toISOString().slice(0, 10)}`)),
    legend,
    emotionCard,
    h('div', { class: 'card map-card', 'data-testid': 'journey-map' }, h('div', { class: 'stage-scroller' }, grid, cycle)),
  )
}

function stageHeader(stage: string, index: number, count: number, statistics: (MapStage | null)[], comparing: boolean): HTMLElement {
  const values = (render: (s: MapStage) => string): HTMLElement[] =>
    statistics.map((s, i) => h('span', { class: 'stat-value', 'data-series': String(i) }, comparing ? seriesMarker(i) : null, s ? render(s) : '–'))
  return h(
    'header',
    { class: 'stage-header' },
    h('div', { class: 'stage-name' }, h('span', { class: 'stage-number' }, String(index + 1)), h('h3', {}, humanize(stage)), index < count - 1 ? h('span', { class: 'stage-arrow', 'aria-hidden': 'true' }, '→') : null),
    h(
      'dl',
      { class: 'stage-stats' },
      h('div', {}, h('dt', {}, 'Customers'), h('dd', {}, values((s) => integer(s.customers)))),
      h('div', {}, h('dt', {}, 'Drop-off'), h('dd', {}, values((s) => percent(s.drop_off)))),
      h('div', {}, h('dt', {}, 'To next stage'), h('dd', { title: 'Median time to the next stage' }, values((s) => duration(s.time_to_next_stage_s?.median ?? null)))),
    ),
  )
}

function cycleArrow(last: string, first: string): HTMLElement {
  const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg')
  svg.setAttribute('class', 'cycle-svg')
  svg.setAttribute('viewBox', '0 0 1000 40')
  svg.setAttribute('preserveAspectRatio', 'none')
  svg.setAttribute('aria-hidden', 'true')
  svg.innerHTML =
    '<defs><marker id="cycle-head" viewBox="0 0 10 10" refX="8" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0 0L10 5L0 10z" fill="#52606d"/></marker></defs>' +
    '<path d="M985 2 V26 Q985 36 975 36 H25 Q15 36 15 26 V6" fill="none" stroke="#52606d" stroke-width="2" vector-effect="non-scaling-stroke" marker-end="url(#cycle-head)"/>'
  return h('div', { class: 'cycle', 'data-testid': 'cycle-arrow' }, svg, h('p', { class: 'cycle-label' }, '↺ The journey is a cycle: ', h('strong', {}, humanize(last)), ' leads back to ', h('strong', {}, humanize(first))))
}

function kindIcon(kind: ChannelKind): SVGSVGElement {
  const icon = svgIcon(shapePaths[kindShapes[kind]])
  icon.classList.add('kind-icon', `kind-${kind}`)
  return icon
}

function painIcon(): SVGSVGElement {
  const icon = svgIcon(shapePaths.triangle, 'Pain point')
  icon.classList.add('pain-icon')
  return icon
}

function emotionText(emotion: Emotion | null): string {
  return emotion ? `${signed(emotion.mean)} [${signed(emotion.lo)}, ${signed(emotion.hi)}]` : '–'
}

/** The mean, and the interval below it in smaller type. */
function emotionNode(emotion: Emotion | null): Node | string {
  if (!emotion) return '–'
  return h('span', { class: 'emotion' }, h('span', { class: 'emotion-mean' }, signed(emotion.mean)), ' ', h('span', { class: 'emotion-interval', title: `95 % interval, n = ${integer(emotion.n)}` }, `[${signed(emotion.lo)}, ${signed(emotion.hi)}]`))
}

function touchpointCard(name: string, populations: Population[], meta: Meta, context: ViewContext): HTMLElement {
  const comparing = populations.length > 1
  const statistics = populations.map((p) => p.map.touchpoints.find((t) => t.touchpoint === name) ?? null)
  const verdicts = populations.map((p, i) => (statistics[i] ? painVerdict(p.map, statistics[i]!) : { pain: false, reasons: [] }))
  const pain = verdicts.some((v) => v.pain)
  const channel = meta.touchpoints.find((t) => t.touchpoint === name)?.channel
  const metric = (label: string, metricName: string, render: (t: MapTouchpoint) => Node | string): HTMLElement =>
    h(
      'div',
      { class: 'metric' },
      h('dt', {}, label),
      statistics.map((t, i) => h('dd', { class: 'stat-value', 'data-metric': metricName, 'data-series': String(i) }, t ? render(t) : '–')),
    )
  const painTitle = verdicts
    .map((v, i) => (v.pain ? `${comparing ? `${populations[i]!.title}: ` : ''}${v.reasons.join('; ')}` : null))
    .filter(Boolean)
    .join(' · ')
  const card = h(
    'article',
    {
      class: `tp-card${pain ? ' is-pain' : ''}`,
      tabindex: '0',
      role: 'button',
      'data-testid': 'tp-card',
      'data-touchpoint': name,
      'data-pain': String(pain),
      'aria-label': `${touchpointLabel(name)}${pain ? ', pain point' : ''}: open details`,
    },
    h('header', { class: 'tp-card-header' }, h('h5', {}, touchpointLabel(name)), pain ? h('span', { class: 'pain-badge', title: painTitle }, painIcon(), 'Pain point') : null),
    channel ? h('p', { class: 'tp-channel' }, humanize(channel)) : null,
    h(
      'dl',
      { class: `metrics${comparing ? ' is-compare' : ''}`, style: `--series:${statistics.length}` },
      comparing ? h('div', { class: 'metric metric-legend', 'aria-hidden': 'true' }, h('dt', {}), statistics.map((_, i) => h('dd', {}, seriesMarker(i)))) : null,
      metric('Events', 'events', (t) => integer(t.events)),
      metric('Customers', 'customers', (t) => integer(t.customers)),
      metric('Drop-off', 'drop_off', (t) => percent(t.drop_off)),
      metric('Emotion', 'emotion', (t) => emotionNode(emotionOf(t.emotion))),
    ),
    pain ? h('p', { class: 'pain-reason' }, painTitle) : null,
  )
  onActivate(card, () => openTouchpointPanel(name, populations[0]!, context, card))
  return card
}

function emotionOption(stages: string[], populations: Population[]): ChartOption {
  const series: Record<string, unknown>[] = []
  populations.forEach((population, index) => {
    const style = seriesStyles[index] ?? seriesStyles[0]!
    const emotions = stages.map((stage) => emotionOf(population.map.stages.find((s) => s.stage === stage)?.emotion))
    const stack = `band-${index}`
    series.push(
      { name: `${population.title} lower`, type: 'line', stack, data: emotions.map((e) => (e ? e.lo + 1 : null)), lineStyle: { opacity: 0 }, symbol: 'none', silent: true, tooltip: { show: false } },
      {
        name: `${population.title} interval`,
        type: 'line',
        stack,
        data: emotions.map((e) => (e ? e.hi - e.lo : null)),
        lineStyle: { opacity: 0 },
        areaStyle: { color: style.colour, opacity: 0.22 },
        symbol: 'none',
        silent: true,
        tooltip: { show: false },
      },
      {
        name: population.title,
        type: 'line',
        data: emotions.map((e) => (e ? e.mean + 1 : null)),
        connectNulls: true,
        symbol: style.echartsSymbol,
        symbolSize: 10,
        lineStyle: { width: 3, type: style.lineType, color: style.colour },
        itemStyle: { color: style.colour },
        label: { show: true, position: index === 0 ? 'top' : 'bottom', formatter: (p: { value: number }) => signed(p.value - 1), fontSize: fontSize('small'), color: style.colour },
      },
    )
  })
  // The band is drawn on a shifted axis (value + 1) so the stack starts at ≥ 0.
  return {
    ...baseOption(),
    grid: { left: 56, right: 24, top: 36, bottom: 36 },
    legend: { data: populations.map((p) => p.title), top: 0, right: 0, textStyle: { fontSize: fontSize('body') } },
    tooltip: {
      ...(baseOption().tooltip as object),
      trigger: 'axis',
      formatter: (items: { seriesName: string; dataIndex: number }[]) => {
        const first = items[0]
        if (!first) return ''
        const stage = stages[first.dataIndex] ?? ''
        const lines = populations.map((p) => {
          const e = emotionOf(p.map.stages.find((s) => s.stage === stage)?.emotion)
          return `${p.title}: <b>${emotionText(e)}</b>${e ? ` · n = ${integer(e.n)}` : ''}`
        })
        return `<b>${humanize(stage)}</b><br>${lines.join('<br>')}`
      },
    },
    xAxis: { type: 'category', data: stages.map(humanize), boundaryGap: true, axisLabel: { fontSize: fontSize('body') } },
    yAxis: {
      type: 'value',
      min: 0,
      max: 2,
      interval: 0.5,
      axisLabel: { formatter: (v: number) => signed(v - 1, 1), fontSize: fontSize('small') },
      splitLine: { lineStyle: { color: '#e4e7eb' } },
    },
    series: [
      ...series,
      { type: 'line', data: [], markLine: { silent: true, symbol: 'none', lineStyle: { color: '#9aa5b1', type: 'dotted' }, label: { show: false }, data: [{ yAxis: 1 }] } },
    ],
  }
}

// --- The touchpoint panel -------------------------------------------------
let openPanel: HTMLElement | null = null

function closePanel(): void {
  openPanel?.remove()
  openPanel = null
}

function transitionTable(transitions: Transition[], direction: 'from' | 'to', caption: string): HTMLElement {
  if (transitions.length === 0) return empty(`No ${caption.toLowerCase()}.`)
  const rows = [...transitions].sort((a, b) => b.count - a.count).slice(0, 12)
  return h(
    'table',
    { class: 'table', 'data-testid': `transitions-${direction === 'from' ? 'in' : 'out'}` },
    h('caption', {}, caption),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, direction === 'from' ? 'From' : 'To'), h('th', { scope: 'col', class: 'number' }, 'Count'), h('th', { scope: 'col', class: 'number' }, 'Customers'), h('th', { scope: 'col', class: 'number' }, 'Median'), h('th', { scope: 'col', class: 'number' }, 'p90'))),
    h(
      'tbody',
      {},
      rows.map((t) =>
        h(
          'tr',
          {},
          h('td', {}, touchpointLabel(direction === 'from' ? t.from : t.to)),
          h('td', { class: 'number' }, integer(t.count)),
          h('td', { class: 'number' }, integer(t.customers)),
          h('td', { class: 'number' }, duration(t.median_s)),
          h('td', { class: 'number' }, duration(t.p90_s)),
        ),
      ),
    ),
  )
}

function openTouchpointPanel(name: string, population: Population, context: ViewContext, returnFocusTo: HTMLElement): void {
  closePanel()
  const body = h('div', { class: 'panel-body' }, loading(`Loading ${touchpointLabel(name)}…`))
  const closeButton = h('button', { class: 'button button-ghost panel-close', type: 'button', 'aria-label': 'Close panel' }, '✕')
  const panel = h(
    'aside',
    { class: 'panel', role: 'dialog', 'aria-modal': 'false', 'aria-label': `Touchpoint ${touchpointLabel(name)}`, 'data-testid': 'tp-panel', 'data-touchpoint': name, tabindex: '-1' },
    h('header', { class: 'panel-header' }, h('div', {}, h('p', { class: 'eyebrow' }, population.title), h('h2', {}, touchpointLabel(name))), closeButton),
    body,
  )
  const close = (): void => {
    closePanel()
    returnFocusTo.focus()
  }
  closeButton.addEventListener('click', close)
  panel.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') close()
  })
  document.body.appendChild(panel)
  openPanel = panel
  context.signal.addEventListener('abort', closePanel)
  panel.focus()

  const load = async (): Promise<void> => {
    try {
      const detail = await getJson<TouchpointDetail>(`touchpoints/${encodeURIComponent(name)}`, { persona: population.persona }, context.signal)
      const emotion = emotionOf(detail.emotion)
      const keys = (detail.customer_keys ?? (Array.isArray(detail.customers) ? (detail.customers as unknown as (string | number)[]) : [])).map(keyText)
      body.replaceChildren(
        h(
          'dl',
          { class: 'kpis' },
          h('div', {}, h('dt', {}, 'Events'), h('dd', { 'data-metric': 'events' }, integer(detail.events))),
          h('div', {}, h('dt', {}, 'Customers'), h('dd', { 'data-metric': 'customers' }, integer(typeof detail.customers === 'number' ? detail.customers : null))),
          h('div', {}, h('dt', {}, 'Drop-off'), h('dd', { 'data-metric': 'drop_off' }, percent(detail.drop_off))),
          h('div', {}, h('dt', {}, 'Emotion'), h('dd', { 'data-metric': 'emotion' }, emotionText(emotion))),
        ),
        h('p', { class: 'muted small' }, `${humanize(detail.stage)} · ${kindDescriptions[detail.kind] ?? detail.kind}`),
        transitionTable(detail.incoming, 'from', 'Transitions in'),
        transitionTable(detail.outgoing, 'to', 'Transitions out'),
        h('h3', { class: 'section-title' }, `Feedback (${detail.feedback.length})`),
        detail.feedback.length === 0
          ? empty('No feedback text at this touchpoint.')
          : h(
              'ul',
              { class: 'feedback-list', 'data-testid': 'feedback' },
              detail.feedback.slice(0, 20).map((f) =>
                h(
                  'li',
                  { class: 'feedback' },
                  h('blockquote', {}, f.text),
                  h(
                    'p',
                    { class: 'feedback-meta' },
                    f.sentiment !== null ? h('span', { class: `sentiment ${f.sentiment < -0.05 ? 'negative' : f.sentiment > 0.05 ? 'positive' : 'neutral'}` }, `sentiment ${signed(f.sentiment)}`) : null,
                    f.rating !== null ? h('span', {}, `rating ${f.rating}${f.rating_scale ? ` (${f.rating_scale})` : ''}`) : null,
                    h('span', {}, dateTime(f.ts)),
                    h('a', { href: `#/customer/${encodeURIComponent(keyText(f.customer))}` }, 'customer'),
                  ),
                ),
              ),
            ),
        h('h3', { class: 'section-title' }, `Customers (first ${keys.length})`),
        keys.length === 0
          ? empty('No customers listed.')
          : h('ul', { class: 'key-list', 'data-testid': 'tp-customers' }, keys.map((key) => h('li', {}, h('a', { href: `#/customer/${encodeURIComponent(key)}`, class: 'key-link' }, key)))),
      )
    } catch (error) {
      if (context.signal.aborted) return
      body.replaceChildren(errorState(error, () => void load()))
    }
  }
  void load()
}
