import { AsyncLocalStorage } from 'node:async_hooks'
import core from './core'
import comments from './comments'
import feedbackAi from './feedback-ai'
import content from './content'
import profile from './profile'
import inbox from './inbox'
import auth from './auth'
import list from './list'
import errors from './errors'
import settings from './settings'
import email from './email'
import channels from './channels'
import client from './client'
import widget from './widget'
import editor from './editor'
import sidebar from './sidebar'
import onboarding from './onboarding'
import channelSetup from './channel-setup'
import type { Catalog, Messages } from './define'

/**
 * UI text lives in message catalogs, one file per area of the app (src/i18n/<area>.ts), each
 * exporting `{ en: {...}, nb: {...} }` built with `defineCatalog`. Templates call `t('key')`;
 * the locale is the signed-in user's choice (profile), else the browser's Accept-Language, else
 * English. A key missing from a catalog falls back to English, then to the key itself (a test
 * checks that every English key has a Norwegian one).
 *
 * To add an area: create src/i18n/<area>.ts and add it to `catalogs` below.
 */
export const locales = ['en', 'nb'] as const
export type Locale = (typeof locales)[number]
export const localeNames: Record<Locale, string> = { en: 'English', nb: 'Norsk (bokmål)' }
export const isLocale = (value: unknown): value is Locale => typeof value === 'string' && (locales as readonly string[]).includes(value)

export { defineCatalog, type Catalog, type Messages } from './define'

export const catalogs: Catalog[] = [
  core,
  comments,
  feedbackAi,
  content,
  profile,
  inbox,
  auth,
  list,
  errors,
  settings,
  email,
  channels,
  client,
  widget,
  editor,
  sidebar,
  onboarding,
  channelSetup,
]

let merged: Record<Locale, Messages> | null = null
function messagesFor(locale: Locale): Messages {
  if (!merged) {
    merged = { en: {}, nb: {} }
    for (const catalog of catalogs) {
      Object.assign(merged.en, catalog.en)
      Object.assign(merged.nb, catalog.nb)
    }
  }
  return merged[locale]
}

const store = new AsyncLocalStorage<{ locale: Locale }>()

/** The locale of the request (or Durable Object call) being handled; English outside one. */
export function currentLocale(): Locale {
  return store.getStore()?.locale ?? 'en'
}

/** Runs fn with `locale` as the current locale (rendering for another user, in a Durable Object, an email). */
export function withLocale<T>(locale: Locale | string | null | undefined, fn: () => T): T {
  return store.run({ locale: isLocale(locale) ? locale : 'en' }, fn)
}

/** Used by the session middleware once it knows who is asking. */
export function setRequestLocale(locale: string | null | undefined) {
  const holder = store.getStore()
  if (holder && isLocale(locale)) holder.locale = locale
}

/** The best of our locales for an Accept-Language header ("nb-NO,nb;q=0.9,en;q=0.8" → nb; no/nn count as nb). */
export function localeFromAcceptLanguage(header: string | null | undefined): Locale {
  const ranked = (header ?? '')
    .split(',')
    .map((part, index) => {
      const [tag = '', ...params] = part.trim().toLowerCase().split(';')
      const q = Number(
        params
          .find((p) => p.trim().startsWith('q='))
          ?.trim()
          .slice(2) ?? '1',
      )
      return { tag, q: Number.isFinite(q) ? q : 0, index }
    })
    .filter((entry) => entry.tag && entry.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index)
  for (const { tag } of ranked) {
    const primary = tag.split('-')[0]
    if (primary === 'nb' || primary === 'no' || primary === 'nn') return 'nb'
    if (primary === 'en') return 'en'
  }
  return 'en'
}

/** Starts a request's locale from Accept-Language; requireSession narrows it to the user's choice. */
export function runWithRequestLocale<T>(acceptLanguage: string | null | undefined, fn: () => T): T {
  return store.run({ locale: localeFromAcceptLanguage(acceptLanguage) }, fn)
}

/**
 * The text for `key` in the current locale, with `{name}` placeholders filled from params.
 * When params has a numeric `count` and the catalog has `key.one` / `key.other`, the plural form
 * the locale's rules pick is used.
 */
export function t(key: string, params?: Record<string, string | number>, locale: Locale = currentLocale()): string {
  const messages = messagesFor(locale)
  let resolved = key
  if (params && typeof params.count === 'number') {
    const form = pluralRules(locale).select(params.count)
    const plural = `${key}.${form}`
    const other = `${key}.other`
    resolved = plural in messages || plural in messagesFor('en') ? plural : other in messages || other in messagesFor('en') ? other : key
  }
  const template = messages[resolved] ?? messagesFor('en')[resolved] ?? resolved
  return fillPlaceholders(template, params)
}

const placeholder = /\{(\w+)\}/g

/**
 * `{name}` in a template replaced by `params.name` as plain text (whoever shows the result escapes
 * it); a name params lacks stays as written. Core's `t` and plugins' own sentences share it.
 */
export function fillPlaceholders(template: string, params?: Record<string, string | number>): string {
  if (!params) return template
  return template.replace(placeholder, (whole, name: string) => (Object.hasOwn(params, name) ? String(params[name]) : whole))
}

/** The placeholder names a template uses, sorted and once each (to compare a text with its translation). */
export function placeholdersOf(template: string): string[] {
  return [...new Set([...template.matchAll(placeholder)].map((match) => match[1]!))].sort()
}

// Per isolate, per locale: the catalogs never change while an isolate lives, and building an
// Intl object or filtering every key costs far more than reusing the result.
const pluralRulesByLocale = new Map<Locale, Intl.PluralRules>()
function pluralRules(locale: Locale): Intl.PluralRules {
  let rules = pluralRulesByLocale.get(locale)
  if (!rules) {
    rules = new Intl.PluralRules(locale === 'nb' ? 'nb' : 'en')
    pluralRulesByLocale.set(locale, rules)
  }
  return rules
}

/** The text for `key`, or `fallback` when no catalog has it (names that plugins or data bring along). */
export function translated(key: string, fallback: string, params?: Record<string, string | number>): string {
  const text = t(key, params)
  return text === key ? fallback : text
}

/** Every text whose key starts with `prefix`, in a locale (English where one is missing); each page's layout asks for the client's. */
const textsByPrefix = new Map<string, Messages>()
function textsStartingWith(prefix: string, locale: Locale): Messages {
  const cacheKey = `${locale}:${prefix}`
  const cached = textsByPrefix.get(cacheKey)
  if (cached) return cached
  const all = messagesFor(locale)
  const english = messagesFor('en')
  const texts = Object.freeze(
    Object.fromEntries(
      Object.keys(english)
        .filter((key) => key.startsWith(prefix))
        .map((key) => [key, all[key] ?? english[key]!]),
    ),
  )
  textsByPrefix.set(cacheKey, texts)
  return texts
}

/** The `client.*` texts in the current locale, for the browser scripts (static/i18n.js). */
export function clientStrings(locale: Locale = currentLocale()): Messages {
  return textsStartingWith('client.', locale)
}

/** The visitor widget's texts in a locale, keys without the `widget.` prefix (static/widget.js). */
export function widgetStrings(locale: Locale): Messages {
  return Object.fromEntries(Object.entries(textsStartingWith('widget.', locale)).map(([key, text]) => [key.slice('widget.'.length), text]))
}

/** Every key per locale, for the completeness test. */
export function allMessages(): Record<Locale, Messages> {
  return { en: messagesFor('en'), nb: messagesFor('nb') }
}
