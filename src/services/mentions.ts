import { and, asc, eq } from 'drizzle-orm'
import { Parser } from 'htmlparser2'
import type { Db } from '../db/client'
import { inOneRoundTrip, reads, type Reads } from '../db/round-trip'
import { messages, users } from '../db/schema'
import { sanitizeRichText } from '../lib/rich-text'

/**
 * @mentions in internal comments. The editor inserts `<span class="mention" data-user-id="…">@Name</span>`
 * (kept by sanitizeRichText); a comment typed as plain text can still say `@Grace Hopper` or, when
 * only one teammate has that first name, `@Grace`. Only active users of the comment's account
 * count: an id from the browser is a claim, checked here against the database.
 *
 * Replies (kind = message) never mention anyone: their text goes to the customer. The composer
 * route calls this only for comments, and `unwrapMentions` turns mention spans in a reply into
 * their plain text before it is stored, so a customer never receives our teammates' ids.
 */

export interface Teammate {
  id: string
  name: string
  email: string
}

export interface Mention {
  id: string
  name: string
}

export const maxSuggestions = 8

/** Active users of an account (deactivated and removed ones can neither be mentioned nor notified). */
export function activeTeammates(db: Db, accountId: string): Promise<Teammate[]> {
  return inOneRoundTrip(db, teammateReads(db, accountId))
}

/** `activeTeammates` as one statement, for the batch a comment reads before it is stored. */
export function teammateReads(db: Db, accountId: string): Reads<Teammate[]> {
  return reads(
    db
      .select({ id: users.id, name: users.name, email: users.email })
      .from(users)
      .where(and(eq(users.accountId, accountId), eq(users.status, 'active')))
      .orderBy(asc(users.name)),
  )
}

const fold = (value: string) => value.normalize('NFKC').toLocaleLowerCase('en')

/**
 * Teammates for the `@` picker: the typed text matches the start of the name, of any word in it,
 * or of the email address. The asking user is left out (mentioning yourself notifies nobody).
 */
export async function suggestMentions(db: Db, input: { accountId: string; query: string; excludeUserId?: string }): Promise<Teammate[]> {
  const query = fold(input.query.trim().replace(/^@/, ''))
  const candidates = (await activeTeammates(db, input.accountId)).filter((user) => user.id !== input.excludeUserId)
  if (!query) return candidates.slice(0, maxSuggestions)
  return candidates
    .filter((user) => {
      const name = fold(user.name)
      return name.startsWith(query) || name.split(/\s+/).some((word) => word.startsWith(query)) || fold(user.email).startsWith(query)
    })
    .slice(0, maxSuggestions)
}

const idPattern = /^[a-z0-9]{1,40}$/

/** The user ids of `span.mention[data-user-id]` in sanitised rich text, in order, unchecked. */
export function mentionIdsInHtml(html: string): string[] {
  const ids: string[] = []
  const parser = new Parser(
    {
      onopentag(name, attributes) {
        if (name !== 'span') return
        const classes = (attributes.class ?? '').split(/\s+/)
        const id = attributes['data-user-id'] ?? ''
        if (classes.includes('mention') && idPattern.test(id)) ids.push(id)
      },
    },
    { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true },
  )
  parser.write(html)
  parser.end()
  return ids
}

const escapeRegExp = (value: string) => value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/** `@Name` where the @ does not follow a letter or digit (an email address is not a mention), and nothing word-like follows. */
function mentionPattern(label: string) {
  return new RegExp(`(?<![\\p{L}\\p{N}_.@])@${escapeRegExp(label).replace(/\\? +/g, '\\s+')}(?![\\p{L}\\p{N}_])`, 'iu')
}

/**
 * Teammates named in plain text: `@Full Name` always, `@Firstname` only when no other active
 * teammate shares that first name (an ambiguous `@Kim` notifies nobody rather than the wrong Kim).
 */
export function mentionsInText(text: string, teammates: Teammate[]): Mention[] {
  if (!text.includes('@')) return []
  const firstNameCounts = new Map<string, number>()
  for (const user of teammates) {
    const first = fold(user.name.split(/\s+/)[0] ?? '')
    if (first) firstNameCounts.set(first, (firstNameCounts.get(first) ?? 0) + 1)
  }
  const found: Mention[] = []
  for (const user of teammates) {
    const fullName = user.name.trim()
    if (!fullName) continue
    const first = fullName.split(/\s+/)[0]!
    const byFullName = mentionPattern(fullName).test(text)
    const byFirstName = !byFullName && firstNameCounts.get(fold(first)) === 1 && mentionPattern(first).test(text)
    if (byFullName || byFirstName) found.push({ id: user.id, name: user.name })
  }
  return found
}

/**
 * Who a stored comment mentions: the spans the editor inserted plus plain `@Name` text, reduced to
 * active users of the account, without the author, each once.
 */
export async function resolveMentions(
  db: Db,
  input: { accountId: string; authorUserId: string | null; html: string | null; text: string },
): Promise<Mention[]> {
  return mentionsAmong(await activeTeammates(db, input.accountId), input)
}

/** Whether a comment could mention anyone at all (a span or an `@`): if not, nobody needs to be looked up. */
export function mayMention(input: { html: string | null; text: string }): boolean {
  return input.text.includes('@') || Boolean(input.html?.includes('mention'))
}

/** `resolveMentions` over the account's active teammates, already read (`teammateReads`). */
export function mentionsAmong(teammates: Teammate[], input: { authorUserId: string | null; html: string | null; text: string }): Mention[] {
  const byId = new Map(teammates.map((user) => [user.id, user]))
  const result = new Map<string, Mention>()
  for (const id of input.html ? mentionIdsInHtml(input.html) : []) {
    const user = byId.get(id)
    if (user) result.set(id, { id, name: user.name })
  }
  for (const mention of mentionsInText(input.text, teammates)) result.set(mention.id, mention)
  if (input.authorUserId) result.delete(input.authorUserId)
  return [...result.values()]
}

/** A reply's mention spans become their text: a customer gets no teammate ids and no special markup. */
export function unwrapMentions(html: string): string {
  // A bare span is unwrapped by the sanitiser, whatever it contains.
  return sanitizeRichText(html.replace(/<span class="[^"]*\bmention\b[^"]*"(?: data-user-id="[^"]*")?>/g, '<span>'))
}

/** Stores a reply without mention markup (see unwrapMentions); returns whether it changed. */
export async function unwrapReplyMentions(db: Db, reply: { id: number; accountId: string; html: string | null }): Promise<boolean> {
  if (!reply.html?.includes('mention')) return false
  const html = unwrapMentions(reply.html)
  if (html === reply.html) return false
  await db
    .update(messages)
    .set({ html })
    .where(and(eq(messages.accountId, reply.accountId), eq(messages.id, reply.id)))
  return true
}
