import { currentLocale, t, type Locale } from '../i18n'

const minuteMs = 60_000
const hourMs = 60 * minuteMs
const dayMs = 24 * hourMs

/** The Intl locale for a UI locale: British English (day before month, 24-hour clock) or Norwegian bokmål. */
export const intlLocale = (locale: Locale = currentLocale()) => (locale === 'nb' ? 'nb-NO' : 'en-GB')

// Building an Intl.DateTimeFormat is far dearer than using one (about 40× here), and a thread
// or list formats many times per render: keep one per locale, pattern and time zone.
const formatters = new Map<string, Intl.DateTimeFormat>()
export function formatter(timeZone: string, options: Intl.DateTimeFormatOptions, locale: Locale = currentLocale()): Intl.DateTimeFormat {
  const key = `${locale}\u0000${timeZone}\u0000${JSON.stringify(options)}`
  let cached = formatters.get(key)
  if (!cached) {
    cached = new Intl.DateTimeFormat(intlLocale(locale), { ...options, timeZone })
    formatters.set(key, cached)
  }
  return cached
}

const weekdayOnly: Intl.DateTimeFormatOptions = { weekday: 'short' }
const dayMonth: Intl.DateTimeFormatOptions = { day: 'numeric', month: 'short' }
const dayMonthYear: Intl.DateTimeFormatOptions = { day: 'numeric', month: 'short', year: 'numeric' }
const full: Intl.DateTimeFormatOptions = { day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit' }

/** A short, list-friendly time in the current locale: "now", "5m", "3h", "Mon", "12 Mar", "12 Mar 2024" ("nå", "5 min", "3 t", "man.", "12. mars"). */
export function shortTime(atMs: number, nowMs: number = Date.now(), timeZone = 'UTC'): string {
  const ageMs = nowMs - atMs
  if (ageMs < minuteMs) return t('time.now')
  if (ageMs < hourMs) return t('time.minutes', { n: Math.floor(ageMs / minuteMs) })
  if (ageMs < dayMs) return t('time.hours', { n: Math.floor(ageMs / hourMs) })
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
