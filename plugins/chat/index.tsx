import { z } from 'zod'
import { chatflows, defineChannel } from '../../src/channels/types'
import { ChatEmbed, chatChecks, chatExclusive, originSetting } from './setup'
import { chatTexts } from './texts'

const settings = z.object({
  /** Origins allowed to embed the widget; empty allows none (not even this app's own origin). */
  allowedOrigins: z.array(originSetting).default([]),
  greeting: z.string().max(500).default('Hi! How can we help?'),
  /** Shown instead of the default "leave a message" line while nobody is available. */
  awayMessage: z.string().max(500).optional(),
  /** A chatflow that greets visitors and collects details before a person takes over. */
  chatflow: z.enum(['none', ...chatflows.map((flow) => flow.id)] as [string, ...string[]]).default('none'),
  /** The widget's language: 'auto' follows each visitor's browser. */
  // A stored value this version no longer knows follows the visitor's browser (never a refused widget).
  language: z.enum(['auto', 'en', 'nb']).catch('auto'),
})

/** What a ConversationRoom hands the pipeline for a visitor's message. */
export const chatEvent = z.object({
  visitorId: z.string().min(1).max(64),
  sessionKey: z.string().min(1).max(64),
  clientMessageId: z.string().min(1).max(64),
  name: z.string().max(120).optional(),
  email: z.string().email().max(254).optional(),
  text: z.string().min(1).max(4000),
  /** The widget's language (the channel's, or the visitor's browser's). */
  locale: z.string().max(16).optional(),
  /** A file the visitor sent (the widget's upload; size and type were checked before). */
  file: z.object({ filename: z.string().min(1).max(255), contentType: z.string().max(255), content: z.instanceof(Uint8Array) }).optional(),
})

function ChatIcon() {
  return (
    <svg viewBox="0 0 24 24" width="16" height="16" aria-hidden="true" class="icon">
      <path d="M4 5h16v11H9l-5 4z" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linejoin="round" />
    </svg>
  )
}

export const chatChannel = defineChannel({
  id: 'chat',
  name: 'Live chat',
  view: 'Chat',
  viewAlwaysShown: true,
  settings,
  capabilities: { outbound: true, realtime: true, attachments: true },
  texts: chatTexts,
  widget: (settings) => ({
    allowedOrigins: settings.allowedOrigins,
    greeting: settings.greeting,
    awayMessage: settings.awayMessage,
    chatflow: settings.chatflow === 'none' ? undefined : settings.chatflow,
    language: settings.language,
  }),
  async parse(input) {
    if (input.type !== 'event') return []
    const event = chatEvent.parse(input.payload)
    return [
      {
        externalId: `${event.visitorId}:${event.clientMessageId}`,
        from: { externalId: event.visitorId, name: event.name, email: event.email, ...(event.locale ? { locale: event.locale } : {}) },
        text: event.text,
        thread: { key: event.sessionKey },
        ...(event.file ? { attachments: [event.file] } : {}),
      },
    ]
  },
  exclusive: chatExclusive,
  checks: chatChecks,
  ui: { Icon: ChatIcon, Embed: ChatEmbed },
})
