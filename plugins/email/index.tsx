import { defineChannel } from '../../src/channels/types'
import { EmailComposerFields } from './composer-fields'
import { sendNotice } from './notice'
import { emailMessageText, parseEmail } from './parse'
import { emailFromAddress, emailFromName, emailRecipient } from './routing'
import { emailReplyOptions, emailSettings, sendEmail } from './send'
import { EmailSetup, emailChecks, emailExclusive } from './setup'
import { emailTexts } from './texts'

function EmailIcon() {
  return (
    <svg viewBox="0 0 24 24" width="16" height="16" aria-hidden="true" class="icon">
      <rect x="3" y="5" width="18" height="14" rx="2" fill="none" stroke="currentColor" stroke-width="1.8" />
      <path d="m4 7 8 6 8-6" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linejoin="round" />
    </svg>
  )
}

export { normalizeMessageId } from './threading'
export { parseEmail } from './parse'

export const emailChannel = defineChannel({
  id: 'email',
  name: 'Email',
  view: 'Email',
  settings: emailSettings,
  capabilities: { outbound: true, attachments: true, threading: true, html: true, forward: true, reaches: ['email'] },
  texts: emailTexts,
  replyOptions: emailReplyOptions,
  // Mail for the channel's addresses (and our reply+<conversation>@ addresses) arrives through the Worker's email() entry.
  emailRouting: { recipient: emailRecipient, fromAddress: emailFromAddress, fromName: emailFromName, sendNotice: (mail, env) => sendNotice(mail, env) },
  async parse(input, ctx) {
    if (input.type !== 'raw') return []
    const ownAddresses = Array.isArray(ctx.settings?.addresses) ? ctx.settings.addresses : []
    return [
      await parseEmail(input.raw, {
        envelopeFrom: input.envelope.from,
        envelopeTo: input.envelope.to,
        rawKey: input.rawKey,
        ownAddresses,
      }),
    ]
  },
  send: (message, ctx) => sendEmail(message, ctx),
  exclusive: emailExclusive,
  checks: emailChecks,
  messageText: emailMessageText,
  ui: { Icon: EmailIcon, ComposerFields: EmailComposerFields, Setup: EmailSetup },
})
