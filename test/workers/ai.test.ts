import { createExecutionContext, env, waitOnExecutionContext } from 'cloudflare:test'
import { eq } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { app } from '../../src/app'
import { messages, snippets } from '../../src/db/schema'
import { ingestInbound } from '../../src/channels/pipeline'
import { appendMessage } from '../../src/services/messages'
import { AiProviderError, providerFor } from '../../src/services/ai/provider'
import { workersAiProvider, type AiBinding } from '../../src/services/ai/workers-ai'
import { loadAiThread } from '../../src/services/ai/thread'
import { recordingNotifier } from '../shared/workspace'
import { db, form, login, origin, request, workspace } from './helpers'

/** A support thread as it would arrive: the customer's question, an agent's answer, a note, a hidden message, the follow-up. */
async function seededConversation() {
  const ws = await workspace()
  const deps = { db: db(), notifier: recordingNotifier().notifier, blobs: env.ATTACHMENTS }
  const first = await ingestInbound(deps, ws.channels.forms, {
    externalId: `form-${ws.tag}`,
    from: { externalId: `chen-${ws.tag}`, name: 'Chen Wei', email: `chen.${ws.tag}@harbourlogistics.sg` },
    text: 'Hi,\n\nWe would like 40 units of the Beam 400 headlamp for our warehouse staff. Is there a volume discount?\n\nBest regards,\nChen',
    thread: { key: `bulk-${ws.tag}` },
  })
  const conversationId = first.conversationId
  const base = { accountId: ws.accountId, conversationId, channelId: ws.channels.forms.id }
  await appendMessage(db(), {
    ...base,
    direction: 'out',
    kind: 'message',
    authorUserId: ws.users.agent.id,
    authorName: 'Kim',
    text: 'Hi Chen, for 40 units we can offer 15% off. The quote Q-7781 is valid for 30 days.',
    createdAt: Date.now(),
  })
  await appendMessage(db(), {
    ...base,
    direction: 'out',
    kind: 'comment',
    authorUserId: ws.users.agent.id,
    authorName: 'Kim',
    text: 'Warehouse has 52 Beam 400 in stock in Oslo.',
    createdAt: Date.now(),
  })
  const hidden = await appendMessage(db(), {
    ...base,
    direction: 'in',
    kind: 'message',
    text: 'Our card number is 4111 1111 1111 1111.',
    createdAt: Date.now(),
  })
  await db().update(messages).set({ hiddenAt: Date.now(), hiddenBy: ws.users.agent.id }).where(eq(messages.id, hidden!.id))
  await appendMessage(db(), { ...base, direction: 'in', kind: 'message', text: 'Great, please go ahead. Can you deliver by the 15th?', createdAt: Date.now() })
  return { ws, conversationId, cookie: await login(ws.users.agent.email) }
}

/** The app with a stand-in `AI` binding (Workers AI cannot run offline), as the worker would run it. */
async function withAi(binding: AiBinding, path: string, init: RequestInit & { cookie: string }) {
  const headers = new Headers(init.headers)
  headers.set('Cookie', init.cookie)
  headers.set('HX-Request', 'true')
  if (init.method === 'POST') headers.set('Origin', origin)
  const ctx = createExecutionContext()
  const response = await app.fetch(new Request(`${origin}${path}`, { ...init, headers }), { ...env, AI: binding }, ctx)
  await waitOnExecutionContext(ctx)
  return response
}

describe('Summarize conversation', () => {
  it('the AI card offers it, and the offline summary is labelled and keeps the key sentences, never hidden text', async () => {
    const { conversationId, cookie, ws } = await seededConversation()
    const thread = await request(`/inbox/${ws.inboxId}/open/c/${conversationId}`, { cookie, hx: 'thread' })
    expect(await thread.text()).toContain(`hx-get="/conversations/${conversationId}/cards/ai"`)
    const card = await (await request(`/conversations/${conversationId}/cards/ai`, { cookie, hx: 'card-ai' })).text()
    expect(card).toContain('Summarize conversation')
    expect(card).toContain(`hx-post="/conversations/${conversationId}/ai/summary"`)
    expect(card).toContain('Offline helpers (no AI model)')

    const response = await request(`/conversations/${conversationId}/ai/summary`, { method: 'POST', cookie, hx: `ai-summary-${conversationId}` })
    expect(response.status).toBe(200)
    const html = await response.text()
    expect(html).toContain('Offline summary (extractive, no AI model)')
    expect(html).toContain(`Chen Wei &lt;chen.${ws.tag}@harbourlogistics.sg&gt; · Forms · Open · 3 messages, 1 internal note`)
    expect(html).toContain('Customer: We would like 40 units of the Beam 400 headlamp for our warehouse staff. Is there a volume discount?')
    expect(html).toContain('Agent Kim: For 40 units we can offer 15% off.')
    expect(html).toContain('Agent Kim (internal note): Warehouse has 52 Beam 400 in stock in Oslo.')
    expect(html).toContain('Customer: Can you deliver by the 15th?')
    expect(html).not.toContain('4111')
    expect(html).not.toContain('Best regards')
  })

  it('answers 404 for another workspace’s conversation and 422 when there is nothing to summarise', async () => {
    const { conversationId } = await seededConversation()
    const stranger = await workspace()
    const cookie = await login(stranger.users.agent.email)
    expect((await request(`/conversations/${conversationId}/ai/summary`, { method: 'POST', cookie, hx: 'x' })).status).toBe(404)
    const empty = await ingestInbound({ db: db(), notifier: recordingNotifier().notifier, blobs: env.ATTACHMENTS }, stranger.channels.forms, {
      externalId: `e-${stranger.tag}`,
      from: { externalId: `x-${stranger.tag}` },
      text: 'Hidden soon',
      thread: { key: `e-${stranger.tag}` },
    })
    await db().update(messages).set({ hiddenAt: Date.now() }).where(eq(messages.conversationId, empty.conversationId))
    const nothing = await request(`/conversations/${empty.conversationId}/ai/summary`, { method: 'POST', cookie, hx: 'x' })
    expect(nothing.status).toBe(422)
    expect(await nothing.text()).toContain('no messages to summarise')
  })
})

describe('Write for me', () => {
  it('shows a prompt box and the snippets, and answers with a preview, a picker item to insert and Generate again', async () => {
    const { ws, conversationId, cookie } = await seededConversation()
    await db()
      .insert(snippets)
      .values({
        id: `s${ws.tag}`,
        accountId: ws.accountId,
        name: 'Delivery times',
        shortcut: 'delivery',
        body: '<p>Hi {{contact.firstname}}, deliveries leave Oslo every weekday.</p><script>alert(1)</script>',
        createdAt: Date.now(),
        updatedAt: Date.now(),
      })
    const panel = await (await request(`/conversations/${conversationId}/ai/write`, { cookie, hx: 'x' })).text()
    expect(panel).toContain('name="prompt"')
    expect(panel).toContain(`<option value="s${ws.tag}">Delivery times (#delivery)</option>`)

    const response = await request(`/conversations/${conversationId}/ai/write`, {
      method: 'POST',
      cookie,
      hx: 'x',
      body: form({ prompt: 'confirm we can deliver by the 15th, thank them for the order', snippetId: `s${ws.tag}` }),
    })
    expect(response.status).toBe(200)
    const html = await response.text()
    expect(html).toContain('Offline draft (assembled from your prompt, no AI model)')
    expect(html).toMatch(/<button type="button" class="picker-item" data-insert-html="[^"]*&lt;p&gt;Hi Chen,&lt;\/p&gt;/)
    const insert = /data-insert-html="([^"]*)"/
      .exec(html)![1]!
      .replaceAll('&lt;', '<')
      .replaceAll('&gt;', '>')
      .replaceAll('&quot;', '"')
      .replaceAll('&amp;', '&')
    expect(insert).toContain('You asked: “Can you deliver by the 15th?”')
    expect(insert).toContain('I can confirm that we can deliver by the 15th. Thank you for the order.')
    expect(insert).toContain('<p>Hi Chen, deliveries leave Oslo every weekday.</p>')
    expect(insert).not.toContain('script')
    expect(insert).toMatch(/<p>Best regards,<br>Kim<\/p>$/)
    expect(html).toContain('Generate again')
    expect(html).toContain('hx-vals="{&quot;variant&quot;:1}"')

    const again = await (
      await request(`/conversations/${conversationId}/ai/write`, { method: 'POST', cookie, hx: 'x', body: form({ prompt: 'say yes', variant: '1' }) })
    ).text()
    expect(again).toContain('Hello Chen,')
    expect(again).toContain('hx-vals="{&quot;variant&quot;:2}"')
  })

  it('refuses an empty or too long prompt and a snippet of another workspace with 422', async () => {
    const { conversationId, cookie } = await seededConversation()
    const other = await workspace()
    await db()
      .insert(snippets)
      .values({
        id: `o${other.tag}`,
        accountId: other.accountId,
        name: 'Secret',
        shortcut: 'secret',
        body: '<p>Other team</p>',
        createdAt: Date.now(),
        updatedAt: Date.now(),
      })
    for (const [values, message] of [
      [{ prompt: '   ' }, 'Describe what the reply should say.'],
      [{ prompt: 'x'.repeat(1001) }, 'Keep the prompt under 1000 characters.'],
      [{ prompt: 'say yes', snippetId: `o${other.tag}` }, 'That snippet does not exist any more.'],
    ] as const) {
      const response = await request(`/conversations/${conversationId}/ai/write`, { method: 'POST', cookie, hx: 'x', body: form(values) })
      expect(response.status).toBe(422)
      expect(await response.text()).toContain(message)
    }
  })
})

describe('the Workers AI provider', () => {
  it('is chosen when the AI binding exists, sends the thread as chat messages and shows the model’s answer, escaped', async () => {
    const { conversationId, cookie } = await seededConversation()
    const calls: { model: string; input: Parameters<AiBinding['run']>[1] }[] = []
    const standIn: AiBinding = {
      async run(model, input) {
        calls.push({ model, input })
        return {
          response:
            '- Customer: wants 40 Beam 400 headlamps <script>alert(1)</script>\n- Agent Kim: offered 15% off (quote Q-7781)\nOpen question: delivery by the 15th',
        }
      },
    }
    expect(providerFor({ AI: standIn as unknown as Ai }).kind).toBe('model')
    expect(providerFor({}).kind).toBe('offline')
    const response = await withAi(standIn, `/conversations/${conversationId}/ai/summary`, { method: 'POST', cookie })
    expect(response.status).toBe(200)
    const html = await response.text()
    expect(html).toContain('Workers AI (@cf/meta/llama-3.1-8b-instruct)')
    expect(html).toContain('<li>Customer: wants 40 Beam 400 headlamps &lt;script&gt;alert(1)&lt;/script&gt;</li>')
    expect(html).toContain('<li>Open question: delivery by the 15th</li>')
    expect(calls).toHaveLength(1)
    expect(calls[0]!.model).toBe('@cf/meta/llama-3.1-8b-instruct')
    const [system, user] = calls[0]!.input.messages
    expect(system!.role).toBe('system')
    expect(user!.role).toBe('user')
    expect(user!.content).toContain('Customer: Hi, We would like 40 units')
    expect(user!.content).toContain('Agent Kim (internal note): Warehouse has 52 Beam 400')
    expect(user!.content).not.toContain('4111')

    const draft = await withAi(
      { run: async () => ({ response: 'Hi Chen,\n\nYes, we can deliver by the 15th.<img src=x onerror=alert(1)>\n\nBest,\nKim' }) },
      `/conversations/${conversationId}/ai/write`,
      { method: 'POST', cookie, body: form({ prompt: 'say yes' }) },
    )
    const draftHtml = await draft.text()
    expect(draft.status).toBe(200)
    expect(draftHtml).toContain('class="picker-item"')
    expect(draftHtml).toContain('Yes, we can deliver by the 15th.&lt;img src=x onerror=alert(1)&gt;')
    expect(draftHtml).not.toContain('<img')
  })

  it('shows a clear message (502) when the provider fails, answers nothing, or times out', async () => {
    const { ws, conversationId, cookie } = await seededConversation()
    const failing: AiBinding = {
      async run() {
        throw new Error('3036: Account limited: you have used up your daily free allocation of 10,000 neurons')
      },
    }
    const response = await withAi(failing, `/conversations/${conversationId}/ai/summary`, { method: 'POST', cookie })
    expect(response.status).toBe(502)
    const html = await response.text()
    expect(html).toContain('The AI provider failed: 3036: Account limited: you have used up your daily free allocation of 10,000 neurons')
    expect(html).toContain('role="alert"')
    const write = await withAi(failing, `/conversations/${conversationId}/ai/write`, { method: 'POST', cookie, body: form({ prompt: 'say yes' }) })
    expect(write.status).toBe(502)
    expect(await write.text()).toContain('The AI provider failed:')

    const thread = (await loadAiThread(db(), ws.accountId, conversationId))!
    const empty = workersAiProvider({ run: async () => ({ response: '  ' }) }, { model: 'm' })
    await expect(empty.summarize({ thread })).rejects.toThrow('The AI provider failed: it returned no text.')
    const odd = workersAiProvider({ run: async () => 'not an object' }, { model: 'm' })
    await expect(odd.summarize({ thread })).rejects.toThrow(AiProviderError)
    const slow = workersAiProvider({ run: () => new Promise(() => {}) }, { model: 'm', timeoutMs: 1000 })
    await expect(slow.draft({ thread, prompt: 'say yes', agent: { name: 'Kim' } })).rejects.toThrow('The AI provider failed: no answer within 1 seconds.')
  })
})
