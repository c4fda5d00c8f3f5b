const minuteMs = 60_000
const hourMs = 60 * minuteMs
const dayMs = 24 * hourMs

// Building an Intl.DateTimeFormat is far dearer than using one (about 40× here), and a thread
// or list formats many times per render: keep one per pattern and time zone.
const formatters = new Map<string, Intl.DateTimeFormat>()
function formatter(timeZone: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${timeZone}\u0000${JSON.stringify(options)}`
  let cached = formatters.get(key)
  if (!cached) {
    cached = new Intl.DateTimeFormat('en-GB', { ...options, timeZone })
    formatters.set(key, cached)
  }
  return cached
}

const weekdayOnly: Intl.DateTimeFormatOptions = { weekday: 'short' }
const dayMonth: Intl.DateTimeFormatOptions = { day: 'numeric', month: 'short' }
const dayMonthYear: Intl.DateTimeFormatOptions = { day: 'numeric', month: 'short', year: 'numeric' }
const full: Intl.DateTimeFormatOptions = { day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit' }

/** A short, list-friendly time: "now", "5m", "3h", "Mon", "12 Mar", "12 Mar 2024". */
export function shortTime(atMs: number, nowMs: number = Date.now(), timeZone = 'UTC'): string {
  const ageMs = nowMs - atMs
  if (ageMs < minuteMs) return 'now'
  if (ageMs < hourMs) return `${Math.floor(ageMs / minuteMs)}m`
  if (ageMs < dayMs) return `${Math.floor(ageMs / hourMs)}h`
  const at = new Date(atMs)
  if (ageMs < 6 * dayMs) return formatter(timeZone, weekdayOnly).format(at)
  const sameYear = at.getUTCFullYear() === new Date(nowMs).getUTCFullYear()
  return formatter(timeZone, sameYear ? dayMonth : dayMonthYear).format(at)
}

/** A full timestamp for a message header, in the reader's time zone. */
export function fullTime(atMs: number, timeZone = 'UTC'): string {
  return formatter(timeZone, full).format(new Date(atMs))
}

export function isoTime(atMs: number): string {
  return new Date(atMs).toISOString()
}
