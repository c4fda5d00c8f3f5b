// UI text for the browser scripts, in the reader's language: the server puts every `client.*`
// catalog entry (src/i18n/client.ts) in <meta name="sb-strings">. A key that is missing falls
// back to the English text the caller passes, so a script never shows a bare key.

let strings = null

function load() {
  if (strings) return strings
  try {
    strings = JSON.parse(document.querySelector('meta[name="sb-strings"]')?.getAttribute('content') ?? '{}')
  } catch {
    strings = {}
  }
  return strings
}

const fill = (text, params) => text.replace(/\{(\w+)\}/g, (whole, name) => (name in params ? String(params[name]) : whole))

/** tr('client.link_copied', 'Link copied.') or, with a count, picks `key.one` / `key.other`. */
export function tr(key, fallback, params = {}) {
  const all = load()
  let text = all[key]
  if (typeof params.count === 'number') {
    const form = new Intl.PluralRules(document.documentElement.lang || 'en').select(params.count)
    text = all[`${key}.${form}`] ?? all[`${key}.other`] ?? text
  }
  return fill(text ?? fallback, params)
}
