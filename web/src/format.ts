// Number, share, duration and name formatting shared by every view.

import type { ChannelKind, Meta } from './api'

const integerFormat = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 })

export const integer = (value: number | null | undefined): string => (value === null || value === undefined ? '–' : integerFormat.format(value))

export function percent(share: number | null | undefined, digits = 1): string {
  if (share === null || share === undefined || Number.isNaN(share)) return '–'
  return `${(share * 100).toFixed(digits)} %`
}

export function signed(value: number | null | undefined, digits = 2): string {
  if (value === null || value === undefined) return '–'
  const text = value.toFixed(digits)
  return value > 0 ? `+${text}` : text.replace('-', '−')
}

/** A duration in the largest sensible unit: 45 s, 12 min, 3.5 h, 4.2 d. */
export function duration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || Number.isNaN(seconds)) return '–'
  const magnitude = Math.abs(seconds)
  if (magnitude < 60) return `${magnitude < 10 ? seconds.toFixed(1) : seconds.toFixed(0)} s`
  if (magnitude < 3600) return `${(seconds / 60).toFixed(magnitude < 600 ? 1 : 0)} min`
  if (magnitude < 86400) return `${(seconds / 3600).toFixed(1)} h`
  return `${(seconds / 86400).toFixed(1)} d`
}

export function dateTime(iso: string | null | undefined): string {
  if (!iso) return '–'
  const date = new Date(iso)
  if (Number.isNaN(date.getTime())) return iso
  return date.toISOString().replace('T', ' ').slice(0, 16) + ' UTC'
}

/** `post_purchase` → `Post purchase`. */
export function humanize(name: string): string {
  const spaced = name.replace(/_/g, ' ')
  return spaced.charAt(0).toUpperCase() + spaced.slice(1)
}

let labels = new Map<string, string>()
export function setLabels(meta: Meta): void {
  labels = new Map(meta.touchpoints.filter((t) => t.label).map((t) => [t.touchpoint, t.label as string]))
}

/** The touchpoint's label from journey.toml when the server sends it, else its name humanized. */
export const touchpointLabel = (name: string): string => labels.get(name) ?? humanize(name)

export const kindOrder: ChannelKind[] = ['digital', 'human', 'physical']

/** A decimal with a fixed number of digits and thousands separators: 1,234.50. */
export function decimal(value: number | null | undefined, digits = 2): string {
  if (value === null || value === undefined || Number.isNaN(value)) return '–'
  return new Intl.NumberFormat('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(value).replace('-', '−')
}

/** A model parameter: four significant digits, exponent form outside 0.001–100,000. */
export function parameter(value: number | null | undefined): string {
  if (value === null || value === undefined || Number.isNaN(value)) return '–'
  const magnitude = Math.abs(value)
  if (magnitude !== 0 && (magnitude < 1e-3 || magnitude >= 1e5)) return value.toExponential(3).replace('e+', 'e').replace(/-/g, '−')
  return String(Number(value.toPrecision(4))).replace('-', '−')
}
