import { env } from 'cloudflare:test'
import { eq } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import worker from '../../src/index'
import { attachments, channels, conversations, messages } from '../../src/db/schema'
import { replyAddress } from '../../plugins/email/threading'
import { buildMail, fixture, scannedPage, scannerMail } from '../shared/email-fixtures'
import { db, emailMessage, login, request, workspace } from './helpers'

async function deliver(raw: string | Uint8Array, from: string, to: string) {
  const { message, state } = emailMessage(raw, from, to)
  await worker.email(message, env)
  return state
}

async function storedByExternalId(externalId: string) {
  const [row] = await db().select().from(messages).where(eq(messages.externalId, externalId))
  if (!row) throw new Error(`no message ${externalId}`)
  return row
}

describe('email handler routing', () => {
  it('routes every address and alias of a channel, and our reply+ address, to the right inbox', async () => {
    const ws = await workspace()
    const main = `support.${ws.tag}@example.test`
    const alias = `help.${ws.tag}@example.test`
    await db()
      .update(channels)
      .set({ settings: { addresses: [main, alias] } })
      .where(eq(channels.id, ws.channels.email.id))
    const state = await deliver(
      buildMail({ from: 'ola@example.no', to: alias, subject: 'Via alias', messageId: `alias.${ws.tag}@example.no` }),
      'ola@example.no',
      `Help.${ws.tag}+x@Example.test`,
    )
    expect(state.rejected).toBeUndefined()
    const first = await storedByExternalId(`alias.${ws.tag}@example.no`)
    expect(first.channelId).toBe(ws.channels.email.id)

    const token = replyAddress(first.conversationId, 'example.test')
    const viaToken = await deliver(
      buildMail({ from: 'ola@example.no', to: token, subject: 'Different subject', messageId: `token.${ws.tag}@example.no` }),
      'ola@example.no',
      token,
    )
    expect(viaToken.rejected).toBeUndefined()
    expect((await storedByExternalId(`token.${ws.tag}@example.no`)).conversationId).toBe(first.conversationId)

    const unknownToken = await deliver('Subject: x\r\n\r\nx', 'ola@example.no', 'reply+abcdefghijklmnop@example.test')
    expect(unknownToken.rejected).toBe('No inbox receives mail for reply+abcdefghijklmnop@example.test')
  })
})

describe('email downloads', () => {
  it('serves the raw .eml of a message to its account only', async () => {
    const ws = await workspace()
    const to = `support.${ws.tag}@example.test`
    const raw = buildMail({ from: 'ola@example.no', to, subject: 'Keep the original', messageId: `raw.${ws.tag}@example.no` })
    await deliver(raw, 'ola@example.no', to)
    const stored = await storedByExternalId(`raw.${ws.tag}@example.no`)
    expect(stored.rawKey).toMatch(new RegExp(`^${ws.accountId}/raw/.+\\.eml$`))
    const url = `/conversations/${stored.conversationId}/messages/${stored.id}/raw`

    const cookie = await login(ws.users.agent.email)
    const response = await request(url, { cookie })
    expect(response.status).toBe(200)
    expect(response.headers.get('Content-Type')).toBe('message/rfc822')
    expect(response.headers.get('Content-Disposition')).toMatch(/^attachment; filename="message-\d+\.eml"/)
    expect(response.headers.get('X-Content-Type-Options')).toBe('nosniff')
    expect(await response.text()).toBe(raw)

    const stranger = await workspace()
    const strangerCookie = await login(stranger.users.superAdmin.email)
    expect((await request(url, { cookie: strangerCookie, headers: { Accept: 'text/html' } })).status).toBe(404)
    expect((await request(`/conversations/other/messages/${stored.id}/raw`, { cookie })).status).toBe(404)
    expect((await request(url)).status).toBe(302)
  })

  it('serves attachments with a safe type and disposition, to their account only', async () => {
    const ws = await workspace()
    const to = `support.${ws.tag}@example.test`
    await deliver(fixture('htmlInlineImage', { TO: to, ID: ws.tag }), 'ingrid@dahl-design.example', to)
    const stored = await storedByExternalId(`CAHx9=screenshot-${ws.tag}@mail.gmail.com`)
    const rows = await db().select().from(attachments).where(eq(attachments.messageId, stored.id))
    const image = rows.find((row) => row.contentType === 'image/png')!
    const pdf = rows.find((row) => row.contentType === 'application/pdf')!
    const cookie = await login(ws.users.agent.email)

    const imageResponse = await request(`/attachments/${image.id}`, { cookie })
    expect(imageResponse.status).toBe(200)
    expect(imageResponse.headers.get('Content-Type')).toBe('image/png')
    expect(imageResponse.headers.get('Content-Disposition')).toBe(`inline; filename="error.png"; filename*=UTF-8''error.png`)
    expect(imageResponse.headers.get('X-Content-Type-Options')).toBe('nosniff')
    expect((await imageResponse.arrayBuffer()).byteLength).toBe(70)

    const pdfResponse = await request(`/attachments/${pdf.id}`, { cookie })
    expect(pdfResponse.headers.get('Content-Type')).toBe('application/octet-stream')
    expect(pdfResponse.headers.get('Content-Disposition')).toMatch(/^attachment; filename="order-1234.pdf"/)
    expect(new TextDecoder().decode(await pdfResponse.arrayBuffer())).toMatch(/^%PDF-1\.4/)

    const stranger = await workspace()
    const strangerCookie = await login(stranger.users.agent.email)
    expect((await request(`/attachments/${pdf.id}`, { cookie: strangerCookie })).status).toBe(404)
    expect((await request(`/attachments/${pdf.id}`)).status).toBe(302)
  })
  it("a scanner's mail of 30 pages arrives with all 30 attachments, each downloadable through its link in the thread", async () => {
    const ws = await workspace()
    const to = `support.${ws.tag}@example.test`
    const state = await deliver(
      scannerMail({ from: 'Scanner <scanner@office.example>', to, messageId: `scan.${ws.tag}@office.example`, pages: 30 }),
      'scanner@office.example',
      to,
    )
    expect(state.rejected).toBeUndefined()
    const stored = await storedByExternalId(`scan.${ws.tag}@office.example`)
    const cookie = await login(ws.users.agent.email)
    const page = await (await request(`/inbox/${ws.inboxId}/open/c/${stored.conversationId}`, { cookie })).text()
    const links = [...new Set([...page.matchAll(/href="(\/attachments\/[^"]+)"/g)].map((match) => match[1]!))]
    expect(links).toHaveLength(30)
    const pages = new Set<string>()
    for (const link of links) {
      const response = await request(link, { cookie })
      expect(response.status).toBe(200)
      const body = new TextDecoder('latin1').decode(await response.arrayBuffer())
      const number = Number(/\/Number (\d+)/.exec(body)?.[1])
      expect(body).toBe(scannedPage(number))
      pages.add(String(number))
    }
    expect(pages.size).toBe(30)
  })
})

describe('email in the thread', () => {
  it('marks a bounce and an out-of-office on their message and on the conversation row', async () => {
    const ws = await workspace()
    const to = `support.${ws.tag}@example.test`
    await deliver(buildMail({ from: 'per.hansen@example.no', to, subject: 'Invoice', messageId: `inv.${ws.tag}@example.no` }), 'per.hansen@example.no', to)
    const first = await storedByExternalId(`inv.${ws.tag}@example.no`)
    await deliver(
      fixture('outOfOffice', { TO: to, SUBJECT: 'Re: Invoice', ID: ws.tag, IN_REPLY_TO: `<inv.${ws.tag}@example.no>` }),
      'per.hansen@example.no',
      to,
    )
    await deliver(buildMail({ from: 'lost@gone.example', to, subject: 'Quote', messageId: `q.${ws.tag}@gone.example` }), 'lost@gone.example', to)
    await deliver(
      fixture('gmailDsn', {
        TO: to,
        ID: ws.tag,
        BOUNCED: 'lost@gone.example',
        ORIGINAL_ID: `o.${ws.tag}@x.example`,
        ORIGINAL_IN_REPLY_TO: `q.${ws.tag}@gone.example`,
      }),
      'mailer-daemon@googlemail.com',
      to,
    )
    const bounce = await storedByExternalId(`6745a3b7.${ws.tag}.GMRIR@mx.google.com`)
    const cookie = await login(ws.users.agent.email)

    const thread = await (await request(`/inbox/${ws.inboxId}/open/c/${first.conversationId}`, { cookie })).text()
    const messagesHtml = thread.slice(thread.indexOf(`id="msg-${first.id}"`))
    expect(messagesHtml.match(/data-automated="[a-z_]+"/g)).toEqual(['data-automated="auto_reply"'])
    expect(messagesHtml).toContain('>Auto-reply</span>')
    const list = await (await request(`/inbox/${ws.inboxId}/open`, { cookie })).text()
    const rowOf = (conversationId: string) => {
      const start = list.indexOf(`id="conv-row-${conversationId}"`)
      return list.slice(start, list.indexOf('id="conv-row-', start + 10) > 0 ? list.indexOf('id="conv-row-', start + 10) : undefined)
    }
    expect(rowOf(first.conversationId)).toContain('data-automated="auto_reply"')
    expect(bounce.conversationId).not.toBe(first.conversationId)
    expect(rowOf(bounce.conversationId)).toContain('data-automated="bounce"')
    expect(rowOf(bounce.conversationId)).toContain('>Bounce</span>')
  })

  it('shows HTML in a sandboxed frame with cid images resolved, the attachments, the original, and remote images only on request', async () => {
    const ws = await workspace()
    const to = `support.${ws.tag}@example.test`
    await deliver(fixture('outlookReply', { TO: to, REFERENCES: '<none@x>', IN_REPLY_TO: '<none@x>' }), 'kari.holm@fjordtech.no', to)
    await deliver(fixture('htmlInlineImage', { TO: to, ID: ws.tag }), 'ingrid@dahl-design.example', to)
    const withImage = await storedByExternalId(`CAHx9=screenshot-${ws.tag}@mail.gmail.com`)
    const [image] = await db().select().from(attachments).where(eq(attachments.messageId, withImage.id))
    const cookie = await login(ws.users.agent.email)

    const page = await (await request(`/inbox/${ws.inboxId}/open/c/${withImage.conversationId}`, { cookie })).text()
    expect(page).toContain('<iframe class="message-frame" title="Email content" sandbox="allow-same-origin allow-popups allow-popups-to-escape-sandbox"')
    expect(page).not.toMatch(/sandbox="[^"]*allow-scripts/)
    expect(page).toContain(`&lt;img src=&quot;/attachments/${image!.id}&quot; alt=&quot;error.png&quot;&gt;`)
    expect(page).toContain('order-1234.pdf')
    expect(page).toContain(`/conversations/${withImage.conversationId}/messages/${withImage.id}/raw`)
    expect(page).not.toContain('alert(')

    const outlook = await storedByExternalId('AM6PR05MB58291E4C1B2D6A0F8B1C0D2AB3E12@AM6PR05MB5829.eurprd05.prod.outlook.com')
    const outlookPage = await (await request(`/inbox/${ws.inboxId}/open/c/${outlook.conversationId}`, { cookie })).text()
    expect(outlookPage).toContain('Show remote images')
    expect(outlookPage).toContain(' data-remote-src=&quot;https://tracker.example.net')
    expect(outlookPage).not.toContain(' src=&quot;https://tracker.example.net')
    // Outlook's reply header and the message below it fold away.
    expect(outlookPage).toContain('&lt;details class=&quot;quoted&quot;&gt;')
    const shown = await request(`/conversations/${outlook.conversationId}/messages/${outlook.id}/body?remoteImages=show`, {
      cookie,
      hx: `msg-html-${outlook.id}`,
    })
    const fragment = await shown.text()
    expect(fragment).toContain(' src=&quot;https://tracker.example.net/open.gif?u=1&quot;')
    expect(fragment).not.toContain('Show remote images')
  })

  it('ingests a 20 MB message without crashing, attachment in R2', async () => {
    const ws = await workspace()
    const to = `support.${ws.tag}@example.test`
    const payloadBytes = 15 * 1024 * 1024
    const chunk = btoa(String.fromCharCode(...new Uint8Array(57).map((_, index) => index)))
    const base64Lines = Array.from({ length: Math.ceil((payloadBytes * 4) / 3 / chunk.length) }, () => chunk).join('\r\n')
    const raw = [
      'From: Big Sender <big@example.com>',
      `To: ${to}`,
      'Subject: Large scan',
      `Message-ID: <big.${ws.tag}@example.com>`,
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="b"',
      '',
      '--b',
      'Content-Type: text/plain; charset=utf-8',
      '',
      'The scan is attached.',
      '--b',
      'Content-Type: application/octet-stream; name="scan.bin"',
      'Content-Disposition: attachment; filename="scan.bin"',
      'Content-Transfer-Encoding: base64',
      '',
      base64Lines,
      '--b--',
    ].join('\r\n')
    expect(raw.length).toBeGreaterThan(20_000_000)
    const startedMs = Date.now()
    const state = await deliver(raw, 'big@example.com', to)
    const elapsedMs = Date.now() - startedMs
    expect(state.rejected).toBeUndefined()
    const stored = await storedByExternalId(`big.${ws.tag}@example.com`)
    expect(stored.text).toBe('The scan is attached.')
    const [attachment] = await db().select().from(attachments).where(eq(attachments.messageId, stored.id))
    expect(attachment?.sizeBytes).toBeGreaterThan(15_000_000)
    expect((await env.ATTACHMENTS.head(attachment!.r2Key))?.size).toBe(attachment?.sizeBytes)
    const [conversation] = await db().select().from(conversations).where(eq(conversations.id, stored.conversationId))
    expect(conversation?.subject).toBe('Large scan')
    console.log(`20 MB message ingested in ${elapsedMs} ms`)
  }, 60_000)
})
