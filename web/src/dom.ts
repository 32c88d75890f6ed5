// A small element builder and the shared loading, error and empty states.

import { ApiError } from './api'

type Child = Node | string | number | null | undefined | false | Child[]
type Attributes = Record<string, string | number | boolean | null | undefined | EventListener>

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attributes: Attributes = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag)
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue
    if (typeof value === 'function') element.addEventListener(name.replace(/^on/, '').toLowerCase(), value)
    else if (value === true) element.setAttribute(name, '')
    else element.setAttribute(name, String(value))
  }
  append(element, children)
  return element
}

function append(parent: Node, children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue
    if (Array.isArray(child)) append(parent, child)
    else parent.appendChild(typeof child === 'object' ? child : document.createTextNode(String(child)))
  }
}

export function svgIcon(pathData: string, label?: string): SVGSVGElement {
  const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg')
  svg.setAttribute('viewBox', '0 0 16 16')
  svg.setAttribute('class', 'icon')
  if (label) {
    svg.setAttribute('role', 'img')
    svg.setAttribute('aria-label', label)
  } else svg.setAttribute('aria-hidden', 'true')
  const path = document.createElementNS('http://www.w3.org/2000/svg', 'path')
  path.setAttribute('d', pathData)
  svg.appendChild(path)
  return svg
}

export function loading(text = 'Loading…'): HTMLElement {
  return h('div', { class: 'state state-loading', role: 'status', 'aria-live': 'polite' }, h('span', { class: 'spinner', 'aria-hidden': 'true' }), text)
}

export function errorState(error: unknown, retry?: () => void): HTMLElement {
  const message = error instanceof ApiError ? error.message : error instanceof Error ? error.message : String(error)
  const status = error instanceof ApiError && error.status ? ` (HTTP ${error.status}${error.code ? `, ${error.code}` : ''})` : ''
  return h(
    'div',
    { class: 'state state-error', role: 'alert' },
    h('strong', {}, 'Could not load the data'),
    h('p', { class: 'error-detail' }, message, h('span', { class: 'muted' }, status)),
    retry ? h('button', { class: 'button', type: 'button', onclick: () => retry() }, 'Try again') : null,
  )
}

export function empty(text: string): HTMLElement {
  return h('div', { class: 'state state-empty' }, text)
}

/** Activates an element on Enter and Space as well as on click. */
export function onActivate(element: HTMLElement, action: () => void): void {
  element.addEventListener('click', action)
  element.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' || event.key === ' ') {
      event.preventDefault()
      action()
    }
  })
}

/** The children that are there, for `replaceChildren` (which takes no nulls). */
export function present(...items: (Node | string | null | undefined | false | (Node | string | null | undefined | false)[])[]): (Node | string)[] {
  return items.flat().filter((item): item is Node | string => item !== null && item !== undefined && item !== false)
}
