const minuteMs = 60_000
const hourMs = 60 * minuteMs
const dayMs = 24 * hourMs

/** A short, list-friendly time: "now", "5m", "3h", "Mon", "12 Mar", "12 Mar 2024". */
export function shortTime(atMs: number, nowMs: number = Date.now(), timeZone = 'UTC'): string {
  const ageMs = nowMs - atMs
  if (ageMs < minuteMs) return 'now'
  if (ageMs < hourMs) return `${Math.floor(ageMs / minuteMs)}m`
  if (ageMs < dayMs) return `${Math.floor(ageMs / hourMs)}h`
  const at = new Date(atMs)
  if (ageMs < 6 * dayMs) return at.toLocaleDateString('en-GB', { weekday: 'short', timeZone })
  const sameYear = at.getUTCFullYear() === new Date(nowMs).getUTCFullYear()
  return at.toLocaleDateString('en-GB', {
    day: 'numeric',
    month: 'short',
    ...(sameYear ? {} : { year: 'numeric' }),
    timeZone,
  })
}

/** A full timestamp for a message header, in the reader's time zone. */
export function fullTime(atMs: number, timeZone = 'UTC'): string {
  return new Date(atMs).toLocaleString('en-GB', {
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    timeZone,
  })
}

export function isoTime(atMs: number): string {
  return new Date(atMs).toISOString()
}
