import type { Bindings } from '../env'
import type { Host, MailOut } from './ports'

/** The Workers host: each port is the binding of the same name, read when the port is used. */
export function workersHost(env: Bindings): Host {
  return {
    kind: 'workers',
    get blobs() {
      return env.ATTACHMENTS
    },
    get jobs() {
      return env.OUTBOUND
    },
    get mail() {
      return env.SEND_EMAIL ? sendEmailPort(env.SEND_EMAIL) : null
    },
    rooms: {
      conversation: (conversationId) => env.CONVERSATION_ROOM.get(env.CONVERSATION_ROOM.idFromName(conversationId)),
      inbox: (inboxId) => env.INBOX_HUB.get(env.INBOX_HUB.idFromName(inboxId)),
    },
    limiters: {
      get chatChannel() {
        return env.CHAT_CHANNEL_LIMITER
      },
      get visitorSession() {
        return env.VISITOR_SESSION_LIMITER
      },
    },
    get ai() {
      const binding = env.AI as unknown as Host['ai']
      return binding && typeof binding.run === 'function' ? binding : null
    },
  }
}

/** send_email takes an EmailMessage, a class that exists only inside workerd (imported when used). */
function sendEmailPort(binding: SendEmail): MailOut {
  return {
    async send(mail) {
      const { EmailMessage } = await import('cloudflare:email')
      const result = (await binding.send(new EmailMessage(mail.from, mail.to, mail.raw as string))) as unknown
      const messageId = (result as { messageId?: unknown } | undefined)?.messageId
      return typeof messageId === 'string' ? { messageId } : undefined
    },
  }
}
