import { and, eq, gte, isNull, lt, ne, sql, type SQL } from 'drizzle-orm'
import { z } from 'zod'
import { contacts, conversations } from '../db/schema'
import { channelPlugins } from '../channels/registry'
import { t } from '../i18n'
import { likePattern, matchesLike } from '../lib/like'

export const maxSearchLength = 200
const dayMs = 24 * 60 * 60 * 1000

const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'filters.date_format')
  .refine((value) => !Number.isNaN(Date.parse(`${value}T00:00:00Z`)), 'filters.date_missing')

const flag = z.enum(['0', '1'], { message: 'filters.flag' })

/**
 * The filters an agent can put on a list, exactly as they appear in the URL: the URL is the
 * state, so reload, back/forward and shared links all show the same list. Every field is
 * optional; anything malformed gets a message the list pane shows instead of a 500.
 */
export const listFilterSchema = z.object({
  q: z.string().trim().max(maxSearchLength, `Search for at most ${maxSearchLength} characters.`).optional(),
  status: z.enum(['open', 'closed'], { message: 'filters.status' }).optional(),
  channel: z
    .string()
    .refine((id) => channelPlugins.some((plugin) => plugin.id === id), 'filters.channel')
    .optional(),
  contact: z.string().trim().max(254).optional(),
  // A user id, `none` for unassigned, or `bot:<name>` for a chatflow.
  assignee: z
    .string()
    .max(120)
    .regex(/^(none|bot:.+|[a-z0-9]{1,32})$/, 'filters.assignee')
    .optional(),
  inactive: flag.optional(),
  from: isoDate.optional(),
  to: isoDate.optional(),
  hideFiltered: flag.optional(),
  hideTrash: flag.optional(),
  sort: z.enum(['newest', 'oldest', 'relevance'], { message: 'filters.sort' }).optional(),
})

export type ListFilters = z.infer<typeof listFilterSchema>

export const filterKeys = Object.keys(listFilterSchema.shape) as (keyof ListFilters)[]

/** Reads filters from a query string; empty values count as absent. */
export function parseFilters(query: Record<string, string | undefined>): { ok: true; filters: ListFilters } | { ok: false; message: string } {
  const present = Object.fromEntries(filterKeys.map((key) => [key, query[key]]).filter(([, value]) => value !== undefined && value !== ''))
  const parsed = listFilterSchema.safeParse(present)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    // The schema's messages are catalog keys, translated here in the reader's locale.
    return { ok: false, message: `${String(issue?.path[0] ?? 'filter')}: ${t(issue?.message ?? 'filters.not_understood')}` }
  }
  const { from, to } = parsed.data
  if (from && to && from > to) return { ok: false, message: t('filters.dates_reversed') }
  return { ok: true, filters: parsed.data }
}

/** The filters as a query string, in a stable order, without empty values. */
export function filtersToQuery(filters: ListFilters, extra: Record<string, string> = {}): string {
  const params = new URLSearchParams()
  for (const key of filterKeys) {
    const value = filters[key]
    if (value !== undefined && value !== '') params.set(key, String(value))
  }
  for (const [key, value] of Object.entries(extra)) params.set(key, value)
  const text = params.toString()
  return text ? `?${text}` : ''
}

export function isSearch(filters: ListFilters): boolean {
  return Boolean(filters.q)
}

export function hasFilters(filters: ListFilters): boolean {
  return filterKeys.some((key) => key !== 'sort' && filters[key] !== undefined)
}

/** SQL conditions on `conversations` for everything but the search text. */
export function filterConditions(filters: ListFilters, accountId: string): SQL[] {
  const c = conversations
  const searching = isSearch(filters)
  const conditions: (SQL | undefined)[] = [
    filters.status ? eq(c.status, filters.status) : undefined,
    filters.channel ? eq(c.pluginId, filters.channel) : undefined,
    filters.from ? gte(c.lastMessageAt, Date.parse(`${filters.from}T00:00:00Z`)) : undefined,
    filters.to ? lt(c.lastMessageAt, Date.parse(`${filters.to}T00:00:00Z`) + dayMs) : undefined,
    // A search spans every folder; the search form ticks "hide filtered" and "hide trash" for
    // a new search, and the agent can untick them.
    searching && filters.hideFiltered === '1' ? ne(c.folder, 'filtered') : undefined,
    searching && filters.hideTrash === '1' ? ne(c.folder, 'trash') : undefined,
  ]
  if (filters.assignee === 'none') conditions.push(and(isNull(c.assigneeId), isNull(c.assigneeBot)))
  else if (filters.assignee?.startsWith('bot:')) {
    conditions.push(and(eq(c.assigneeBot, filters.assignee.slice(4)), isNull(c.assigneeId)))
  } else if (filters.assignee) conditions.push(eq(c.assigneeId, filters.assignee))
  if (filters.contact) {
    const text = filters.contact.toLowerCase()
    // Prefix matches on name and address; `%` and `_` typed by the agent are literal.
    const prefix = likePattern(text, 'startsWith')
    conditions.push(
      sql`${c.contactId} in (select ${contacts.id} from ${contacts} where ${contacts.accountId} = ${accountId} and (${contacts.email} = ${text} or ${matchesLike(sql`lower(${contacts.name})`, prefix)} or ${matchesLike(contacts.email, prefix)}))`,
    )
  }
  return conditions.filter((condition): condition is SQL => condition !== undefined)
}
