import { currentLocale, fillPlaceholders, type Locale, locales, placeholdersOf } from '../i18n'
import type { ChannelPlugin, ChannelTexts, FieldText } from './types'

/**
 * A plugin's own texts in the current UI language (its English ones when it has none in that
 * language). Core's catalogs hold nothing of a plugin's: a new channel brings its labels with it.
 */
export function channelTexts(plugin: Pick<ChannelPlugin, 'texts'>): ChannelTexts | undefined {
  const texts = plugin.texts
  if (!texts) return undefined
  return (texts as Record<string, ChannelTexts | undefined>)[currentLocale()] ?? texts.en
}

/** The channel's name as people read it. */
export function channelName(plugin: Pick<ChannelPlugin, 'texts' | 'name'>): string {
  return channelTexts(plugin)?.name ?? plugin.name
}

/** A settings field's label and help; a key the plugin does not describe gets a label made from its name. */
export function fieldText(plugin: Pick<ChannelPlugin, 'texts'> | undefined, key: string): FieldText {
  const own = plugin && channelTexts(plugin)?.fields?.[key]
  if (own) return own
  return { label: key.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/^./, (first) => first.toUpperCase()) }
}

/** A secret's label and help; else the label the plugin declared with the secret. */
export function secretText(plugin: Pick<ChannelPlugin, 'texts'>, secret: { key: string; label: string }): FieldText {
  return channelTexts(plugin)?.secrets?.[secret.key] ?? { label: secret.label }
}

/** A plugin's texts with its own sentences (`messages`) in every language; the keys are English's. */
type TextsWithMessages<K extends string> = { en: ChannelTexts & { messages: Record<K, string> }; nb: ChannelTexts }

/**
 * A plugin's own sentences (`texts.<locale>.messages`) in the current UI language, or always in
 * `locale` when one is given (what `parse` stores for everyone is English: `words(texts, 'en')`):
 * the function it returns fills a template's `{name}` placeholders with `vars` as plain text, the
 * way core's `t` does, and falls back to the English sentence, then to the key. Keys are checked
 * against the English messages at compile time.
 *
 * @example
 * const say = words(smsTexts)
 * return { status: 'failed', reason: say('sms.too_long', { max: 1600 }) }
 */
export function words<K extends string>(texts: TextsWithMessages<K>, locale?: Locale): (key: K, vars?: Record<string, string | number>) => string {
  return (key, vars) => {
    const own = (texts as Record<string, ChannelTexts | undefined>)[locale ?? currentLocale()]?.messages?.[key]
    return fillPlaceholders(own ?? texts.en.messages[key] ?? key, vars)
  }
}

/**
 * What is wrong with a plugin's own sentences across languages: a key one language has and
 * another lacks, or a translation whose placeholders differ from the English (it would drop a
 * name or a number). Empty when they agree; the contract suite asks it of every plugin.
 */
export function messageMismatches(texts: Partial<Record<Locale, ChannelTexts>> | undefined): string[] {
  const problems: string[] = []
  const english = texts?.en?.messages ?? {}
  for (const locale of locales) {
    if (locale === 'en') continue
    const translated = texts?.[locale]?.messages ?? {}
    for (const key of Object.keys(english)) {
      if (!Object.hasOwn(translated, key)) problems.push(`texts.${locale}.messages lacks "${key}"`)
      else if (placeholdersOf(english[key]!).join() !== placeholdersOf(translated[key]!).join())
        problems.push(
          `texts.${locale}.messages["${key}"] has {${placeholdersOf(translated[key]!).join('}, {')}} where English has {${placeholdersOf(english[key]!).join('}, {')}}`,
        )
    }
    for (const key of Object.keys(translated)) if (!Object.hasOwn(english, key)) problems.push(`texts.${locale}.messages has "${key}", which English lacks`)
  }
  return problems
}
