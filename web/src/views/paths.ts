// Paths: a Sankey of the position-keyed path graph with start and end point,
// step and edge limits, session gap, cleaning rules and wildcard groups.

import { getJson, type PathEdge, type PathNode, type Paths } from '../api'
import { baseOption, chartCard, fontSize, okabeIto, type Chart, type ChartOption } from '../charts'
import { errorState, h, loading } from '../dom'
import { duration, integer, touchpointLabel } from '../format'
import type { ViewContext } from '../main'

const dropOffName = '(drop-off)'
const otherName = '(other)'

export interface PathsControls {
  start: string
  end: string
  max_steps: string
  max_edges: string
  session_gap: string
  clean: string[]
  group: string[]
}

const nodeLabel = (node: PathNode): string => (node.name === dropOffName ? 'Drop-off' : node.name === otherName ? 'Other' : touchpointLabel(node.name))

export function edgeTooltip(edge: PathEdge, nodes: Map<string, PathNode>): string {
  const source = nodes.get(edge.source)
  const target = nodes.get(edge.target)
  const lines = [
    `<b>${source ? nodeLabel(source) : edge.source} → ${target ? nodeLabel(target) : edge.target}</b>`,
    `Step ${source?.position ?? '?'} → ${target?.position ?? '?'}`,
    `Paths: <b data-tip="count">${integer(edge.count)}</b> · customers: <b data-tip="customers">${integer(edge.customers)}</b>`,
  ]
  if (edge.duration && edge.duration.count > 0) {
    lines.push(`Time between: mean <b data-tip="mean">${duration(edge.duration.mean_s)}</b> · median <b data-tip="median">${duration(edge.duration.median_s)}</b> · p90 <b data-tip="p90">${duration(edge.duration.p90_s)}</b>`)
  } else if (edge.kind === 'drop_off') {
    lines.push('The path ends here.')
  }
  return lines.join('<br>')
}

function nodeColour(node: PathNode): string {
  if (node.name === dropOffName) return '#bcc3cb'
  if (node.name === otherName) return okabeIto.grey
  return okabeIto.blue
}

/**
 * The answer's nodes plus the endpoints that only edges name: the CLI lists
 * no node for `N_(drop-off)`, so it is made here from its incoming edges.
 */
export function completeNodes(result: Paths): PathNode[] {
  const nodes = new Map(result.nodes.map((n) => [n.key, n]))
  for (const edge of result.edges) {
    for (const key of [edge.source, edge.target]) {
      if (nodes.has(key)) continue
      const match = /^(\d+)_(.*)$/.exec(key)
      nodes.set(key, { key, name: match?.[2] ?? key, position: Number(match?.[1] ?? 0), paths: 0, outflow: 0, drop_off: 0, customers: 0 })
    }
  }
  const synthesized = [...nodes.values()].filter((n) => !result.nodes.includes(n))
  for (const node of synthesized) {
    for (const edge of result.edges) {
      if (edge.target === node.key) {
        node.paths += edge.count
        node.customers += edge.customers
      }
      if (edge.source === node.key) node.outflow += edge.count
    }
  }
  return [...nodes.values()]
}

const sankeyLeftPx = 8
const sankeyTopPx = 16

function sankeyOption(result: Paths): ChartOption {
  const allNodes = completeNodes(result)
  const nodes = new Map(allNodes.map((n) => [n.key, n]))
  return {
    ...baseOption(),
    tooltip: {
      ...(baseOption().tooltip as object),
      trigger: 'item',
      triggerOn: 'mousemove',
      formatter: (item: { dataType: string; data: { key?: string; edgeIndex?: number } }) => {
        if (item.dataType === 'edge') {
          const edge = result.edges[item.data.edgeIndex ?? -1]
          return edge ? edgeTooltip(edge, nodes) : ''
        }
        const node = nodes.get(item.data.key ?? '')
        if (!node) return ''
        if (node.name === dropOffName) return `<b>Drop-off</b> after step ${node.position - 1}<br>Paths ending: <b>${integer(node.paths)}</b>`
        return `<b>${nodeLabel(node)}</b> · step ${node.position}<br>Paths: <b>${integer(node.paths)}</b> · customers: <b>${integer(node.customers)}</b><br>Continue: ${integer(node.outflow)} · end here: ${integer(node.drop_off)}`
      },
    },
    series: [
      {
        type: 'sankey',
        left: sankeyLeftPx,
        right: 150,
        top: sankeyTopPx,
        bottom: 16,
        nodeWidth: 14,
        nodeGap: 10,
        layoutIterations: 32,
        draggable: false,
        emphasis: { focus: 'adjacency' },
        label: { fontSize: fontSize('small'), color: '#1f2933', formatter: (p: { data: { label?: string } }) => p.data.label ?? '' },
        lineStyle: { color: 'gradient', curveness: 0.5, opacity: 0.35 },
        data: allNodes.map((node) => ({
          name: node.key,
          key: node.key,
          label: `${nodeLabel(node)}  ${integer(node.paths)}`,
          depth: node.position - 1,
          itemStyle: { color: nodeColour(node), borderColor: node.name === dropOffName ? '#8c96a0' : undefined, borderType: node.name === dropOffName ? 'dashed' : undefined },
        })),
        links: result.edges.map((edge, edgeIndex) => ({
          source: edge.source,
          target: edge.target,
          value: edge.count,
          edgeIndex,
          lineStyle: edge.kind === 'drop_off' ? { color: '#bcc3cb', opacity: 0.3 } : undefined,
        })),
      },
    ],
  }
}

/** Client coordinates of the middle of a Sankey edge (for the browser tests to hover a real edge). */
export function sankeyEdgePoint(chart: Chart, edgeIndex: number): { x: number; y: number } | null {
  // The layout ECharts' SankeyView draws from: a band of height dy from
  // (node1.x + node1.dx, node1.y + sy) to (node2.x, node2.y + ty).
  type NodeLayout = { x: number; y: number; dx: number }
  type GraphEdge = { dataIndex: number; getLayout: () => { sy: number; ty: number; dy: number }; node1: { getLayout: () => NodeLayout }; node2: { getLayout: () => NodeLayout } }
  const model = (chart as unknown as { getModel: () => { getSeriesByIndex: (i: number) => { getGraph: () => { edges: GraphEdge[] } } } }).getModel()
  const edge = model.getSeriesByIndex(0).getGraph().edges.find((e) => e.dataIndex === edgeIndex)
  if (!edge) return null
  const source = edge.node1.getLayout()
  const target = edge.node2.getLayout()
  const layout = edge.getLayout()
  const x1 = source.x + source.dx
  const y1 = source.y + layout.sy
  const x2 = target.x
  const y2 = target.y + layout.ty
  const box = chart.getDom().getBoundingClientRect()
  return { x: box.left + sankeyLeftPx + (x1 + x2) / 2, y: box.top + sankeyTopPx + (y1 + y2) / 2 + layout.dy / 2 }
}

export async function renderPathsView(main: HTMLElement, context: ViewContext): Promise<void> {
  const { meta } = context
  const p = context.route.parameters
  const controls: PathsControls = {
    start: p.get('start') ?? '',
    end: p.get('end') ?? '',
    max_steps: p.get('max_steps') ?? '5',
    max_edges: p.get('max_edges') ?? '50',
    session_gap: p.get('session_gap') ?? '30m',
    clean: p.getAll('clean'),
    group: p.getAll('group'),
  }
  const touchpointOptions = (placeholder: string): HTMLSelectElement =>
    h('select', { class: 'select' }, h('option', { value: '' }, placeholder), [...meta.touchpoints].sort((a, b) => touchpointLabel(a.touchpoint).localeCompare(touchpointLabel(b.touchpoint))).map((t) => h('option', { value: t.touchpoint }, touchpointLabel(t.touchpoint))))
  const startSelect = touchpointOptions('Any touchpoint')
  const endSelect = touchpointOptions('Any touchpoint')
  startSelect.value = controls.start
  endSelect.value = controls.end
  const stepsInput = h('input', { class: 'input input-narrow', type: 'number', min: '2', max: '20', value: controls.max_steps })
  const edgesInput = h('input', { class: 'input input-narrow', type: 'number', min: '5', max: '500', value: controls.max_edges })
  const gapInput = h('input', { class: 'input input-narrow', type: 'text', value: controls.session_gap, pattern: '[0-9.]+[smhd]?', title: 'e.g. 30m, 2h' })
  const cleanInput = h('textarea', { class: 'input', rows: '2', placeholder: 'one rule a line: regex=>name, e.g. ^(cart|checkout)$=>buying' })
  cleanInput.value = controls.clean.join('\n')
  const groupInput = h('input', { class: 'input', type: 'text', placeholder: 'wildcards, comma-separated: help_*, *_email', value: controls.group.join(', ') })
  const form = h(
    'form',
    { class: 'card controls-card', 'data-testid': 'paths-form' },
    h(
      'div',
      { class: 'form-grid' },
      h('label', { class: 'control' }, h('span', {}, 'Start point'), startSelect),
      h('label', { class: 'control' }, h('span', {}, 'End point'), endSelect),
      h('label', { class: 'control' }, h('span', {}, 'Steps'), stepsInput),
      h('label', { class: 'control' }, h('span', {}, 'Edges kept'), edgesInput),
      h('label', { class: 'control' }, h('span', {}, 'Session gap'), gapInput),
      h('label', { class: 'control control-wide' }, h('span', {}, 'Cleaning rules'), cleanInput),
      h('label', { class: 'control control-wide' }, h('span', {}, 'Groups'), groupInput),
      h('div', { class: 'control control-submit' }, h('button', { class: 'button button-primary', type: 'submit' }, 'Show paths')),
    ),
  )
  const content = h('div', { class: 'paths-content' })
  main.replaceChildren(
    h('div', { class: 'view-header' }, h('div', {}, h('h1', {}, 'Paths'), h('p', { class: 'muted view-lede' }, 'Sessions step by step (split after the session gap, repeats collapsed). Edges beyond the limit fold into “Other”; paths that end show as “Drop-off”.'))),
    form,
    content,
  )

  const load = async (): Promise<void> => {
    content.replaceChildren(loading('Computing paths…'))
    try {
      const result = await getJson<Paths>(
        'paths',
        {
          start: controls.start || null,
          end: controls.end || null,
          max_steps: controls.max_steps,
          max_edges: controls.max_edges,
          session_gap: controls.session_gap,
          clean: controls.clean,
          group: controls.group,
        },
        context.signal,
      )
      drawPaths(content, result)
    } catch (error) {
      if (context.signal.aborted) return
      content.replaceChildren(errorState(error, () => void load()))
    }
  }
  form.addEventListener('submit', (event) => {
    event.preventDefault()
    controls.start = startSelect.value
    controls.end = endSelect.value
    controls.max_steps = stepsInput.value
    controls.max_edges = edgesInput.value
    controls.session_gap = gapInput.value.trim()
    controls.clean = cleanInput.value.split('\n').map((s) => s.trim()).filter(Boolean)
    controls.group = groupInput.value.split(',').map((s) => s.trim()).filter(Boolean)
    context.setParameters({ start: controls.start, end: controls.end, max_steps: controls.max_steps === '5' ? null : controls.max_steps, max_edges: controls.max_edges === '50' ? null : controls.max_edges, session_gap: controls.session_gap === '30m' ? null : controls.session_gap })
    void load()
  })
  await load()
}

function drawPaths(content: HTMLElement, result: Paths): void {
  const allNodes = completeNodes(result)
  const steps = Math.max(1, ...result.nodes.map((n) => n.position))
  const columns = Math.max(1, ...allNodes.map((n) => n.position))
  const perStep = Math.max(1, ...Array.from({ length: columns }, (_, i) => allNodes.filter((n) => n.position === i + 1).length))
  const height = Math.max(420, Math.min(1100, perStep * 34))
  const dropOffs = result.edges.filter((e) => e.kind === 'drop_off').reduce((sum, e) => sum + e.count, 0)
  const topEdges = result.edges.filter((e) => e.kind !== 'drop_off').sort((a, b) => b.count - a.count).slice(0, 10)
  const nodes = new Map(allNodes.map((n) => [n.key, n]))
  content.replaceChildren(
    h(
      'dl',
      { class: 'kpis kpis-row', 'data-testid': 'paths-kpis' },
      h('div', {}, h('dt', {}, 'Paths'), h('dd', { 'data-metric': 'paths' }, integer(result.paths))),
      h('div', {}, h('dt', {}, 'Customers'), h('dd', { 'data-metric': 'customers' }, integer(result.customers))),
      h('div', {}, h('dt', {}, 'Nodes'), h('dd', { 'data-metric': 'nodes' }, integer(result.nodes.length))),
      h('div', {}, h('dt', {}, 'Drop-offs shown'), h('dd', { 'data-metric': 'drop_offs' }, integer(dropOffs))),
    ),
    result.edges.length === 0
      ? h('div', { class: 'card' }, h('p', { class: 'state state-empty' }, 'No paths match these settings.'))
      : chartCard({
          name: 'paths-sankey',
          title: 'Paths',
          subtitle: `${integer(result.paths)} paths of ${integer(result.customers)} customers, ${steps} steps. Hover an edge for its count and time between the steps.`,
          height,
          description: `Sankey diagram of ${result.edges.length} path edges over ${steps} steps`,
          option: sankeyOption(result),
        }),
    h(
      'section',
      { class: 'card' },
      h('h2', { class: 'card-title' }, 'Busiest transitions'),
      h(
        'table',
        { class: 'table', 'data-testid': 'paths-top-edges' },
        h('thead', {}, h('tr', {}, ['Step', 'From', 'To', 'Paths', 'Customers', 'Mean', 'Median', 'p90'].map((title, i) => h('th', { scope: 'col', class: i >= 3 ? 'number' : '' }, title)))),
        h(
          'tbody',
          {},
          topEdges.map((edge) => {
            const source = nodes.get(edge.source)
            const target = nodes.get(edge.target)
            return h(
              'tr',
              {},
              h('td', {}, `${source?.position ?? '?'} → ${target?.position ?? '?'}`),
              h('td', {}, source ? nodeLabel(source) : edge.source),
              h('td', {}, target ? nodeLabel(target) : edge.target),
              h('td', { class: 'number' }, integer(edge.count)),
              h('td', { class: 'number' }, integer(edge.customers)),
              h('td', { class: 'number' }, duration(edge.duration?.mean_s ?? null)),
              h('td', { class: 'number' }, duration(edge.duration?.median_s ?? null)),
              h('td', { class: 'number' }, duration(edge.duration?.p90_s ?? null)),
            )
          }),
        ),
      ),
    ),
  )
}
