import { defineChannel } from '../../src/channels/types'
import { EmailComposerFields } from './composer-fields'
import { parseEmail } from './parse'
import { emailReplyOptions, emailSettings, sendEmail } from './send'

function EmailIcon() {
  return (
    <svg viewBox="0 0 24 24" width="16" height="16" aria-hidden="true" class="icon">
      <rect x="3" y="5" width="18" height="14" rx="2" fill="none" stroke="currentColor" stroke-width="1.8" />
      <path d="m4 7 8 6 8-6" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linejoin="round" />
    </svg>
  )
}

export { normalizeMessageId } from '../../src/channels/email-threading'
export { parseEmail } from './parse'

export const emailChannel = defineChannel({
  id: 'email',
  name: 'Email',
  view: 'Email',
  settings: emailSettings,
  capabilities: { outbound: true, attachments: true, threading: true, html: true, forward: true },
  replyOptions: emailReplyOptions,
  async parse(input, ctx) {
    if (input.type !== 'email') return []
    const ownAddresses = Array.isArray(ctx.settings?.addresses) ? ctx.settings.addresses : []
    return [
      await parseEmail(input.raw, {
        envelopeFrom: input.envelopeFrom,
        envelopeTo: input.envelopeTo,
        rawKey: input.rawKey,
        ownAddresses,
      }),
    ]
  },
  send: (message, ctx) => sendEmail(message, ctx),
  ui: { Icon: EmailIcon, ComposerFields: EmailComposerFields },
})
