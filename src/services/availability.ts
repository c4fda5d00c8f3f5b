import { and, eq, inArray } from 'drizzle-orm'
import type { Db } from '../db/client'
import { conversations, inboxMembers, users, type OfficeHours } from '../db/schema'
import { InputError } from '../lib/errors'
import { t } from '../i18n'
import { intlLocale } from '../lib/time'

const weekdays = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const
export type Weekday = (typeof weekdays)[number]
/** The weekday's name in the current locale ("Monday", "Mandag"). */
export const weekdayName = (day: Weekday) => t(`day.${day}`)
export { weekdays }

/** The weekday and minutes since midnight at `atMs` in a time zone. */
export function localTime(atMs: number, timeZone: string): { weekday: Weekday; minutes: number } {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(
    new Date(atMs),
  )
  const get = (type: string) => parts.find((part) => part.type === type)?.value ?? ''
  const weekday = get('weekday').toLowerCase().slice(0, 3) as Weekday
  return { weekday, minutes: Number(get('hour')) * 60 + Number(get('minute')) }
}

export function isWithinOfficeHours(hours: OfficeHours | null | undefined, timeZone: string, atMs: number): boolean {
  if (!hours?.enabled) return true
  const { weekday, minutes } = localTime(atMs, timeZone)
  return (hours.days[weekday] ?? []).some(([start, end]) => minutes >= start && minutes < end)
}

/**
 * The next moment office hours begin, searched minute-exactly over the coming week (the
 * timestamps where a period starts), or null if there are none.
 */
export function nextOfficeHoursStart(hours: OfficeHours | null | undefined, timeZone: string, fromMs: number): number | null {
  if (!hours?.enabled) return null
  const stepMs = 15 * 60 * 1000
  // Office hours are set in whole quarter hours, so a 15-minute scan finds every start exactly.
  const start = Math.ceil(fromMs / stepMs) * stepMs
  for (let atMs = start; atMs <= fromMs + 8 * 24 * 60 * 60 * 1000; atMs += stepMs) {
    if (isWithinOfficeHours(hours, timeZone, atMs)) return atMs
  }
  return null
}

type AvailabilityUser = Pick<typeof users.$inferSelect, 'availability' | 'officeHours' | 'timeZone' | 'status'>

/** Away by choice, or outside one's office hours. */
export function isAvailable(user: AvailabilityUser, atMs = Date.now()): boolean {
  return user.status === 'active' && user.availability === 'available' && isWithinOfficeHours(user.officeHours, user.timeZone, atMs)
}

export interface TeamAvailability {
  available: boolean
  /** When someone is back (ms), if office hours say so. */
  backAtMs?: number
  /** "Monday 09:00 (Europe/Oslo)" for the widget to show as is. */
  backAtText?: string
}

/**
 * Whether someone can take a new chat in an inbox: an active member (or, for an inbox without
 * members, any active user of the account) who is available now. A visitor whose conversation
 * already has an owner sees that owner as available even when they are away: it is their chat.
 */
export async function teamAvailability(
  db: Db,
  accountId: string,
  inboxId: string,
  options: { conversationId?: string; nowMs?: number } = {},
): Promise<TeamAvailability> {
  const nowMs = options.nowMs ?? Date.now()
  if (options.conversationId) {
    const [owned] = await db
      .select({ status: users.status })
      .from(conversations)
      .innerJoin(users, eq(users.id, conversations.assigneeId))
      .where(and(eq(conversations.id, options.conversationId), eq(conversations.accountId, accountId)))
      .limit(1)
    if (owned?.status === 'active') return { available: true }
  }
  const members = await db.select({ userId: inboxMembers.userId }).from(inboxMembers).where(eq(inboxMembers.inboxId, inboxId))
  // The members as a subquery: an inbox may have more members than a statement may bind.
  const memberIds = db.select({ id: inboxMembers.userId }).from(inboxMembers).where(eq(inboxMembers.inboxId, inboxId))
  const candidates = await db
    .select({ availability: users.availability, officeHours: users.officeHours, timeZone: users.timeZone, status: users.status })
    .from(users)
    .where(and(eq(users.accountId, accountId), eq(users.status, 'active'), members.length > 0 ? inArray(users.id, memberIds) : undefined))
  if (candidates.some((user) => isAvailable(user, nowMs))) return { available: true }
  let best: { atMs: number; timeZone: string } | null = null
  for (const user of candidates) {
    if (user.availability !== 'available') continue
    const atMs = nextOfficeHoursStart(user.officeHours, user.timeZone, nowMs)
    if (atMs !== null && (!best || atMs < best.atMs)) best = { atMs, timeZone: user.timeZone }
  }
  if (!best) return { available: false }
  const text = new Intl.DateTimeFormat(intlLocale(), { weekday: 'long', hour: '2-digit', minute: '2-digit', timeZone: best.timeZone }).format(
    new Date(best.atMs),
  )
  return { available: false, backAtMs: best.atMs, backAtText: `${text} (${best.timeZone})` }
}

export async function setAvailability(db: Db, userId: string, availability: 'available' | 'away') {
  await db.update(users).set({ availability }).where(eq(users.id, userId))
}

export function isValidTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone })
    return true
  } catch {
    return false
  }
}

/** Saves a user's time zone and office hours ("09:00"–"17:00" per weekday; empty = off that day). */
export async function saveWorkingHours(
  db: Db,
  userId: string,
  input: { timeZone: string; enabled: boolean; days: Partial<Record<Weekday, { from: string; to: string }>> },
) {
  if (!isValidTimeZone(input.timeZone)) throw new InputError(t('profile.hours.invalid_zone'))
  const toMinutes = (value: string) => {
    const match = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(value)
    if (!match) return null
    const minutes = Number(match[1]) * 60 + Number(match[2])
    return minutes % 15 === 0 ? minutes : null
  }
  const days: Record<string, [number, number][]> = {}
  for (const day of weekdays) {
    const period = input.days[day]
    if (!period || (!period.from && !period.to)) continue
    const from = toMinutes(period.from)
    const to = period.to === '24:00' ? 1440 : toMinutes(period.to)
    if (from === null || to === null) throw new InputError(t('profile.hours.quarter_hours', { day: weekdayName(day) }))
    if (to <= from) throw new InputError(t('profile.hours.end_before_start', { day: weekdayName(day) }))
    days[day] = [[from, to]]
  }
  if (input.enabled && Object.keys(days).length === 0) throw new InputError(t('profile.hours.none_set'))
  await db
    .update(users)
    .set({ timeZone: input.timeZone, officeHours: { enabled: input.enabled, days } })
    .where(eq(users.id, userId))
}
