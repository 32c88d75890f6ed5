// ECharts, imported module by module, the colour-blind-safe palette, and the
// chart card with PNG and SVG export.

import * as echarts from 'echarts/core'
import { BarChart, LineChart, SankeyChart, ScatterChart } from 'echarts/charts'
import { AriaComponent, GridComponent, LegendComponent, MarkLineComponent, TooltipComponent } from 'echarts/components'
import { CanvasRenderer, SVGRenderer } from 'echarts/renderers'
import type { EChartsCoreOption } from 'echarts/core'
import { h } from './dom'

echarts.use([BarChart, LineChart, SankeyChart, ScatterChart, AriaComponent, GridComponent, LegendComponent, MarkLineComponent, TooltipComponent, CanvasRenderer, SVGRenderer])

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

interface RenderedChart {
  chart: Chart
  option: ChartOption
  name: string
}

/** Charts on screen by name, for the export buttons and the browser tests. */
export const chartsOnScreen = new Map<string, RenderedChart>()

const downloadFile = (fileName: string, url: string): void => {
  const link = h('a', { href: url, download: fileName, class: 'visually-hidden' })
  document.body.appendChild(link)
  link.click()
  link.remove()
}

export function exportPng(name: string): void {
  const rendered = chartsOnScreen.get(name)
  if (!rendered) return
  downloadFile(`${name}.png`, rendered.chart.getDataURL({ type: 'png', pixelRatio: 2, backgroundColor: '#ffffff' }))
}

/** Renders the same option into an off-screen SVG instance and downloads its markup. */
export function exportSvg(name: string): void {
  const rendered = chartsOnScreen.get(name)
  if (!rendered) return
  const host = rendered.chart.getDom()
  const width = host.clientWidth || 800
  const height = host.clientHeight || 400
  const scratch = h('div', { style: `position:absolute;left:-10000px;top:0;width:${width}px;height:${height}px` })
  document.body.appendChild(scratch)
  const svgChart = echarts.init(scratch, null, { renderer: 'svg', width, height })
  try {
    svgChart.setOption({ ...rendered.option, animation: false, backgroundColor: '#ffffff' })
    const markup = svgChart.renderToSVGString()
    const url = URL.createObjectURL(new Blob([markup], { type: 'image/svg+xml' }))
    downloadFile(`${name}.svg`, url)
    setTimeout(() => URL.revokeObjectURL(url), 10_000)
  } finally {
    svgChart.dispose()
    scratch.remove()
  }
}

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
  chartsOnScreen.set(options.name, { chart, option: options.option, name: options.name })
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
