import { eq } from 'drizzle-orm'
import type { Db } from '../db/client'
import { companies } from '../db/schema'
import { escapeHtml } from '../lib/sanitize-html'
import { sanitizeRichText } from '../lib/rich-text'

/**
 * `{{contact.firstname}}`-style placeholders in snippets and templates, filled in on the server
 * for the conversation being answered when the agent inserts the text into the editor.
 *
 * Rules (documented on the settings pages and tested):
 * - a known placeholder with no value becomes an empty string, except `contact.firstname`,
 *   which falls back to a friendly word ("there" / "der") so "Hi {{contact.firstname}}," still
 *   reads well for a nameless chat visitor;
 * - an unknown placeholder cannot be saved (the form says which one); one that still reaches the
 *   renderer (older data) is left as written so the agent sees it in the editor before sending;
 * - values are HTML-escaped, and the filled-in HTML goes through sanitizeRichText again, so a
 *   contact named `<img src=x onerror=…>` is text, and a value inside an href cannot change the
 *   link's scheme or make it leave the site.
 */
export const placeholderKeys = [
  'contact.firstname',
  'contact.lastname',
  'contact.name',
  'contact.email',
  'company.name',
  'agent.firstname',
  'agent.name',
  'conversation.subject',
] as const
export type PlaceholderKey = (typeof placeholderKeys)[number]
export type PlaceholderValues = Partial<Record<PlaceholderKey, string | null>>

const known = new Set<string>(placeholderKeys)

// `{{ contact.firstname }}`: a dotted name, optional spaces inside the braces. The editor may wrap
// one in <span class="placeholder">; the span goes with it.
const placeholderPattern = /\{\{\s*([a-zA-Z][\w]*(?:\.[a-zA-Z][\w]*)*)\s*\}\}/g
const wrappedPattern = /<span class="placeholder">\s*(\{\{\s*[a-zA-Z][\w]*(?:\.[a-zA-Z][\w]*)*\s*\}\})\s*<\/span>/g

/** Every placeholder-shaped `{{name}}` in `text`, as written. */
export function placeholdersIn(text: string): string[] {
  return [...new Set([...text.matchAll(placeholderPattern)].map((match) => match[0]))]
}

/** The placeholders in `text` that we do not know, as written (for a validation message). */
export function unknownPlaceholders(text: string): string[] {
  const unknown = new Set<string>()
  for (const match of text.matchAll(placeholderPattern)) {
    if (!known.has(match[1]!.toLowerCase())) unknown.add(match[0])
  }
  return [...unknown]
}

function placeholderValue(key: string, values: PlaceholderValues, firstNameFallback: string): string | null {
  const lower = key.toLowerCase()
  if (!known.has(lower)) return null
  const value = values[lower as PlaceholderKey]?.trim() ?? ''
  if (value === '' && lower === 'contact.firstname') return firstNameFallback
  return value
}

/** Plain text (a template's subject) with placeholders filled; the caller escapes it for HTML. */
export function renderPlaceholdersText(text: string, values: PlaceholderValues, firstNameFallback: string): string {
  return text.replace(placeholderPattern, (whole, key: string) => placeholderValue(key, values, firstNameFallback) ?? whole)
}

/** Sanitised rich text with placeholders filled, escaped, and sanitised once more. */
export function renderPlaceholdersHtml(html: string, values: PlaceholderValues, firstNameFallback: string): string {
  const filled = html
    .replace(wrappedPattern, (_whole, inner: string) => inner)
    .replace(placeholderPattern, (whole, key: string) => {
      const value = placeholderValue(key, values, firstNameFallback)
      return value === null ? whole : escapeHtml(value)
    })
  return sanitizeRichText(filled)
}

/** "Maja Nilsen" → ["Maja", "Nilsen"]; a name that is an email address gives no first name. */
function splitName(name: string | null | undefined): [string, string] {
  const trimmed = (name ?? '').trim()
  if (trimmed === '' || trimmed.includes('@')) return ['', '']
  const [first = '', ...rest] = trimmed.split(/\s+/)
  return [first, rest.join(' ')]
}

export interface PlaceholderSource {
  contact: { name: string | null; email: string | null; companyId: string | null; properties: Record<string, string> } | null
  agent: { name: string }
  conversation: { subject: string | null }
}

/** The values for one conversation and the agent answering it (one query, for the company). */
export async function placeholderValuesFor(db: Db, source: PlaceholderSource): Promise<PlaceholderValues> {
  const { contact, agent, conversation } = source
  const [contactFirst, contactLast] = splitName(contact?.name)
  const props = contact?.properties ?? {}
  let companyName: string | null = null
  if (contact?.companyId) {
    const [company] = await db.select({ name: companies.name }).from(companies).where(eq(companies.id, contact.companyId)).limit(1)
    companyName = company?.name ?? null
  }
  return {
    'contact.firstname': props.firstname || contactFirst,
    'contact.lastname': props.lastname || contactLast,
    'contact.name': contact?.name?.trim() || contact?.email || '',
    'contact.email': contact?.email ?? '',
    'company.name': companyName ?? props.company ?? '',
    'agent.firstname': splitName(agent.name)[0],
    'agent.name': agent.name,
    'conversation.subject': conversation.subject ?? '',
  }
}
