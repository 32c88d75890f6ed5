// The contact centre: service level, speed of answer, handling time and
// first-contact resolution (reported and true) overall and per queue; a
// queue's offered contacts against the agents required and scheduled, history
// and plan; an Erlang C/A calculator; handovers between teams and agents; the
// live queue alerts; and, when the server keeps agent states, where the agents'
// time goes.

import {
  ApiError,
  getJson,
  serverOffers,
  type AgentActivity,
  type AgentSlice,
  type AgentsReport,
  type AlertsReport,
  type ContactGroup,
  type ContactMetrics,
  type ContactsReport,
  type ErlangAnswer,
  type Handover,
  type HandoversReport,
  type QueueAlert,
  type StaffPlan,
} from '../api'
import { baseOption, chartCard, fontSize, okabeIto, type ChartOption } from '../charts'
import { empty, errorState, h, loading, present } from '../dom'
import { dateTime, decimal, duration, humanize, integer, percent, signed } from '../format'
import type { ViewContext } from '../main'

const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)

const kpi = (label: string, metric: string, value: string, note?: string, title?: string): HTMLElement =>
  h('div', { title: title ?? null }, h('dt', {}, label), h('dd', { 'data-metric': metric }, value), note ? h('p', { class: 'muted small' }, note) : null)

/** Seconds as the API's duration text: `180s`. */
const seconds = (value: number): string => `${value}s`

export async function renderContactsView(main: HTMLElement, context: ViewContext): Promise<void> {
  const summaryHost = h('div', { class: 'insight-stack', 'data-testid': 'contacts-summary' }, h('section', { class: 'card' }, loading('Measuring the queues…')))
  const staffingHost = h('div', { 'data-testid': 'staffing-section' })
  const erlangHost = h('section', { class: 'card', 'data-testid': 'erlang-card' })
  const handoverHost = h('section', { class: 'card', 'data-testid': 'handovers-card' }, loading('Tracing handovers…'))
  const alertsHost = h('section', { class: 'card', 'data-testid': 'alerts-card' }, loading('Reading the queue monitor…'))
  const agentsHost = h('div', { class: 'insight-stack', 'data-testid': 'agents-section' }, h('section', { class: 'card' }, loading('Reading agent states…')))
  main.replaceChildren(
    h('div', { class: 'view-header' }, h('div', {}, h('h1', {}, 'Contact centre'), h('p', { class: 'muted view-lede' }, 'How quickly contacts are answered, how well they are resolved, how many agents each interval needs, and where handovers and alerts happen.'))),
    h('div', { class: 'contacts-content' }, summaryHost, staffingHost, h('div', { class: 'contacts-grid' }, erlangHost, alertsHost), handoverHost, agentsHost),
  )
  drawErlang(erlangHost, context)

  const loadSummary = async (): Promise<void> => {
    try {
      const report = await getJson<ContactsReport>('contacts', { by: ['queue', 'agent'], interval: '30m' }, context.signal)
      drawSummary(summaryHost, report)
      drawStaffing(staffingHost, report, context)
    } catch (error) {
      if (context.signal.aborted) return
      summaryHost.replaceChildren(h('section', { class: 'card' }, h('h2', { class: 'card-title' }, 'Queues'), errorState(error, () => void loadSummary())))
    }
  }
  const loadHandovers = async (): Promise<void> => {
    try {
      drawHandovers(handoverHost, await getJson<HandoversReport>('handovers', {}, context.signal))
    } catch (error) {
      if (context.signal.aborted) return
      handoverHost.replaceChildren(h('h2', { class: 'card-title' }, 'Handovers'), errorState(error, () => void loadHandovers()))
    }
  }
  const loadAlerts = async (): Promise<void> => {
    try {
      drawAlerts(alertsHost, await getJson<AlertsReport>('alerts', {}, context.signal))
    } catch (error) {
      if (context.signal.aborted) return
      alertsHost.replaceChildren(h('h2', { class: 'card-title' }, 'Live alerts'), errorState(error, () => void loadAlerts()))
    }
  }
  const unavailable = (reason: string): void => {
    agentsHost.dataset.available = 'false'
    agentsHost.replaceChildren(h('p', { class: 'panel-note', 'data-testid': 'agents-unavailable' }, 'Agent time (handling, after-contact work, manual tasks, idle, breaks) is not shown: this server does not keep agent states (', h('code', {}, 'GET /api/agents'), ` ${reason}).`))
  }
  const loadAgents = async (): Promise<void> => {
    if ((await serverOffers(/^\/api\/agents$/)) === false) return unavailable('is not among its endpoints')
    try {
      drawAgents(agentsHost, await getJson<AgentsReport>('agents', {}, context.signal))
    } catch (error) {
      if (context.signal.aborted) return
      if (error instanceof ApiError && error.status === 404) return unavailable(`answered 404: ${error.message}`)
      agentsHost.replaceChildren(h('section', { class: 'card' }, h('h2', { class: 'card-title' }, 'Agents'), errorState(error, () => void loadAgents())))
    }
  }
  await Promise.all([loadSummary(), loadHandovers(), loadAlerts(), loadAgents()])
}

// --- Summary and queues -------------------------------------------------------

function drawSummary(host: HTMLElement, report: ContactsReport): void {
  const total = report.total
  const queues = report.groupings.find((g) => g.by === 'queue')?.groups ?? []
  const within = duration(report.answer_within_s)
  host.replaceChildren(
    h(
      'dl',
      { class: 'kpis kpis-row', 'data-testid': 'contact-kpis' },
      kpi('Offered', 'offered', integer(total.offered), `${integer(total.answered)} answered`),
      kpi('Service level', 'service_level', percent(total.service_level), `answered within ${within}, of all offered incl. abandoned`),
      kpi('Average speed of answer', 'asa_s', duration(total.asa_s)),
      kpi('Average handling time', 'aht_s', duration(total.aht_s), 'talk + hold + wrap'),
      kpi('Abandoned', 'abandon_rate', percent(total.abandon_rate), `${integer(total.abandoned)} contacts`),
      kpi('Reported FCR', 'reported_fcr', percent(total.reported_fcr), `agent marked resolved, n = ${integer(total.reported_fcr_n)}`),
      kpi('True FCR', 'true_fcr', percent(total.true_fcr), `no repeat within ${duration(report.repeat_window_s)}, n = ${integer(total.true_fcr_n)}`),
    ),
    h(
      'section',
      { class: 'card' },
      h('h2', { class: 'card-title' }, 'Queues'),
      h('p', { class: 'card-subtitle' }, `Service level: answered within ${within} of all offered, abandoned included (in brackets: without the abandons shorter than ${duration(report.short_abandon_s)}).`),
      queues.length === 0
        ? empty('No contacts in the data.')
        : h(
            'div',
            { class: 'table-scroll' },
            h(
              'table',
              { class: 'table', 'data-testid': 'queue-table' },
              h('thead', {}, h('tr', {}, ['Queue', 'Offered', 'Answered', 'Service level', 'ASA', 'AHT', 'Abandoned', 'Transfers', 'Reported FCR', 'True FCR', 'Emotion'].map((t, i) => h('th', { scope: 'col', class: i ? 'number' : '' }, t)))),
              h('tbody', {}, queues.map((q) => queueRow(q))),
            ),
          ),
    ),
  )
}

function queueRow(q: ContactGroup): HTMLElement {
  return h(
    'tr',
    { 'data-queue': q.queue ?? '' },
    h('th', { scope: 'row' }, humanize(q.queue ?? '–')),
    h('td', { class: 'number', 'data-metric': 'offered' }, integer(q.offered)),
    h('td', { class: 'number', 'data-metric': 'answered' }, integer(q.answered)),
    h('td', { class: 'number', 'data-metric': 'service_level' }, percent(q.service_level), q.service_level_excluding_short_abandons === null ? null : h('span', { class: 'muted small block' }, `(${percent(q.service_level_excluding_short_abandons)})`)),
    h('td', { class: 'number', 'data-metric': 'asa_s' }, duration(q.asa_s)),
    h('td', { class: 'number', 'data-metric': 'aht_s' }, duration(q.aht_s)),
    h('td', { class: 'number', 'data-metric': 'abandon_rate' }, percent(q.abandon_rate)),
    h('td', { class: 'number', 'data-metric': 'transfer_rate' }, percent(q.transfer_rate)),
    h('td', { class: 'number', 'data-metric': 'reported_fcr' }, percent(q.reported_fcr)),
    h('td', { class: 'number', 'data-metric': 'true_fcr' }, percent(q.true_fcr)),
    h('td', { class: `number ${emotionClass(q)}`, 'data-metric': 'emotion' }, q.emotion ? signed(q.emotion.mean) : '–'),
  )
}

const emotionClass = (m: ContactMetrics): string => (!m.emotion ? '' : m.emotion.mean <= -0.2 ? 'negative' : m.emotion.mean >= 0.2 ? 'positive' : '')

// --- Staffing: offered against required and scheduled agents -----------------------

/** The queue the staffing chart shows first: the busiest with a service-level target. */
export function defaultStaffingQueue(queues: ContactGroup[]): string | null {
  const candidates = queues.filter((q) => q.queue && q.service_level !== null).sort((a, b) => b.offered - a.offered)
  return candidates[0]?.queue ?? queues[0]?.queue ?? null
}

export function staffingOption(plan: StaffPlan['queues'][number]): ChartOption {
  const history = plan.history
  const intervals = [...history, ...plan.plan]
  const inHistory = (i: number): boolean => i < history.length
  const label = (iso: string): string => iso.slice(5, 16).replace('T', ' ')
  const planStart = plan.plan[0]
  const staffed = history.some((i) => i.staffed_agents !== undefined && i.staffed_agents !== null)
  return {
    ...baseOption(),
    grid: { left: 56, right: 64, top: 48, bottom: 96 },
    legend: { top: 0, left: 0, textStyle: { fontSize: fontSize('small') } },
    tooltip: {
      ...(baseOption().tooltip as object),
      trigger: 'axis',
      formatter: (items: { dataIndex: number }[]) => {
        const index = items[0]?.dataIndex ?? -1
        const i = intervals[index]
        if (!i) return ''
        return [
          `<b>${escapeHtml(dateTime(i.interval_start))}</b> · ${inHistory(index) ? 'history' : 'plan'}`,
          `Offered: <b>${decimal(i.offered, inHistory(index) ? 0 : 1)}</b>`,
          `Required agents: <b>${integer(i.agents)}</b> · scheduled with shrinkage: <b>${integer(i.agents_with_shrinkage)}</b>`,
          `Planned service level: ${percent(i.service_level)} · ASA ${duration(i.asa_s)} · occupancy ${percent(i.occupancy)}`,
          i.achieved_service_level !== undefined && i.achieved_service_level !== null ? `Achieved service level: <b>${percent(i.achieved_service_level)}</b>` : '',
          i.staffed_agents !== undefined && i.staffed_agents !== null ? `Staffed: <b>${decimal(i.staffed_agents, 1)}</b> logged in · <b>${decimal(i.available_agents ?? 0, 1)}</b> handling or ready` : '',
        ]
          .filter(Boolean)
          .join('<br>')
      },
    },
    xAxis: { type: 'category', data: intervals.map((i) => label(i.interval_start)), axisLabel: { fontSize: fontSize('small'), hideOverlap: true } },
    yAxis: [
      { type: 'value', name: 'contacts · agents', nameTextStyle: { fontSize: fontSize('small') }, axisLabel: { fontSize: fontSize('small') }, splitLine: { lineStyle: { color: '#e4e7eb' } } },
      { type: 'value', name: 'service level', min: 0, max: 1, nameTextStyle: { fontSize: fontSize('small') }, axisLabel: { fontSize: fontSize('small'), formatter: (v: number) => `${Math.round(v * 100)} %` }, splitLine: { show: false } },
    ],
    dataZoom: [
      { type: 'inside', start: (100 * Math.max(0, history.length - plan.plan.length)) / Math.max(1, intervals.length), end: 100 },
      { type: 'slider', bottom: 16, height: 24, start: (100 * Math.max(0, history.length - plan.plan.length)) / Math.max(1, intervals.length), end: 100 },
    ],
    series: [
      { name: 'Offered', type: 'bar', stack: 'offered', data: intervals.map((i, k) => (inHistory(k) ? i.offered : null)), itemStyle: { color: okabeIto.blue }, barCategoryGap: '10%' },
      {
        name: 'Forecast offered',
        type: 'bar',
        stack: 'offered',
        data: intervals.map((i, k) => (inHistory(k) ? null : i.offered)),
        itemStyle: { color: okabeIto.skyBlue, decal: { symbol: 'rect', dashArrayX: [1, 0], dashArrayY: [2, 4], rotation: Math.PI / 4, color: 'rgba(255,255,255,0.6)' } },
        markLine: planStart ? { silent: true, symbol: 'none', lineStyle: { color: okabeIto.black, type: 'dashed' }, label: { formatter: 'plan →', fontSize: fontSize('small') }, data: [{ xAxis: label(planStart.interval_start) }] } : undefined,
      },
      { name: 'Required agents', type: 'line', step: 'middle', data: intervals.map((i) => i.agents), symbol: 'triangle', symbolSize: 5, showSymbol: false, lineStyle: { color: okabeIto.orange, width: 2 }, itemStyle: { color: okabeIto.orange } },
      { name: 'Scheduled (with shrinkage)', type: 'line', step: 'middle', data: intervals.map((i) => i.agents_with_shrinkage), symbol: 'rect', symbolSize: 5, showSymbol: false, lineStyle: { color: okabeIto.green, width: 2, type: 'dashed' }, itemStyle: { color: okabeIto.green } },
      // Agents actually on duty (history, when agent events are stored).
      ...(staffed
        ? [
            { name: 'Staffed (logged in)', type: 'line', step: 'middle', data: intervals.map((i, k) => (inHistory(k) ? (i.staffed_agents ?? null) : null)), symbol: 'circle', symbolSize: 5, showSymbol: false, lineStyle: { color: okabeIto.vermillion, width: 2 }, itemStyle: { color: okabeIto.vermillion } },
            { name: 'Available (handling or ready)', type: 'line', step: 'middle', data: intervals.map((i, k) => (inHistory(k) ? (i.available_agents ?? null) : null)), symbol: 'roundRect', symbolSize: 5, showSymbol: false, lineStyle: { color: okabeIto.purple, width: 2, type: 'dotted' }, itemStyle: { color: okabeIto.purple } },
          ]
        : []),
      {
        name: 'Achieved service level',
        type: 'scatter',
        yAxisIndex: 1,
        symbol: 'diamond',
        symbolSize: 9,
        data: intervals.map((i, k) => (inHistory(k) && i.offered > 0 && i.achieved_service_level !== undefined && i.achieved_service_level !== null ? i.achieved_service_level : null)),
        itemStyle: { color: okabeIto.vermillion, borderColor: '#1f2933', borderWidth: 0.5 },
      },
    ],
  }
}

function drawStaffing(host: HTMLElement, report: ContactsReport, context: ViewContext): void {
  const queues = (report.groupings.find((g) => g.by === 'queue')?.groups ?? []).filter((q) => q.queue)
  const initial = queues.some((q) => q.queue === context.route.parameters.get('queue')) ? context.route.parameters.get('queue') : defaultStaffingQueue(queues)
  if (!initial) {
    host.replaceChildren(h('section', { class: 'card' }, h('h2', { class: 'card-title' }, 'Staffing'), empty('No queues to plan.')))
    return
  }
  const select = h('select', { class: 'select', 'aria-label': 'Queue', 'data-testid': 'staffing-queue' }, queues.map((q) => h('option', { value: q.queue ?? '' }, humanize(q.queue ?? ''))))
  select.value = initial
  let requestNumber = 0
  const chartHost = h('div', {})
  const load = async (): Promise<void> => {
    const number = ++requestNumber
    const queue = select.value
    host.dataset.queue = queue
    host.removeAttribute('data-ready')
    chartHost.replaceChildren(h('section', { class: 'card' }, loading(`Planning ${humanize(queue)}…`)))
    try {
      const plan = await getJson<StaffPlan>('staff/plan', { queue, interval: '30m', weeks: 4, horizon: '7d' }, context.signal)
      if (context.signal.aborted || number !== requestNumber) return
      const planned = plan.queues.find((q) => q.queue === queue)
      const t = plan.target
      const targetText = `Target ${percent(t.service_level, 0)} answered within ${duration(t.answer_within_secs)}${t.max_occupancy !== null ? `, occupancy at most ${percent(t.max_occupancy, 0)}` : ''}${t.shrinkage !== null ? `, shrinkage ${percent(t.shrinkage, 0)}` : ''}; Erlang ${plan.model.toUpperCase()}.`
      chartHost.replaceChildren(
        !planned
          ? h('section', { class: 'card' }, h('h2', { class: 'card-title' }, `Staffing · ${humanize(queue)}`), empty('No staffing plan for this queue: it has no service-level target to plan for (e-mail and other deferred work).'), h('div', { class: 'toolbar' }, select))
          : chartCard({
              name: 'staffing-chart',
              title: `Offered, required and scheduled agents · ${humanize(queue)}`,
              subtitle: `${plan.weeks} weeks of history per ${duration(plan.interval_s)} interval, then the plan for the next week (hatched: forecast). AHT ${duration(planned.aht_s)}${planned.patience_s !== null ? `, patience ${duration(planned.patience_s)}` : ''}. ${targetText} ◆ achieved service level.`,
              height: 420,
              description: `Bars of offered contacts and lines of required and scheduled agents for ${planned.history.length} history and ${planned.plan.length} plan intervals of ${queue}`,
              option: staffingOption(planned),
              toolbar: [select],
            }),
      )
      host.dataset.ready = 'true'
    } catch (error) {
      if (context.signal.aborted || number !== requestNumber) return
      chartHost.replaceChildren(h('section', { class: 'card' }, h('h2', { class: 'card-title' }, 'Staffing'), h('div', { class: 'toolbar' }, select), errorState(error, () => void load())))
      host.dataset.ready = 'error'
    }
  }
  select.addEventListener('change', () => {
    context.setParameters({ queue: select.value })
    void load()
  })
  host.replaceChildren(chartHost)
  void load()
}

// --- Erlang calculator --------------------------------------------------------------------

interface ErlangInputs {
  model: 'c' | 'a'
  arrivals: number
  interval: string
  aht_s: number
  service_level: number
  answer_within_s: number
  patience_s: number | null
  shrinkage: number | null
  max_occupancy: number | null
  agents: number | null
}

/** The query of `GET /api/staff/erlang` for the form's inputs. */
export function erlangQuery(inputs: ErlangInputs): Record<string, string | number | null> {
  return {
    model: inputs.model,
    arrivals: inputs.arrivals,
    interval: inputs.interval,
    aht: seconds(inputs.aht_s),
    service_level: inputs.service_level,
    answer_within: seconds(inputs.answer_within_s),
    patience: inputs.model === 'a' && inputs.patience_s !== null ? seconds(inputs.patience_s) : null,
    shrinkage: inputs.shrinkage,
    max_occupancy: inputs.max_occupancy,
    agents: inputs.agents,
  }
}

function drawErlang(host: HTMLElement, context: ViewContext): void {
  const field = (label: string, testId: string, attributes: Record<string, string>, value: string): { element: HTMLElement; input: HTMLInputElement } => {
    const input = h('input', { class: 'input', type: 'number', 'data-testid': testId, value, ...attributes })
    return { element: h('label', { class: 'control' }, h('span', {}, label), input), input }
  }
  const model = h('select', { class: 'select', 'data-testid': 'erlang-model' }, h('option', { value: 'c' }, 'Erlang C (nobody abandons)'), h('option', { value: 'a' }, 'Erlang A (with patience)'))
  const intervalSelect = h('select', { class: 'select', 'data-testid': 'erlang-interval' }, ['15m', '30m', '60m'].map((v) => h('option', { value: v }, v.replace('m', ' min'))))
  intervalSelect.value = '30m'
  const arrivals = field('Contacts per interval', 'erlang-arrivals', { min: '0', step: 'any', required: 'true' }, '100')
  const aht = field('AHT (s)', 'erlang-aht', { min: '1', step: 'any', required: 'true' }, '180')
  const target = field('Service level target', 'erlang-sl', { min: '0.01', max: '0.999', step: '0.01', required: 'true' }, '0.8')
  const within = field('Answered within (s)', 'erlang-within', { min: '0', step: 'any', required: 'true' }, '20')
  const patience = field('Patience (s)', 'erlang-patience', { min: '1', step: 'any' }, '120')
  const shrinkage = field('Shrinkage', 'erlang-shrinkage', { min: '0', max: '0.95', step: '0.01', placeholder: 'none' }, '0.3')
  const occupancy = field('Max occupancy', 'erlang-occupancy', { min: '0.1', max: '1', step: '0.01', placeholder: 'none' }, '')
  const agents = field('Agents (what if)', 'erlang-agents', { min: '1', step: '1', placeholder: 'optional' }, '')
  const result = h('div', { class: 'erlang-result', 'aria-live': 'polite', 'data-testid': 'erlang-output' })
  const syncModel = (): void => {
    patience.input.disabled = model.value !== 'a'
  }
  syncModel()
  const optional = (input: HTMLInputElement): number | null => (input.value.trim() === '' ? null : Number(input.value))
  let requestNumber = 0
  const compute = async (): Promise<void> => {
    const number = ++requestNumber
    const inputs: ErlangInputs = {
      model: model.value === 'a' ? 'a' : 'c',
      arrivals: Number(arrivals.input.value),
      interval: intervalSelect.value,
      aht_s: Number(aht.input.value),
      service_level: Number(target.input.value),
      answer_within_s: Number(within.input.value),
      patience_s: optional(patience.input),
      shrinkage: optional(shrinkage.input),
      max_occupancy: optional(occupancy.input),
      agents: optional(agents.input),
    }
    result.replaceChildren(loading('Computing…'))
    try {
      const answer = await getJson<ErlangAnswer>('staff/erlang', erlangQuery(inputs), context.signal)
      if (number !== requestNumber) return
      result.replaceChildren(erlangResult(answer))
    } catch (error) {
      if (context.signal.aborted || number !== requestNumber) return
      result.replaceChildren(errorState(error))
    }
  }
  const form = h(
    'form',
    { class: 'erlang-form', 'data-testid': 'erlang-form' },
    h('label', { class: 'control' }, h('span', {}, 'Model'), model),
    arrivals.element,
    h('label', { class: 'control' }, h('span', {}, 'Interval'), intervalSelect),
    aht.element,
    target.element,
    within.element,
    patience.element,
    shrinkage.element,
    occupancy.element,
    agents.element,
    h('div', { class: 'control control-submit' }, h('button', { class: 'button button-primary', type: 'submit', 'data-testid': 'erlang-submit' }, 'Calculate')),
  )
  model.addEventListener('change', syncModel)
  form.addEventListener('submit', (event) => {
    event.preventDefault()
    if (!form.reportValidity()) return
    void compute()
  })
  host.replaceChildren(
    h('h2', { class: 'card-title' }, 'Erlang calculator'),
    h('p', { class: 'card-subtitle' }, 'The fewest agents that meet the service level (and the occupancy cap), the service they give, and the scheduled head count after shrinkage.'),
    form,
    result,
  )
  void compute()
}

function erlangResult(a: ErlangAnswer): HTMLElement {
  return h(
    'div',
    {},
    h(
      'dl',
      { class: 'kpis kpis-row', 'data-testid': 'erlang-result' },
      kpi('Agents', 'agents', integer(a.agents)),
      kpi('Service level', 'service_level', decimal(a.service_level, 3)),
      kpi('P(wait)', 'p_wait', decimal(a.p_wait, 3)),
      kpi('ASA', 'asa_s', `${a.asa_s.toFixed(1)} s`),
      kpi('Occupancy', 'occupancy', decimal(a.occupancy, 3)),
      kpi('Scheduled (with shrinkage)', 'agents_with_shrinkage', integer(a.agents_with_shrinkage)),
      kpi('Load', 'load_erlangs', `${decimal(a.load_erlangs, 2)} E`),
      a.model === 'a' ? kpi('Abandoned', 'abandon_rate', decimal(a.abandon_rate, 3)) : null,
    ),
    a.at_agents
      ? h(
          'p',
          { class: 'muted small', 'data-testid': 'erlang-at-agents' },
          `With ${integer(a.at_agents.agents)} agents: service level ${decimal(a.at_agents.service_level, 3)}, P(wait) ${decimal(a.at_agents.p_wait, 3)}, ASA ${a.at_agents.asa_s.toFixed(1)} s, occupancy ${decimal(a.at_agents.occupancy, 3)}.`,
        )
      : null,
  )
}

// --- Handovers --------------------------------------------------------------------------------

function drawHandovers(host: HTMLElement, report: HandoversReport): void {
  let level: 'teams' | 'agents' = 'teams'
  const buttons = (['teams', 'agents'] as const).map((l) => h('button', { class: 'button button-small', type: 'button', 'aria-pressed': String(l === level), 'data-level': l }, humanize(l)))
  const body = h('div', {})
  const draw = (): void => {
    for (const b of buttons) b.setAttribute('aria-pressed', String(b.dataset.level === level))
    const rows = [...report[level]].sort((a, b) => b.count - a.count)
    const max = Math.max(1, ...rows.map((r) => r.count))
    body.dataset.level = level
    body.replaceChildren(...present(
      rows.length === 0
        ? empty('No handovers in the data.')
        : h(
            'div',
            { class: 'table-scroll' },
            h(
              'table',
              { class: 'table', 'data-testid': 'handover-table' },
              h('thead', {}, h('tr', {}, ['From', 'To', 'How', 'Handovers', 'Customers', 'Extra wait'].map((t, i) => h('th', { scope: 'col', class: i >= 3 ? 'number' : '' }, t)))),
              h(
                'tbody',
                {},
                rows.slice(0, 30).map((r: Handover) =>
                  h(
                    'tr',
                    {},
                    h('td', {}, humanize(r.from)),
                    h('td', {}, r.to === '(none)' ? h('span', { class: 'muted' }, 'not recorded') : humanize(r.to)),
                    h('td', {}, r.kind === 'recorded' ? 'transfer recorded' : r.kind === 'consecutive' ? 'next contact' : humanize(r.kind)),
                    h('td', { class: 'number', 'data-metric': 'count' }, h('div', { class: 'bar-cell' }, h('span', { class: 'bar', style: `width:${(4 * r.count) / max}rem`, 'aria-hidden': 'true' }), integer(r.count))),
                    h('td', { class: 'number', 'data-metric': 'customers' }, integer(r.customers)),
                    h('td', { class: 'number', 'data-metric': 'mean_extra_wait_s' }, duration(r.mean_extra_wait_s)),
                  ),
                ),
              ),
            ),
          ),
      rows.length > 30 ? h('p', { class: 'muted small' }, `The 30 largest of ${integer(rows.length)} handovers.`) : null,
    ))
  }
  for (const b of buttons) {
    b.addEventListener('click', () => {
      level = b.dataset.level as 'teams' | 'agents'
      draw()
    })
  }
  host.replaceChildren(
    h('header', { class: 'card-header' }, h('div', {}, h('h2', { class: 'card-title' }, 'Handovers'), h('p', { class: 'card-subtitle' }, `Transfers recorded on a contact, and next contacts of the same customer within ${duration(report.window_s)} at another team or agent, by count.`)), h('div', { class: 'toolbar' }, h('div', { class: 'segmented', role: 'group', 'aria-label': 'Handovers between' }, buttons))),
    body,
  )
  draw()
}

// --- Live alerts ----------------------------------------------------------------------------

function alertItem(alert: QueueAlert): HTMLElement {
  return h(
    'li',
    { class: `alert-item${alert.signal === 'cleared' ? ' is-cleared' : ''}`, 'data-queue': alert.queue },
    h('strong', {}, humanize(alert.queue)),
    ` · ${alert.signal === 'alert' ? 'in breach' : 'cleared'} · ${dateTime(alert.at)}`,
    alert.message ? h('span', { class: 'block small' }, alert.message) : null,
  )
}

function drawAlerts(host: HTMLElement, report: AlertsReport): void {
  const config = report.config as { service_level_target?: number; answer_within_s?: number; window_s?: number; max_asa_s?: number | null }
  const rule =
    config.service_level_target !== undefined && config.answer_within_s !== undefined && config.window_s !== undefined
      ? `An alert is raised when a queue answers fewer than ${percent(config.service_level_target, 0)} of its contacts within ${duration(config.answer_within_s)} over ${duration(config.window_s)}${config.max_asa_s ? ` or its ASA passes ${duration(config.max_asa_s)}` : ''}.`
      : 'Alerts follow the live service level of each queue.'
  host.replaceChildren(
    h('h2', { class: 'card-title' }, 'Live alerts'),
    h('p', { class: 'card-subtitle' }, rule),
    h('dl', { class: 'kpis kpis-row', 'data-testid': 'alert-kpis' }, kpi('Active', 'active', integer(report.active.length)), kpi('Raised', 'alerts_total', integer(report.alerts_total)), kpi('Cleared', 'cleared_total', integer(report.cleared_total)), kpi('Queues watched', 'queues', integer(report.queues.length))),
    report.active.length === 0
      ? h('div', { class: 'state state-empty', 'data-testid': 'alerts-empty' }, 'No queue is in breach right now.')
      : h('ul', { class: 'alert-list', 'data-testid': 'alerts-active' }, report.active.map(alertItem)),
    h('h3', { class: 'section-title' }, 'Recent'),
    report.history.length === 0 ? h('p', { class: 'muted', 'data-testid': 'alerts-history-empty' }, 'No alert has been raised or cleared since the server started.') : h('ul', { class: 'alert-list', 'data-testid': 'alerts-history' }, report.history.slice(-10).reverse().map(alertItem)),
  )
}

// --- Agents ---------------------------------------------------------------------------------

/** The activities shown as time split (logged out is not working time). */
export const agentTimeActivities: { activity: AgentActivity; name: string; colour: string; decal: object | undefined }[] = [
  { activity: 'handling', name: 'Handling', colour: okabeIto.blue, decal: undefined },
  { activity: 'after_contact_work', name: 'After-contact work', colour: okabeIto.skyBlue, decal: { symbol: 'rect', dashArrayX: [1, 0], dashArrayY: [2, 4], rotation: Math.PI / 4, color: 'rgba(255,255,255,0.6)' } },
  { activity: 'manual_task', name: 'Manual task', colour: okabeIto.orange, decal: { symbol: 'circle', symbolSize: 0.5, dashArrayX: [1, 0], dashArrayY: [3, 5], color: 'rgba(255,255,255,0.6)' } },
  { activity: 'tool_lookup', name: 'Tool lookup', colour: okabeIto.yellow, decal: { symbol: 'rect', dashArrayX: [1, 0], dashArrayY: [2, 4], rotation: -Math.PI / 4, color: 'rgba(0,0,0,0.25)' } },
  { activity: 'ready_idle', name: 'Ready, idle', colour: okabeIto.green, decal: { symbol: 'triangle', symbolSize: 0.5, dashArrayX: [1, 0], dashArrayY: [3, 5], color: 'rgba(255,255,255,0.6)' } },
  { activity: 'not_ready', name: 'Not ready', colour: okabeIto.vermillion, decal: { symbol: 'rect', dashArrayX: [1, 0], dashArrayY: [1, 3], color: 'rgba(255,255,255,0.6)' } },
  { activity: 'break', name: 'Break', colour: okabeIto.purple, decal: { symbol: 'diamond', symbolSize: 0.5, dashArrayX: [1, 0], dashArrayY: [3, 5], color: 'rgba(255,255,255,0.6)' } },
  { activity: 'logged_out', name: 'Logged out', colour: '#e4e7eb', decal: undefined },
]

const sliceName = (s: AgentSlice, level: 'teams' | 'agents'): string => (level === 'teams' ? humanize(s.team ?? '(no team)') : s.agent ?? '(unknown)')

export function agentsTimeOption(slices: AgentSlice[], level: 'teams' | 'agents'): ChartOption {
  return {
    ...baseOption(),
    grid: { left: 150, right: 24, top: 56, bottom: 40 },
    legend: { top: 0, left: 0, textStyle: { fontSize: fontSize('small') } },
    tooltip: { ...(baseOption().tooltip as object), trigger: 'axis', axisPointer: { type: 'shadow' }, valueFormatter: (v: number) => `${decimal(v, 1)} h` },
    xAxis: { type: 'value', name: 'hours', nameLocation: 'middle', nameGap: 26, axisLabel: { fontSize: fontSize('small') }, splitLine: { lineStyle: { color: '#e4e7eb' } } },
    yAxis: { type: 'category', inverse: true, data: slices.map((s) => sliceName(s, level)), axisLabel: { fontSize: fontSize('small') }, axisTick: { show: false } },
    series: agentTimeActivities.filter((a) => a.activity !== 'logged_out').map((a) => ({
      name: a.name,
      type: 'bar',
      stack: 'time',
      barMaxWidth: 22,
      data: slices.map((s) => Number(((s.time[`${a.activity}_s`] ?? 0) / 3600).toFixed(3))),
      itemStyle: { color: a.colour, decal: a.decal, borderColor: '#ffffff', borderWidth: 0.5 },
      emphasis: { focus: 'series' },
    })),
  }
}

function drawAgents(host: HTMLElement, report: AgentsReport): void {
  host.dataset.available = 'true'
  let level: 'teams' | 'agents' = 'teams'
  const buttons = (['teams', 'agents'] as const).map((l) => h('button', { class: 'button button-small', type: 'button', 'aria-pressed': String(l === level), 'data-level': l }, humanize(l)))
  const body = h('div', { class: 'insight-stack' })
  const total = report.total
  const draw = (): void => {
    for (const b of buttons) b.setAttribute('aria-pressed', String(b.dataset.level === level))
    const slices = report[level]
    body.dataset.level = level
    body.replaceChildren(
      slices.length === 0
        ? h('section', { class: 'card' }, empty('No agent states in the data.'))
        : chartCard({
            name: 'agents-time',
            title: `Where the time goes · ${level}`,
            subtitle: 'Logged-in hours by activity: handling contacts, after-contact work, manual tasks, tool lookups, ready but idle, not ready and breaks.',
            height: 90 + 28 * slices.length,
            description: `Stacked bars of agent time by activity for ${slices.length} ${level}`,
            option: agentsTimeOption(slices, level),
            toolbar: [h('div', { class: 'segmented', role: 'group', 'aria-label': 'Agents by' }, buttons)],
          }),
      h(
        'section',
        { class: 'card' },
        h(
          'div',
          { class: 'table-scroll' },
          h(
            'table',
            { class: 'table', 'data-testid': 'agents-table' },
            h('thead', {}, h('tr', {}, [level === 'teams' ? 'Team' : 'Agent', 'Agents', 'Logged in', 'Contacts', 'Occupancy', 'Handling', 'Non-customer work', 'Manual steps', 'Manual steps per contact'].map((t, i) => h('th', { scope: 'col', class: i ? 'number' : '' }, t)))),
            h(
              'tbody',
              {},
              slices.map((s) =>
                h(
                  'tr',
                  { 'data-name': sliceName(s, level) },
                  h('th', { scope: 'row' }, sliceName(s, level), level === 'agents' && s.team ? h('span', { class: 'muted small block' }, humanize(s.team)) : null),
                  h('td', { class: 'number', 'data-metric': 'agents' }, integer(s.agents)),
                  h('td', { class: 'number', 'data-metric': 'logged_in_s' }, duration(s.logged_in_s)),
                  h('td', { class: 'number', 'data-metric': 'contacts' }, integer(s.contacts)),
                  h('td', { class: 'number', 'data-metric': 'occupancy' }, percent(s.occupancy)),
                  h('td', { class: 'number', 'data-metric': 'handling_s' }, duration(s.time.handling_s)),
                  h('td', { class: 'number', 'data-metric': 'non_customer_work_s' }, duration(s.non_customer_work_s)),
                  h('td', { class: 'number', 'data-metric': 'manual_steps' }, integer(s.manual_steps)),
                  h('td', { class: 'number', 'data-metric': 'manual_steps_per_contact' }, decimal(s.manual_steps_per_contact)),
                ),
              ),
            ),
          ),
        ),
      ),
    )
  }
  for (const b of buttons) {
    b.addEventListener('click', () => {
      level = b.dataset.level as 'teams' | 'agents'
      draw()
    })
  }
  host.replaceChildren(
    h('h2', { class: 'section-title' }, 'Agents'),
    h(
      'dl',
      { class: 'kpis kpis-row', 'data-testid': 'agent-kpis' },
      kpi('Agents', 'agents', integer(total.agents)),
      kpi('Logged in', 'logged_in_s', duration(total.logged_in_s)),
      kpi('Occupancy', 'occupancy', percent(total.occupancy)),
      kpi('Manual steps per contact', 'manual_steps_per_contact', decimal(total.manual_steps_per_contact)),
      kpi('Non-customer work', 'non_customer_work_s', duration(total.non_customer_work_s)),
    ),
    body,
  )
  draw()
}
