import type { FormField } from './builder'
import { honeypotField } from './builder'

const words = {
  en: {
    send: 'Send',
    sending: 'Sending…',
    failed: 'The form could not be sent. Check the fields and try again.',
    tooMany: 'Too many submissions: try again in a minute.',
  },
  nb: {
    send: 'Send',
    sending: 'Sender …',
    failed: 'Skjemaet kunne ikke sendes. Sjekk feltene og prøv igjen.',
    tooMany: 'For mange innsendinger: prøv igjen om et minutt.',
  },
}

/**
 * The script a site embeds (`<script src=".../channels/forms/<channel id>/embed.js" async>`): it
 * draws the builder's form where its tag is (labels as text, never HTML) and posts it with fetch,
 * so the visitor stays on the page and reads the thank-you text there. Each drawn form carries a
 * random submissionId: a post resent after a dropped answer is stored once.
 */
export function embedScript(config: { channelId: string; action: string; fields: FormField[]; thankYou: string; locale: 'en' | 'nb' }): string {
  const data = JSON.stringify({ ...config, honeypot: honeypotField, words: words[config.locale] })
    // Inside a script, "</script>" and friends must not appear literally, whatever an admin typed.
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029')
  return `(() => {
  const config = ${data}
  const script = document.currentScript || document.querySelector('script[data-switchboard-form="' + config.channelId + '"]')
  if (!script || !script.parentNode) return
  const make = (tag, props) => Object.assign(document.createElement(tag), props)
  const form = make('form', { className: 'switchboard-form' })
  for (const field of config.fields) {
    const id = 'sb-' + config.channelId + '-' + field.name
    const input = field.type === 'textarea'
      ? make('textarea', { rows: 5, maxLength: 20000 })
      : make('input', field.type === 'file' ? { type: 'file', multiple: true } : { type: field.type, maxLength: field.type === 'email' ? 254 : 2000 })
    Object.assign(input, { id, name: field.name, required: field.required })
    const row = make('p')
    row.append(make('label', { htmlFor: id, textContent: field.label }), make('br'), input)
    form.append(row)
  }
  const trap = make('p')
  trap.style.cssText = 'position:absolute;left:-10000px'
  trap.setAttribute('aria-hidden', 'true')
  trap.append(make('input', { name: config.honeypot, tabIndex: -1, autocomplete: 'off' }))
  const id = make('input', { type: 'hidden', name: 'submissionId', value: (crypto.randomUUID ? crypto.randomUUID() : String(Math.random()).slice(2)) })
  const button = make('button', { type: 'submit', textContent: config.words.send })
  const status = make('p')
  status.setAttribute('role', 'status')
  const actions = make('p')
  actions.append(button)
  form.append(trap, id, actions, status)
  form.addEventListener('submit', async (event) => {
    event.preventDefault()
    button.disabled = true
    status.textContent = config.words.sending
    try {
      const response = await fetch(config.action, { method: 'POST', body: new FormData(form), headers: { Accept: 'application/json' } })
      if (response.ok) {
        form.replaceChildren(make('p', { textContent: config.thankYou }))
        return
      }
      status.textContent = response.status === 429 ? config.words.tooMany : config.words.failed
    } catch {
      status.textContent = config.words.failed
    }
    button.disabled = false
  })
  script.parentNode.insertBefore(form, script)
})()
`
}
