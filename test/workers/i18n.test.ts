import { SELF } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { and, eq } from 'drizzle-orm'
import { channels, messages, users } from '../../src/db/schema'
import { t, withLocale } from '../../src/i18n'
import { db, form, hmacHex, login, openSocket, origin, request, workspace } from './helpers'

type Workspace = Awaited<ReturnType<typeof workspace>>

async function messengerWebhook(ws: Workspace, senderId: string, mid: string, text: string) {
  const body = JSON.stringify({
    object: 'page',
    entry: [{ messaging: [{ sender: { id: senderId }, recipient: { id: `page-${ws.tag}` }, timestamp: Date.now(), message: { mid, text } }] }],
  })
  const response = await request(`/channels/${ws.channels.messenger.id}/inbound`, {
    method: 'POST',
    body,
    headers: { 'Content-Type': 'application/json', 'X-Hub-Signature-256': `sha256=${await hmacHex(`secret-${ws.tag}`, body)}` },
  })
  const { results } = (await response.json()) as { results: { conversationId: string }[] }
  return results[0]!.conversationId
}

async function chooseLanguage(cookie: string, locale: string) {
  return request('/me/locale', { method: 'POST', cookie, body: form({ locale }) })
}

describe('UI language', () => {
  it('saves the language from the profile and shows the pages in it', async () => {
    const ws = await workspace()
    const cookie = await login(ws.users.agent.email)
    const profile = await (await request('/me', { cookie })).text()
    expect(profile).toContain('<html lang="en">')
    expect(profile).toContain('action="/me/locale"')
    expect(profile).toContain('Norsk (bokmål)')

    const saved = await chooseLanguage(cookie, 'nb')
    expect(saved.status).toBe(303)
    expect(saved.headers.get('Location')).toBe('/me')
    const [row] = await db().select().from(users).where(eq(users.id, ws.users.agent.id))
    expect(row!.locale).toBe('nb')

    const after = await (await request('/me', { cookie })).text()
    expect(after).toContain('<html lang="nb">')
    expect(after).toContain('Tidssone og arbeidstid')
    expect(after).toMatch(/<option value="nb" selected="" lang="nb">/)

    // An English browser does not override the profile's choice.
    const inbox = await (await request(`/inbox/${ws.inboxId}/open`, { cookie, headers: { 'Accept-Language': 'en-GB,en;q=0.9' } })).text()
    for (const text of ['Alle åpne', 'Ikke tildelt', 'Tildelt meg', 'Logg ut', 'Profil', 'Ingen samtaler her.', 'Søk']) expect(inbox).toContain(text)
    expect(inbox).not.toContain('Log out')
    expect(inbox).not.toContain('Assigned to me')
  })

  it('refuses a language that does not ship, with the reason in the form', async () => {
    const ws = await workspace()
    const cookie = await login(ws.users.agent.email)
    for (const bad of ['de', '', 'nb-NO', '<script>alert(1)</script>']) {
      const response = await chooseLanguage(cookie, bad)
      expect(response.status).toBe(422)
      const html = await response.text()
      expect(html).toContain('Choose one of the languages in the list.')
      expect(html).not.toContain('<script>alert(1)')
    }
    const [row] = await db().select().from(users).where(eq(users.id, ws.users.agent.id))
    expect(row!.locale).toBe('en')
    // Without a session the choice is not saved anywhere.
    expect((await request('/me/locale', { method: 'POST', body: form({ locale: 'nb' }) })).status).toBe(401)
  })

  it('leaves an English user in English', async () => {
    const ws = await workspace()
    const nb = await login(ws.users.admin.email)
    await chooseLanguage(nb, 'nb')
    const cookie = await login(ws.users.agent.email)
    const inbox = await (await request(`/inbox/${ws.inboxId}/open`, { cookie })).text()
    expect(inbox).toContain('<html lang="en">')
    for (const text of ['All open', 'Unassigned', 'Assigned to me', 'Log out', 'Profile', 'No conversations here.']) expect(inbox).toContain(text)
    expect(inbox).not.toContain('Logg ut')
  })

  it('shows the login page in the browser’s language before anyone signs in', async () => {
    const nbResponse = await request('/login', { headers: { 'Accept-Language': 'nb-NO,nb;q=0.9,en;q=0.5' } })
    expect(nbResponse.headers.get('Vary')).toContain('Accept-Language')
    const norwegian = await nbResponse.text()
    expect(norwegian).toContain('<html lang="nb">')
    expect(norwegian).toContain('Logg inn')
    expect(norwegian).toContain('Passord')
    const english = await (await request('/login', { headers: { 'Accept-Language': 'fr-FR,en;q=0.5' } })).text()
    expect(english).toContain('<html lang="en">')
    expect(english).toContain('Log in')
    const wrong = await request('/login', {
      method: 'POST',
      headers: { 'Accept-Language': 'nb' },
      body: form({ email: 'nobody@example.test', password: 'nope' }),
    })
    expect(wrong.status).toBe(401)
    expect(await wrong.text()).toContain('Feil e-postadresse eller passord.')
  })

  it('falls back to English, then to the key, for a text the catalog lacks', () => {
    expect(withLocale('nb', () => t('inbox.list.empty'))).toBe('Ingen samtaler her.')
    expect(withLocale('nb', () => t('views.no-such-view'))).toBe('views.no-such-view')
    expect(withLocale('nb', () => t('time.minutes', { n: 5 }))).toBe('5 min')
  })

  it('pushes live list rows and thread messages to a Norwegian agent in Norwegian', async () => {
    const ws = await workspace()
    const norwegian = await login(ws.users.agent.email)
    await chooseLanguage(norwegian, 'nb')
    const english = await login(ws.users.admin.email)
    const nbList = await openSocket(`/inboxes/${ws.inboxId}/live?view=open`, norwegian)
    const enList = await openSocket(`/inboxes/${ws.inboxId}/live?view=open`, english)
    const id = await messengerWebhook(ws, 'psid-nb', 'nb1', 'Hei der')
    const nbFrame = await nbList.next((data) => data.includes(`conv-row-${id}`) && data.includes('afterbegin'))
    expect(nbFrame).toContain('Ikke tildelt')
    expect(nbFrame).toContain('Velg samtalen med')
    expect(nbFrame).not.toContain('Unassigned')
    const enFrame = await enList.next((data) => data.includes(`conv-row-${id}`) && data.includes('afterbegin'))
    expect(enFrame).toContain('Unassigned')
    expect(enFrame).not.toContain('Ikke tildelt')
    nbList.socket.close(1000)
    enList.socket.close(1000)

    // On the thread: the other agent's comment arrives labelled in each reader's language.
    const nbThread = await openSocket(`/conversations/${id}/live?after=1`, norwegian)
    const enThread = await openSocket(`/conversations/${id}/live?after=1`, english)
    expect(await nbThread.next((data) => data.includes('Ser også på: Alex'))).toContain('id="thread-viewers"')
    await request(`/conversations/${id}/messages`, { method: 'POST', cookie: english, body: form({ kind: 'comment', text: 'Jeg tar den' }) })
    expect(await nbThread.next((data) => data.includes('Jeg tar den'))).toContain('Intern kommentar')
    expect(await enThread.next((data) => data.includes('Jeg tar den'))).toContain('Internal comment')
    nbThread.socket.close(1000)
    enThread.socket.close(1000)
  })

  it('shows history lines, times and errors in the reader’s language', async () => {
    const ws = await workspace()
    const id = await messengerWebhook(ws, 'psid-hist', 'h1', 'Hei')
    const english = await login(ws.users.admin.email)
    const norwegian = await login(ws.users.agent.email)
    await chooseLanguage(norwegian, 'nb')
    const assigned = await request(`/conversations/${id}/assign`, {
      method: 'POST',
      cookie: english,
      hx: 'thread',
      body: form({ assigneeId: ws.users.agent.id, view: 'open' }),
    })
    expect(await assigned.text()).toContain('Alex assigned this to Kim')
    const thread = await (await request(`/inbox/${ws.inboxId}/open/c/${id}`, { cookie: norwegian })).text()
    expect(thread).toContain('Alex tildelte denne til Kim')
    expect(thread).not.toContain('assigned this to')
    // Full timestamps use Norwegian month names and order ("26. nov. 2026, 06:10").
    expect(thread).toMatch(/<time datetime="[^"]+">\d{1,2}\. [a-zæøå]+\.? \d{4}, \d{2}:\d{2}<\/time>/)
    const englishThread = await (await request(`/inbox/${ws.inboxId}/open/c/${id}`, { cookie: english })).text()
    expect(englishThread).toContain('Alex assigned this to Kim')
    expect(englishThread).toMatch(/<time datetime="[^"]+">\d{1,2} [A-Z][a-z]{2} \d{4}, \d{2}:\d{2}<\/time>/)
    // A filter the list cannot read is explained in Norwegian.
    const bad = await (await request(`/inbox/${ws.inboxId}/open?from=yesterday`, { cookie: norwegian, hx: 'list' })).text()
    expect(bad).toContain('from: Datoer skrives som 2026-11-26.')
    // A service's refusal too.
    const view = await request(`/inbox/${ws.inboxId}/views?status=open`, {
      method: 'POST',
      cookie: norwegian,
      hx: 'views',
      body: form({ baseView: 'open', viewName: '  ' }),
    })
    expect(await view.text()).toContain('Gi visningen et navn.')
  })

  it('gives the visitor widget its texts in the channel’s language, or the visitor’s', async () => {
    const ws = await workspace()
    const site = 'https://shop.example'
    const setLanguage = (language?: string) =>
      db()
        .update(channels)
        .set({ settings: { allowedOrigins: [site], greeting: 'Hei!', ...(language ? { language } : {}) } })
        .where(eq(channels.id, ws.channels.chat.id))
    const session = async (acceptLanguage: string) => {
      const response = await SELF.fetch(`${origin}/widget/${ws.channels.chat.id}/session`, {
        method: 'POST',
        headers: { Origin: site, 'Content-Type': 'application/json', 'Accept-Language': acceptLanguage },
        body: '{}',
      })
      expect(response.status).toBe(200)
      return (await response.json()) as { locale: string; strings: Record<string, string> }
    }
    await setLanguage()
    const norwegianBrowser = await session('nb-NO,nb;q=0.9')
    expect(norwegianBrowser.locale).toBe('nb')
    expect(norwegianBrowser.strings.send).toBe('Send')
    expect(norwegianBrowser.strings.title).toBe('Chat med oss')
    expect(norwegianBrowser.strings.typing).toBe('{name} skriver …')
    const englishBrowser = await session('en-US')
    expect(englishBrowser.locale).toBe('en')
    expect(englishBrowser.strings.title).toBe('Chat with us')
    // The channel's setting wins over the browser.
    await setLanguage('nb')
    expect((await session('en-US')).strings.start).toBe('Start chatten')
    // A stored value the schema no longer knows falls back to the browser, never a 500.
    await setLanguage('xx')
    expect((await session('en-US')).locale).toBe('en')
  })

  it('tells a Norwegian visitor over the socket in Norwegian, while agents keep their own language', async () => {
    const ws = await workspace()
    const site = 'https://shop.example'
    await db()
      .update(channels)
      .set({ settings: { allowedOrigins: [site], greeting: 'Hei!' } })
      .where(eq(channels.id, ws.channels.chat.id))
    const headers = { Origin: site, 'Accept-Language': 'nb-NO' }
    const visit = (await (
      await SELF.fetch(`${origin}/widget/${ws.channels.chat.id}/session`, {
        method: 'POST',
        headers: { ...headers, 'Content-Type': 'application/json' },
        body: '{}',
      })
    ).json()) as {
      token: string
      conversationId: string
    }
    const response = await SELF.fetch(`${origin}/widget/${ws.channels.chat.id}/ws?token=${encodeURIComponent(visit.token)}&after=0`, {
      headers: { ...headers, Upgrade: 'websocket' },
    })
    const socket = response.webSocket!
    socket.accept()
    const frames: Record<string, unknown>[] = []
    socket.addEventListener('message', (event) => frames.push(JSON.parse(event.data as string) as Record<string, unknown>))
    const next = async (test: (frame: Record<string, unknown>) => boolean) => {
      for (let waited = 0; waited < 5000; waited += 50) {
        const found = frames.find(test)
        if (found) return found
        await new Promise((resolve) => setTimeout(resolve, 50))
      }
      throw new Error(`no matching frame; got ${JSON.stringify(frames)}`)
    }
    socket.send(JSON.stringify({ type: 'message', clientId: 'n1', text: 'Sender dere til Island?' }))
    await next((frame) => frame.type === 'ack')
    const cookie = await login(ws.users.agent.email)
    const [stored] = await db()
      .select()
      .from(messages)
      .where(and(eq(messages.conversationId, visit.conversationId), eq(messages.seq, 1)))
    await request(`/conversations/${visit.conversationId}/messages/${stored!.id}/hide`, { method: 'POST', cookie, hx: 'x' })
    expect(await next((frame) => frame.type === 'replaced')).toMatchObject({ message: { seq: 1, text: 'Denne meldingen er fjernet.' } })
    socket.close(1000)
  })
})
