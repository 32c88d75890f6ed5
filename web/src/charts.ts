// ECharts, imported module by module, the colour-blind-safe palette, and the
// chart card with PNG and SVG export.

import * as echarts from 'echarts/core'
import { BarChart, CustomChart, HeatmapChart, LineChart, SankeyChart, ScatterChart } from 'echarts/charts'
import { AriaComponent, DataZoomComponent, GridComponent, LegendComponent, MarkLineComponent, TitleComponent, TooltipComponent, VisualMapComponent } from 'echarts/components'
import { CanvasRenderer, SVGRenderer } from 'echarts/renderers'
import type { EChartsCoreOption } from 'echarts/core'
import { h } from './dom'

echarts.use([BarChart, CustomChart, DataZoomComponent, HeatmapChart, LineChart, SankeyChart, ScatterChart, AriaComponent, GridComponent, LegendComponent, MarkLineComponent, TitleComponent, TooltipComponent, VisualMapComponent, CanvasRenderer, SVGRenderer])

export type ChartOption = EChartsCoreOption
export type Chart = echarts.ECharts

/** Okabe–Ito: distinguishable with every common colour-vision deficiency. */
export const okabeIto = {
  blue: '#0072B2',
  orange: '#E69F00',
  skyBlue: '#56B4E9',
  green: '#009E73',
  yellow: '#F0E442',
  vermillion: '#D55E00',
  purple: '#CC79A7',
  black: '#000000',
  grey: '#8C8C8C',
}

/** Series colours in order; the second persona gets orange and a dashed line. */
export const seriesColours = [okabeIto.blue, okabeIto.orange, okabeIto.green, okabeIto.vermillion, okabeIto.purple, okabeIto.skyBlue]

export const fontFamily = 'Inter, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif'

/** The type scale follows the "large type" switch (the root font size). */
export function fontSize(step: 'small' | 'body' | 'title' = 'body'): number {
  const root = parseFloat(getComputedStyle(document.documentElement).fontSize) || 16
  return Math.round(root * (step === 'small' ? 0.75 : step === 'title' ? 1 : 0.8125))
}

export function baseOption(): ChartOption {
  return {
    animationDuration: 300,
    textStyle: { fontFamily, fontSize: fontSize('body'), color: '#1f2933' },
    color: seriesColours,
    tooltip: {
      confine: true,
      backgroundColor: '#ffffff',
      borderColor: '#cbd2d9',
      textStyle: { color: '#1f2933', fontSize: fontSize('body'), fontFamily },
      extraCssText: 'box-shadow: 0 4px 16px rgba(15,23,42,.12); border-radius: 8px;',
    },
  }
}

/** What an exported file shows: an option with its card's title. */
export interface ExportSource {
  option: ChartOption
  name: string
  title: string
  subtitle: string | undefined
}

interface RenderedChart extends ExportSource {
  chart: Chart
}

/** Charts on screen by name, for the export buttons and the browser tests. */
export const chartsOnScreen = new Map<string, RenderedChart>()

const downloadFile = (fileName: string, url: string): void => {
  const link = h('a', { href: url, download: fileName, class: 'visually-hidden' })
  document.body.appendChild(link)
  link.click()
  link.remove()
}

const exportTitleHeightPx = 56

/** The chart's option with its card title on top, for files that stand alone. */
function optionWithTitle(rendered: ExportSource): ChartOption {
  const shift = (value: unknown): unknown => (typeof value === 'number' ? value + exportTitleHeightPx : value)
  const option = rendered.option as Record<string, unknown>
  const shifted = (part: unknown): unknown => {
    if (Array.isArray(part)) return part.map(shifted)
    if (part && typeof part === 'object') {
      const copy = { ...(part as Record<string, unknown>) }
      if ('top' in copy) copy.top = shift(copy.top)
      return copy
    }
    return part
  }
  return {
    ...option,
    animation: false,
    backgroundColor: '#ffffff',
    grid: shifted(option.grid ?? { top: 60 }),
    legend: shifted(option.legend),
    series: shifted(option.series),
    title: { text: rendered.title, subtext: rendered.subtitle ?? '', left: 8, top: 4, textStyle: { fontFamily, fontSize: 16, fontWeight: 600, color: '#1f2933' }, subtextStyle: { fontFamily, fontSize: 12, color: '#52606d' } },
  }
}

/** Renders the chart with its title into an off-screen instance and downloads the file. */
function exportChart(name: string, renderer: 'canvas' | 'svg'): void {
  const rendered = chartsOnScreen.get(name)
  if (!rendered) return
  const host = rendered.chart.getDom()
  exportOption(rendered, renderer, host.clientWidth || 800, host.clientHeight || 400)
}

/**
 * Downloads `NAME.png` or `NAME.svg` of an option that need not be on
 * screen (e.g. the chart version of an HTML table), `width` × `height` pixels
 * below the title.
 */
export function exportOption(source: ExportSource, renderer: 'canvas' | 'svg', width: number, chartHeight: number): void {
  const name = source.name
  const rendered = source
  const height = chartHeight + exportTitleHeightPx
  const scratch = h('div', { style: `position:absolute;left:-10000px;top:0;width:${width}px;height:${height}px` })
  document.body.appendChild(scratch)
  const chart = echarts.init(scratch, null, { renderer, width, height })
  try {
    chart.setOption(optionWithTitle(rendered))
    if (renderer === 'svg') {
      const url = URL.createObjectURL(new Blob([chart.renderToSVGString()], { type: 'image/svg+xml' }))
      downloadFile(`${name}.svg`, url)
      setTimeout(() => URL.revokeObjectURL(url), 10_000)
    } else {
      downloadFile(`${name}.png`, chart.getDataURL({ type: 'png', pixelRatio: 2, backgroundColor: '#ffffff' }))
    }
  } finally {
    chart.dispose()
    scratch.remove()
  }
}

export const exportPng = (name: string): void => exportChart(name, 'canvas')
export const exportSvg = (name: string): void => exportChart(name, 'svg')

export interface ChartCardOptions {
  name: string
  title: string
  subtitle?: string
  height: number
  option: ChartOption
  description: string
  /** Called after each render with the live instance (e.g. to wire events). */
  onReady?: (chart: Chart) => void
  toolbar?: HTMLElement[]
}

/** A titled card with a chart, a PNG and an SVG button, resized with its box. */
export function chartCard(options: ChartCardOptions): HTMLElement {
  const host = h('div', { class: 'chart', style: `height:${options.height}px`, role: 'img', 'aria-label': options.description, 'data-chart': options.name })
  const card = h(
    'section',
    { class: 'card chart-card' },
    h(
      'header',
      { class: 'card-header' },
      h('div', {}, h('h2', { class: 'card-title' }, options.title), options.subtitle ? h('p', { class: 'card-subtitle' }, options.subtitle) : null),
      h(
        'div',
        { class: 'toolbar' },
        ...(options.toolbar ?? []),
        h('button', { class: 'button button-small', type: 'button', 'data-export': 'png', title: `Download ${options.title} as PNG`, onclick: () => exportPng(options.name) }, 'PNG'),
        h('button', { class: 'button button-small', type: 'button', 'data-export': 'svg', title: `Download ${options.title} as SVG`, onclick: () => exportSvg(options.name) }, 'SVG'),
      ),
    ),
    host,
  )
  // The chart is created once the card is in the document and has a width.
  requestAnimationFrame(() => mountChart(host, options))
  return card
}

function mountChart(host: HTMLElement, options: ChartCardOptions): void {
  if (!host.isConnected) return
  chartsOnScreen.get(options.name)?.chart.dispose()
  const chart = echarts.init(host, null, { renderer: 'canvas' })
  chart.setOption(options.option)
  chartsOnScreen.set(options.name, { chart, option: options.option, name: options.name, title: options.title, subtitle: options.subtitle })
  host.dataset.rendered = 'true'
  options.onReady?.(chart)
  const observer = new ResizeObserver(() => {
    if (chart.isDisposed() || !host.isConnected) {
      observer.disconnect()
      if (!chart.isDisposed()) chart.dispose()
      if (chartsOnScreen.get(options.name)?.chart === chart) chartsOnScreen.delete(options.name)
      return
    }
    chart.resize()
  })
  observer.observe(host)
}

/** Disposes every chart (on view change). */
export function disposeCharts(): void {
  for (const rendered of chartsOnScreen.values()) if (!rendered.chart.isDisposed()) rendered.chart.dispose()
  chartsOnScreen.clear()
}

export { echarts }
