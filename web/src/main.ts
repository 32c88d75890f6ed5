// The dashboard shell: read key, hash routing, navigation and the type-size switch.
//
// Fragment format: `#/VIEW?PARAMS` (`#/map?persona=a&compare=b`, `#/paths`,
// `#/funnel`, `#/return?period=month`, `#/insights?kind=moments`, `#/contacts?queue=care_phone`,
// `#/customer/ID`). `touchpoint demo` prints `#key=…`; a `key=`
// parameter anywhere in the fragment is taken into sessionStorage and removed
// from the address at once, so the key never stays in the history.

import './style.css'
import { ApiError, getJson, readKey, setUnauthorizedHandler, storeKey, type Meta } from './api'
import { chartsOnScreen, disposeCharts } from './charts'
import { errorState, h, loading } from './dom'
import { integer, setLabels } from './format'
import { renderContactsView } from './views/contacts'
import { renderCustomerView } from './views/customer'
import { renderFunnelView } from './views/funnel'
import { renderInsightsView } from './views/insights'
import { renderMapView } from './views/map'
import { renderPathsView, sankeyEdgePoint } from './views/paths'
import { renderReturnView } from './views/return'

export interface Route {
  view: 'map' | 'paths' | 'funnel' | 'return' | 'insights' | 'contacts' | 'customer'
  /** The path after the view name (the customer key). */
  rest: string
  parameters: URLSearchParams
}

export interface ViewContext {
  meta: Meta
  route: Route
  /** Replaces the route's parameters without re-rendering the view. */
  setParameters: (parameters: Record<string, string | null | undefined>) => void
  /** Aborted when the user leaves the view. */
  signal: AbortSignal
}

const views: { view: Route['view']; title: string; path: string }[] = [
  { view: 'map', title: 'Journey map', path: '#/map' },
  { view: 'paths', title: 'Paths', path: '#/paths' },
  { view: 'funnel', title: 'Funnels', path: '#/funnel' },
  { view: 'return', title: 'Return journey', path: '#/return' },
  { view: 'insights', title: 'Insights', path: '#/insights' },
  { view: 'contacts', title: 'Contact centre', path: '#/contacts' },
  { view: 'customer', title: 'Customers', path: '#/customer' },
]

/** Takes `key=` out of the fragment, stores it, and leaves the route. */
export function takeKeyFromFragment(fragment: string): { key: string | null; fragment: string } {
  const text = fragment.replace(/^#/, '')
  const [path = '', query = ''] = text.startsWith('/') ? (text.split('?', 2) as [string, string?]) : ['', text]
  const parameters = new URLSearchParams(query)
  const key = parameters.get('key')
  if (!key) return { key: null, fragment }
  parameters.delete('key')
  const rest = parameters.toString()
  return { key, fragment: `#${path || '/map'}${rest ? `?${rest}` : ''}` }
}

export function parseRoute(fragment: string): Route {
  const text = fragment.replace(/^#\/?/, '')
  const [path = '', query = ''] = text.split('?', 2) as [string, string?]
  const [first = 'map', ...rest] = path.split('/')
  const view = (views.some((v) => v.view === first) ? first : 'map') as Route['view']
  return { view, rest: decodeURIComponent(rest.join('/')), parameters: new URLSearchParams(query) }
}

const app = document.getElementById('app') as HTMLElement
let meta: Meta | null = null
let currentController: AbortController | null = null

function shell(): { main: HTMLElement } {
  const largeType = localStorage.getItem('touchpoint.large_type') === 'true'
  document.documentElement.classList.toggle('large-type', largeType)
  const typeSwitch = h(
    'button',
    { class: 'button button-ghost', type: 'button', 'aria-pressed': String(largeType), title: 'Larger type for projectors', 'data-testid': 'large-type' },
    'A',
    h('span', { class: 'type-plus' }, 'A'),
  )
  typeSwitch.addEventListener('click', () => {
    const on = !document.documentElement.classList.contains('large-type')
    document.documentElement.classList.toggle('large-type', on)
    typeSwitch.setAttribute('aria-pressed', String(on))
    localStorage.setItem('touchpoint.large_type', String(on))
    render()
  })
  const navigation = h(
    'nav',
    { class: 'nav', 'aria-label': 'Views' },
    views.map((v) => h('a', { href: v.path, class: 'nav-link', 'data-view': v.view }, v.title)),
  )
  const summary = h('div', { class: 'header-summary', 'data-testid': 'summary' })
  const header = h(
    'header',
    { class: 'app-header' },
    h('a', { class: 'brand', href: '#/map' }, h('span', { class: 'brand-mark', 'aria-hidden': 'true' }), 'touchpoint'),
    navigation,
    h('div', { class: 'header-end' }, summary, typeSwitch),
  )
  const main = h('main', { class: 'app-main', id: 'main', tabindex: '-1' })
  app.replaceChildren(h('a', { class: 'skip-link', href: '#main', onclick: (event: Event) => { event.preventDefault(); main.focus() } }, 'Skip to content'), header, main)
  return { main }
}

function keyForm(message: string | null): void {
  disposeCharts()
  const input = h('input', { id: 'api-key', name: 'key', type: 'password', autocomplete: 'off', required: true, placeholder: 'tp_read_…', class: 'input' })
  const form = h(
    'form',
    { class: 'card key-form', 'data-testid': 'key-form' },
    h('h1', {}, 'Read key needed'),
    h('p', { class: 'muted' }, 'The dashboard reads the data with a read key. ', h('code', {}, 'touchpoint demo'), ' and ', h('code', {}, 'touchpoint serve'), ' print a link that carries it; or paste the key here. It is kept for this browser tab only.'),
    message ? h('p', { class: 'form-error', role: 'alert' }, message) : null,
    h('label', { for: 'api-key' }, 'Read key'),
    h('div', { class: 'row' }, input, h('button', { class: 'button button-primary', type: 'submit' }, 'Open dashboard')),
  )
  form.addEventListener('submit', (event) => {
    event.preventDefault()
    storeKey(input.value.trim())
    meta = null
    render()
  })
  app.replaceChildren(h('main', { class: 'app-main centered' }, form))
  input.focus()
}

async function render(): Promise<void> {
  const taken = takeKeyFromFragment(location.hash)
  if (taken.key) {
    storeKey(taken.key)
    meta = null
    history.replaceState(null, '', `${location.pathname}${location.search}${taken.fragment}`)
  }
  if (!readKey()) return keyForm(null)

  currentController?.abort()
  const controller = new AbortController()
  currentController = controller
  disposeCharts()
  const route = parseRoute(location.hash)
  const { main } = shell()
  for (const link of app.querySelectorAll<HTMLAnchorElement>('.nav-link')) {
    if (link.dataset.view === route.view) link.setAttribute('aria-current', 'page')
  }
  document.title = `${views.find((v) => v.view === route.view)?.title ?? ''} · touchpoint`

  if (!meta) {
    main.replaceChildren(loading('Loading the journey definition…'))
    try {
      meta = await getJson<Meta>('meta', {}, controller.signal)
      setLabels(meta)
    } catch (error) {
      if (controller.signal.aborted) return
      if (error instanceof ApiError && error.status === 401) return
      main.replaceChildren(errorState(error, () => void render()))
      return
    }
  }
  if (controller.signal.aborted) return
  const summary = app.querySelector('[data-testid="summary"]')
  summary?.replaceChildren(`${integer(meta.customers)} customers · ${integer(meta.events)} events`)

  const context: ViewContext = {
    meta,
    route,
    signal: controller.signal,
    setParameters: (changes) => {
      const parameters = new URLSearchParams(route.parameters)
      for (const [name, value] of Object.entries(changes)) {
        if (value === null || value === undefined || value === '') parameters.delete(name)
        else parameters.set(name, value)
      }
      route.parameters = parameters
      const path = `#/${route.view}${route.rest ? `/${encodeURIComponent(route.rest)}` : ''}`
      const query = parameters.toString()
      history.replaceState(null, '', `${location.pathname}${location.search}${path}${query ? `?${query}` : ''}`)
    },
  }
  const renderers = { map: renderMapView, paths: renderPathsView, funnel: renderFunnelView, return: renderReturnView, insights: renderInsightsView, contacts: renderContactsView, customer: renderCustomerView }
  try {
    await renderers[route.view](main, context)
  } catch (error) {
    if (controller.signal.aborted || (error instanceof DOMException && error.name === 'AbortError')) return
    if (error instanceof ApiError && error.status === 401) return
    main.replaceChildren(errorState(error, () => void render()))
  }
}

// Hooks for the browser tests (web/tests): where a Sankey edge is on screen.
;(window as unknown as { __touchpoint: unknown }).__touchpoint = {
  sankeyEdgePoint: (edgeIndex: number) => {
    const rendered = chartsOnScreen.get('paths-sankey')
    return rendered ? sankeyEdgePoint(rendered.chart, edgeIndex) : null
  },
  /** The series of a chart on screen: name, symbol, colour and data (values or customer keys). */
  chartSeries: (name: string) => {
    const rendered = chartsOnScreen.get(name)
    if (!rendered) return null
    const series = (rendered.chart.getOption() as { series?: { name?: string; symbol?: string; itemStyle?: { color?: string }; data?: unknown[] }[] }).series ?? []
    return series.map((s) => ({
      name: s.name ?? null,
      symbol: s.symbol ?? null,
      colour: s.itemStyle?.color ?? null,
      data: (s.data ?? []).map((d) => (d && typeof d === 'object' && 'customer' in d ? (d as { customer: string }).customer : d)),
    }))
  },
  /** Where a customer's point of the value scatter is, in page pixels. */
  scatterPoint: (customer: string) => {
    const rendered = chartsOnScreen.get('value-scatter')
    if (!rendered) return null
    const series = (rendered.chart.getOption() as { series: { data: { customer: string; value: [number, number] }[] }[] }).series
    for (const [seriesIndex, s] of series.entries()) {
      const point = s.data.find((d) => d.customer === customer)
      if (!point) continue
      const [x, y] = rendered.chart.convertToPixel({ seriesIndex }, point.value) as [number, number]
      const box = rendered.chart.getDom().getBoundingClientRect()
      return { x: box.left + x, y: box.top + y }
    }
    return null
  },
}

setUnauthorizedHandler((detail) => {
  storeKey(null)
  meta = null
  keyForm(`The server refused the key: ${detail}`)
})
window.addEventListener('hashchange', () => void render())
void render()
