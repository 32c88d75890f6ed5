// The customer view: search, identities (and why they were merged), traits,
// and the journey as a timeline in swim lanes by channel kind or channel.

import { ApiError, getJson, serverOffers, type AgentTimeline, type CustomerDetail, type CustomerEvent, type CustomerSummary } from '../api'
import { baseOption, chartCard, fontSize, okabeIto, type ChartOption } from '../charts'
import { empty, errorState, h, loading, present } from '../dom'
import { agentTimeActivities } from './contacts'
import { dateTime, duration, humanize, integer, kindOrder, signed, touchpointLabel } from '../format'
import type { ViewContext } from '../main'

type LaneMode = 'kind' | 'channel'

const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)

/** Diverging and colour-blind safe: blue good, vermillion bad, grey neutral. */
function emotionColour(emotion: number | null): string {
  if (emotion === null) return '#ffffff'
  if (emotion >= 0.2) return okabeIto.blue
  if (emotion <= -0.2) return okabeIto.vermillion
  return '#9aa5b1'
}

const kindSymbols: Record<string, string> = { digital: 'circle', human: 'diamond', physical: 'rect' }

function timelineOption(detail: CustomerDetail, lanes: LaneMode): ChartOption {
  const laneOf = (e: CustomerEvent): string => (lanes === 'kind' ? humanize(e.kind ?? 'unknown') : humanize(e.channel))
  const laneNames =
    lanes === 'kind'
      ? [...kindOrder.map(humanize), ...(detail.events.some((e) => !e.kind) ? ['Unknown'] : [])].filter((k) => detail.events.some((e) => laneOf(e) === k))
      : [...new Set(detail.events.map(laneOf))].sort()
  const points = detail.events.map((event, index) => ({
    value: [event.ts, laneOf(event)],
    index,
    symbol: kindSymbols[event.kind ?? ''] ?? 'triangle',
    symbolSize: event.text ? 16 : 11,
    itemStyle: { color: emotionColour(event.emotion), borderColor: event.emotion === null ? '#52606d' : '#1f2933', borderWidth: 1 },
  }))
  return {
    ...baseOption(),
    grid: { left: 110, right: 32, top: 16, bottom: 40 },
    tooltip: {
      ...(baseOption().tooltip as object),
      trigger: 'item',
      formatter: (item: { data: { index: number } }) => {
        const e = detail.events[item.data.index]
        if (!e) return ''
        const parts = [
          `<b>${escapeHtml(touchpointLabel(e.touchpoint))}</b> · ${escapeHtml(humanize(e.stage ?? ''))}`,
          `${dateTime(e.ts)} · ${escapeHtml(humanize(e.channel))}`,
          e.agent ? `Agent: ${escapeHtml(e.agent)}` : '',
          e.emotion !== null ? `Emotion: <b>${signed(e.emotion)}</b>` : '',
          e.rating !== null ? `Rating: ${e.rating}${e.rating_scale ? ` (${escapeHtml(e.rating_scale)})` : ''}` : '',
          e.wait_s !== null ? `Wait ${duration(e.wait_s)}${e.handle_s !== null ? ` · handle ${duration(e.handle_s)}` : ''}` : '',
          e.text ? `<i style="display:inline-block;max-width:320px;white-space:normal">“${escapeHtml(e.text)}”</i>` : '',
        ]
        return parts.filter(Boolean).join('<br>')
      },
    },
    xAxis: { type: 'time', axisLabel: { fontSize: fontSize('small'), hideOverlap: true }, splitLine: { show: true, lineStyle: { color: '#eef0f2' } } },
    yAxis: { type: 'category', data: laneNames, axisLabel: { fontSize: fontSize('body') }, splitLine: { show: true, lineStyle: { color: '#e4e7eb' } }, axisTick: { show: false } },
    series: [
      { type: 'line', data: detail.events.map((e) => [e.ts, laneOf(e)]), lineStyle: { color: '#cbd2d9', width: 1 }, symbol: 'none', silent: true, tooltip: { show: false }, z: 1 },
      { type: 'scatter', data: points, z: 2 },
    ],
  }
}

export async function renderCustomerView(main: HTMLElement, context: ViewContext): Promise<void> {
  const input = h('input', { class: 'input', type: 'search', id: 'customer-search', placeholder: 'Customer key prefix, distinct id or trait value (e.g. a name or e-mail)', 'data-testid': 'customer-search', autocomplete: 'off' })
  input.value = context.route.parameters.get('q') ?? ''
  const results = h('div', { class: 'search-results', 'data-testid': 'customer-results', 'aria-live': 'polite' })
  const content = h('div', { class: 'customer-content' })
  const form = h('form', { class: 'card controls-card search-form', role: 'search' }, h('label', { for: 'customer-search', class: 'control control-wide' }, h('span', {}, 'Find a customer'), h('div', { class: 'row' }, input, h('button', { class: 'button button-primary', type: 'submit' }, 'Search'))), results)
  main.replaceChildren(h('div', { class: 'view-header' }, h('div', {}, h('h1', {}, 'Customers'), h('p', { class: 'muted view-lede' }, 'One customer’s journey across channels, with emotions, feedback, agents and the identities stitched together.'))), form, content)

  const search = async (): Promise<void> => {
    const q = input.value.trim()
    if (!q) {
      results.replaceChildren()
      return
    }
    context.setParameters({ q })
    results.replaceChildren(loading('Searching…'))
    try {
      const found = await getJson<CustomerSummary[]>('customers', { q, limit: 20 }, context.signal)
      results.replaceChildren(
        found.length === 0
          ? empty(`No customer matches “${q}”.`)
          : h(
              'table',
              { class: 'table' },
              h('thead', {}, h('tr', {}, ['Customer', 'Identities', 'Events', 'First seen', 'Last seen'].map((t, i) => h('th', { scope: 'col', class: i === 2 ? 'number' : '' }, t)))),
              h(
                'tbody',
                {},
                found.map((c) =>
                  h(
                    'tr',
                    {},
                    h('td', {}, h('a', { class: 'key-link', href: `#/customer/${encodeURIComponent(c.customer)}${q ? `?q=${encodeURIComponent(q)}` : ''}` }, c.customer)),
                    h('td', {}, c.distinct_ids.join(', ')),
                    h('td', { class: 'number' }, integer(c.events)),
                    h('td', {}, dateTime(c.first_ts)),
                    h('td', {}, dateTime(c.last_ts)),
                  ),
                ),
              ),
            ),
      )
    } catch (error) {
      if (context.signal.aborted) return
      results.replaceChildren(errorState(error, () => void search()))
    }
  }
  form.addEventListener('submit', (event) => {
    event.preventDefault()
    void search()
  })
  if (input.value) void search()

  const key = context.route.rest
  if (!key) {
    content.replaceChildren(h('div', { class: 'card' }, empty('Search for a customer, or open one from the journey map or a funnel.')))
    input.focus()
    return
  }
  const load = async (): Promise<void> => {
    content.replaceChildren(loading(`Loading customer ${key}…`))
    try {
      const detail = await getJson<CustomerDetail>(`customers/${encodeURIComponent(key)}`, {}, context.signal)
      drawCustomer(content, detail, (context.route.parameters.get('lanes') as LaneMode) === 'channel' ? 'channel' : 'kind', context)
    } catch (error) {
      if (context.signal.aborted) return
      content.replaceChildren(errorState(error, () => void load()))
    }
  }
  await load()
}

function drawCustomer(content: HTMLElement, detail: CustomerDetail, lanes: LaneMode, context: ViewContext): void {
  const events = detail.events
  const emotions = events.map((e) => e.emotion).filter((e): e is number => e !== null)
  const revenue = events.reduce((sum, e) => sum + (e.value ?? 0), 0)
  const name = detail.traits.name
  const laneSwitch = h(
    'div',
    { class: 'segmented', role: 'group', 'aria-label': 'Swim lanes' },
    (['kind', 'channel'] as LaneMode[]).map((mode) =>
      h(
        'button',
        {
          class: 'button button-small',
          type: 'button',
          'aria-pressed': String(mode === lanes),
          onclick: () => {
            context.setParameters({ lanes: mode === 'kind' ? null : mode })
            drawCustomer(content, detail, mode, context)
          },
        },
        mode === 'kind' ? 'By channel kind' : 'By channel',
      ),
    ),
  )
  content.replaceChildren(...present(
    h(
      'section',
      { class: 'card customer-header', 'data-testid': 'customer-header', 'data-customer': detail.customer },
      h('div', {}, h('p', { class: 'eyebrow' }, 'Customer'), h('h2', { class: 'customer-key' }, name ? `${name} ` : '', h('span', { class: 'muted mono' }, detail.customer))),
      h(
        'dl',
        { class: 'kpis kpis-row' },
        h('div', {}, h('dt', {}, 'Events'), h('dd', { 'data-metric': 'events' }, integer(events.length))),
        h('div', {}, h('dt', {}, 'First seen'), h('dd', {}, dateTime(events[0]?.ts))),
        h('div', {}, h('dt', {}, 'Last seen'), h('dd', {}, dateTime(events[events.length - 1]?.ts))),
        h('div', {}, h('dt', {}, 'Mean emotion'), h('dd', {}, emotions.length ? signed(emotions.reduce((a, b) => a + b, 0) / emotions.length) : '–')),
        h('div', {}, h('dt', {}, 'Revenue'), h('dd', {}, revenue ? revenue.toFixed(2) : '–')),
      ),
      h(
        'div',
        { class: 'chips' },
        detail.personas.map((p) => h('span', { class: 'chip chip-persona' }, humanize(p))),
        Object.entries(detail.traits)
          .filter(([trait]) => trait !== 'name')
          .map(([trait, value]) => h('span', { class: 'chip' }, h('span', { class: 'muted' }, `${humanize(trait)}: `), value)),
      ),
    ),
    h(
      'section',
      { class: 'card' },
      h('h2', { class: 'card-title' }, `Identities (${detail.identities.length})`),
      h('p', { class: 'muted small' }, 'Identifiers seen on this customer’s events and why they were stitched together.'),
      h(
        'table',
        { class: 'table', 'data-testid': 'identities' },
        h('thead', {}, h('tr', {}, ['Identity', 'Linked to', 'Reason', 'When'].map((t) => h('th', { scope: 'col' }, t)))),
        h('tbody', {}, detail.identities.map((identity) => h('tr', {}, h('td', { class: 'mono' }, identity.id), h('td', { class: 'mono' }, identity.linked_to ?? '— (root)'), h('td', {}, identity.reason ?? '–'), h('td', {}, dateTime(identity.at))))),
      ),
    ),
    events.length === 0
      ? h('div', { class: 'card' }, empty('This customer has no events.'))
      : chartCard({
          name: 'customer-timeline',
          title: 'Journey timeline',
          subtitle: 'Colour: emotion (blue ≥ +0.2, grey neutral, vermillion ≤ −0.2, white none); shape: channel kind (● digital, ◆ human, ■ physical); large marks carry text.',
          height: lanes === 'kind' ? 260 : Math.max(260, 48 * new Set(events.map((e) => e.channel)).size + 60),
          description: `Timeline of ${events.length} events of customer ${detail.customer}`,
          option: timelineOption(detail, lanes),
          toolbar: [laneSwitch],
        }),
    agentLaneCard(detail, context),
    h(
      'section',
      { class: 'card' },
      h('h2', { class: 'card-title' }, 'Events'),
      h(
        'div',
        { class: 'table-scroll' },
        h(
          'table',
          { class: 'table', 'data-testid': 'customer-events' },
          h('thead', {}, h('tr', {}, ['When', 'Touchpoint', 'Stage', 'Channel', 'Agent', 'Emotion', 'Feedback and details'].map((t, i) => h('th', { scope: 'col', class: i === 5 ? 'number' : '' }, t)))),
          h(
            'tbody',
            {},
            events.map((e) =>
              h(
                'tr',
                {},
                h('td', { class: 'nowrap' }, dateTime(e.ts)),
                h('td', {}, touchpointLabel(e.touchpoint)),
                h('td', {}, humanize(e.stage ?? '–')),
                h('td', {}, `${humanize(e.channel)}`, e.kind ? h('span', { class: 'muted' }, ` · ${e.kind}`) : null),
                h('td', {}, e.agent ?? ''),
                h('td', { class: `number ${e.emotion === null ? '' : e.emotion <= -0.2 ? 'negative' : e.emotion >= 0.2 ? 'positive' : ''}` }, e.emotion === null ? '' : signed(e.emotion)),
                h(
                  'td',
                  {},
                  e.text ? h('q', {}, e.text) : null,
                  h(
                    'span',
                    { class: 'muted small details' },
                    [
                      e.rating !== null ? `rating ${e.rating}${e.rating_scale ? ` ${e.rating_scale}` : ''}` : '',
                      e.wait_s !== null ? `wait ${duration(e.wait_s)}` : '',
                      e.handle_s !== null ? `handle ${duration(e.handle_s)}` : '',
                      e.resolved !== null ? (e.resolved ? 'resolved' : 'not resolved') : '',
                      e.abandoned ? 'abandoned' : '',
                      e.value !== null ? `value ${e.value.toFixed(2)}` : '',
                    ]
                      .filter(Boolean)
                      .join(' · '),
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

// --- The agent's side of a contact ---------------------------------------------

/** Minutes either side of the contact that the agent's lane shows. */
const agentLaneHalfWindowMs = 15 * 60 * 1000

const activityStyle = (activity: string): { name: string; colour: string; decal: object | undefined } => {
  const known = agentTimeActivities.find((a) => a.activity === activity)
  return known ?? { name: humanize(activity), colour: '#cbd2d9', decal: undefined }
}

/** The window of a contact: 15 minutes before its timestamp to 15 minutes after. */
export function contactWindow(event: CustomerEvent): { from: string; to: string } {
  const at = new Date(event.ts).getTime()
  return { from: new Date(at - agentLaneHalfWindowMs).toISOString(), to: new Date(at + agentLaneHalfWindowMs).toISOString() }
}

export function agentLaneOption(detail: CustomerDetail, contact: CustomerEvent, timeline: AgentTimeline): ChartOption {
  const window = contactWindow(contact)
  const from = new Date(window.from).getTime()
  const to = new Date(window.to).getTime()
  const customerLane = 'Customer'
  const agentLane = `Agent: ${timeline.agent}`
  const activities = [...new Set(timeline.spells.map((s) => s.activity))]
  const customerEvents = detail.events.filter((e) => {
    const t = new Date(e.ts).getTime()
    return t >= from && t <= to
  })
  const spellSeries = activities.map((activity) => {
    const style = activityStyle(activity)
    return {
      name: style.name,
      type: 'custom',
      renderItem: (_params: unknown, api: { value: (i: number) => number; coord: (v: [number, string | number]) => [number, number]; size: (v: [number, number]) => [number, number] }) => {
        const start = api.coord([api.value(0), agentLane])
        const end = api.coord([api.value(1), agentLane])
        const height = api.size([0, 1])[1] * 0.5
        return { type: 'rect', shape: { x: start[0], y: start[1] - height / 2, width: Math.max(1, end[0] - start[0]), height }, style: { fill: style.colour, stroke: '#ffffff', lineWidth: 1, decal: style.decal } }
      },
      encode: { x: [0, 1], y: 2 },
      itemStyle: { color: style.colour, decal: style.decal },
      data: timeline.spells
        .filter((s) => s.activity === activity)
        .map((s) => [Math.max(from, new Date(s.start).getTime()), Math.min(to, new Date(s.end).getTime()), agentLane, s.start, s.end]),
      tooltip: { formatter: (item: { value: [number, number, string, string, string] }) => `<b>${escapeHtml(style.name)}</b><br>${dateTime(item.value[3])} – ${dateTime(item.value[4])}<br>${duration((new Date(item.value[4]).getTime() - new Date(item.value[3]).getTime()) / 1000)}` },
    }
  })
  return {
    ...baseOption(),
    grid: { left: 150, right: 32, top: 56, bottom: 40 },
    legend: { top: 0, left: 0, textStyle: { fontSize: fontSize('small') } },
    tooltip: { ...(baseOption().tooltip as object), trigger: 'item' },
    xAxis: { type: 'time', min: from, max: to, axisLabel: { fontSize: fontSize('small'), hideOverlap: true }, splitLine: { show: true, lineStyle: { color: '#eef0f2' } } },
    yAxis: { type: 'category', data: [customerLane, agentLane], inverse: true, axisLabel: { fontSize: fontSize('body') }, splitLine: { show: true, lineStyle: { color: '#e4e7eb' } }, axisTick: { show: false } },
    series: [
      ...spellSeries,
      {
        name: 'Customer events',
        type: 'scatter',
        symbol: 'diamond',
        symbolSize: 14,
        data: customerEvents.map((e) => ({ value: [e.ts, customerLane], event: e.event_id, touchpoint: e.touchpoint, contact: e.event_id === contact.event_id })),
        itemStyle: { color: okabeIto.orange, borderColor: '#1f2933', borderWidth: 1 },
        tooltip: { formatter: (item: { data: { value: [string, string]; touchpoint: string } }) => `<b>${escapeHtml(touchpointLabel(item.data.touchpoint))}</b><br>${dateTime(item.data.value[0])}` },
        markLine: { silent: true, symbol: 'none', lineStyle: { color: okabeIto.black, type: 'dashed' }, label: { formatter: 'contact', fontSize: fontSize('small') }, data: [{ xAxis: contact.ts }] },
        z: 3,
      },
      {
        name: 'Agent steps',
        type: 'scatter',
        symbol: 'pin',
        symbolSize: 16,
        data: timeline.events.filter((e) => {
          const t = new Date(e.ts).getTime()
          return t >= from && t <= to
        }).map((e) => ({ value: [e.ts, agentLane], kind: e.kind, name: e.name, queue: e.queue, duration_s: e.duration_s })),
        itemStyle: { color: okabeIto.black },
        tooltip: { formatter: (item: { data: { value: [string, string]; kind: string; name: string | null; queue: string | null; duration_s: number | null } }) => [`<b>${escapeHtml(humanize(item.data.kind))}</b>${item.data.name ? ` · ${escapeHtml(item.data.name)}` : ''}`, dateTime(item.data.value[0]), item.data.queue ? `Queue ${escapeHtml(item.data.queue)}` : '', item.data.duration_s !== null ? duration(item.data.duration_s) : ''].filter(Boolean).join('<br>') },
        z: 4,
      },
    ],
  }
}

/**
 * A card with the agent's lane beside the customer's for one contact; it stays
 * hidden unless the server answers `/api/agents/{agent}/timeline`.
 */
function agentLaneCard(detail: CustomerDetail, context: ViewContext): HTMLElement | null {
  const contacts = detail.events.filter((e) => e.agent)
  if (contacts.length === 0) return null
  const host = h('div', { 'data-testid': 'agent-lane-section', hidden: true })
  const select = h(
    'select',
    { class: 'select', 'aria-label': 'Contact', 'data-testid': 'agent-lane-contact' },
    contacts.map((e) => h('option', { value: e.event_id }, `${dateTime(e.ts)} · ${touchpointLabel(e.touchpoint)} · ${e.agent}`)),
  )
  let requestNumber = 0
  const load = async (): Promise<void> => {
    const number = ++requestNumber
    const contact = contacts.find((e) => e.event_id === select.value) ?? contacts[0]
    if (!contact?.agent) return
    const window = contactWindow(contact)
    host.removeAttribute('data-ready')
    if ((await serverOffers(/^\/api\/agents\/\{[^}]+\}\/timeline$/)) === false) {
      host.dataset.ready = 'unavailable'
      return
    }
    try {
      const timeline = await getJson<AgentTimeline>(`agents/${encodeURIComponent(contact.agent)}/timeline`, window, context.signal)
      if (context.signal.aborted || number !== requestNumber) return
      host.hidden = false
      host.dataset.agent = contact.agent
      host.dataset.event = contact.event_id
      host.replaceChildren(
        chartCard({
          name: 'agent-lane',
          title: `The contact from both sides · ${contact.agent}`,
          subtitle: `The customer’s events (◆) and the agent’s states and steps (pins) from 15 minutes before to 15 minutes after ${dateTime(contact.ts)}${timeline.team ? `; team ${humanize(timeline.team)}` : ''}.`,
          height: 240,
          description: `Swim lanes of customer ${detail.customer} and agent ${contact.agent} around the contact`,
          option: agentLaneOption(detail, contact, timeline),
          toolbar: [select],
        }),
      )
      host.dataset.ready = 'true'
    } catch (error) {
      if (context.signal.aborted || number !== requestNumber) return
      // Without agent states (404) the lane is left out; other failures show.
      if (error instanceof ApiError && error.status === 404) {
        host.hidden = true
        host.dataset.ready = 'unavailable'
        return
      }
      host.hidden = false
      host.replaceChildren(h('section', { class: 'card' }, h('h2', { class: 'card-title' }, 'The contact from both sides'), errorState(error, () => void load())))
      host.dataset.ready = 'error'
    }
  }
  select.addEventListener('change', () => void load())
  void load()
  return host
}
