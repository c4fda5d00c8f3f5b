import { env } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { ingestInbound } from '../../../src/channels/pipeline'
import { durableObjectNotifier } from '../../../src/rooms/notifier'
import { db, form, login, request, workspace } from '../../../test/shared/plugin-test-kit'
import { parseEmail } from '../parse'

type Workspace = Awaited<ReturnType<typeof workspace>>

async function threadIn(ws: Workspace, email: string, locale: 'en' | 'nb', conversationId: string) {
  const cookie = await login(email)
  await request('/me/locale', { method: 'POST', cookie, body: form({ locale }) })
  return (await request(`/inbox/${ws.inboxId}/open/c/${conversationId}`, { cookie, hx: 'thread' })).text()
}

describe('Email channel: a message it could not read, in the reader’s language', () => {
  it('a Norwegian agent reads why an oversize mail could not be read in Norwegian; an English agent in English', async () => {
    const ws = await workspace()
    const address = `support.${ws.tag}@example.test`
    // Over Email Routing's 25 MiB limit: kept (the .eml in R2), never parsed.
    const message = await parseEmail(new Uint8Array(25 * 1024 * 1024 + 1), {
      envelopeFrom: 'lena@example.net',
      envelopeTo: address,
      rawKey: `${ws.accountId}/raw/huge.eml`,
      ownAddresses: [address],
    })
    const filed = await ingestInbound({ db: db(), notifier: durableObjectNotifier(env), blobs: env.ATTACHMENTS }, ws.channels.email, message)
    const norwegian = await threadIn(ws, ws.users.agent.email, 'nb', filed.conversationId)
    expect(norwegian).toContain(
      '<div class="message-text">Meldingen kunne ikke leses (den er større enn 25 MiB). Den opprinnelige .eml-filen kan lastes ned.</div>',
    )
    const english = await threadIn(ws, ws.users.admin.email, 'en', filed.conversationId)
    expect(english).toContain('<div class="message-text">This message could not be read (it is larger than 25 MiB). The original .eml can be downloaded.</div>')
  })
})
