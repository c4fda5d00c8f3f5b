import { env } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { and, eq } from 'drizzle-orm'
import { messages } from '../../src/db/schema'
import { channelContextOf } from '../../src/channels/context'
import { ingestInbound } from '../../src/channels/pipeline'
import { durableObjectNotifier } from '../../src/rooms/notifier'
import { getChannelById } from '../../src/services/inboxes'
import { appendMessage } from '../../src/services/messages'
import { deliver } from '../../src/services/outbound'
import { locales, withLocale } from '../../src/i18n'
import { messageMismatches, words } from '../../src/channels/texts'
import { formToSettings, schemaFields } from '../../templates/schema-form'
import { db, origin, request, workspace } from '../workers/helpers'
import { registeredPlugins } from '../shared/plugin-fixtures'

/**
 * The shared plugin contract: every registered channel plugin passes it (`npm test`), or one
 * (`npm run test:plugin -- <id>`, which sets TEST_PLUGIN). What a plugin brings for it lives in
 * plugins/<id>/test/contract.ts; see plugins/README.md, "Test it".
 */
const only = env.TEST_PLUGIN || undefined
const plugins = registeredPlugins().filter(({ plugin }) => !only || plugin.id === only)

if (only && plugins.length === 0) {
  it(`plugin "${only}" is registered in src/channels/registry.ts`, () => {
    expect.fail(`No registered plugin has the id "${only}".`)
  })
}

describe('the check of a plugin’s own sentences', () => {
  const english = { name: 'SMS', messages: { 'sms.too_long': 'An SMS carries at most {max} characters.', 'sms.no_number': 'No number.' } }

  it('accepts the same keys and placeholders in every language', () => {
    const nb = { name: 'SMS', messages: { 'sms.too_long': 'En SMS har plass til {max} tegn.', 'sms.no_number': 'Ikke noe nummer.' } }
    expect(messageMismatches({ en: english, nb })).toEqual([])
    expect(messageMismatches({ en: { name: 'Web' }, nb: { name: 'Nett' } })).toEqual([])
  })

  it('fails a plugin whose Norwegian sentences miss a key, add one, or drop a placeholder', () => {
    expect(messageMismatches({ en: english, nb: { name: 'SMS', messages: { 'sms.too_long': 'En SMS har plass til {max} tegn.' } } })).toEqual([
      'texts.nb.messages lacks "sms.no_number"',
    ])
    expect(messageMismatches({ en: english, nb: { name: 'SMS' } })).toHaveLength(2)
    const dropped = { 'sms.too_long': 'En SMS er for lang.', 'sms.no_number': 'Ikke noe nummer.', 'sms.extra': 'Ekstra.' }
    expect(messageMismatches({ en: english, nb: { name: 'SMS', messages: dropped } })).toEqual([
      'texts.nb.messages["sms.too_long"] has {} where English has {max}',
      'texts.nb.messages has "sms.extra", which English lacks',
    ])
  })
})

describe('a plugin’s own sentences through words(texts)', () => {
  const texts = {
    en: { name: 'SMS', messages: { 'send.refused': 'The provider refused the message ({detail}).', 'only.english': 'Only {what}.' } },
    nb: { name: 'SMS', messages: { 'send.refused': 'Leverandøren avviste meldingen ({detail}).' } },
  }
  const say = words(texts)

  it('speaks the current language, with English where a language lacks the sentence', () => {
    expect(withLocale('nb', () => say('send.refused', { detail: '21610: Unsubscribed' }))).toBe('Leverandøren avviste meldingen (21610: Unsubscribed).')
    expect(withLocale('en', () => say('send.refused', { detail: '21610: Unsubscribed' }))).toBe('The provider refused the message (21610: Unsubscribed).')
    expect(withLocale('nb', () => say('only.english', { what: 'this' }))).toBe('Only this.')
  })

  it('inserts values as plain text, once, and leaves a placeholder it was not given', () => {
    expect(say('send.refused', { detail: '<b>{detail}</b>' })).toBe('The provider refused the message (<b>{detail}</b>).')
    expect(say('send.refused')).toBe('The provider refused the message ({detail}).')
  })
})

type Workspace = Awaited<ReturnType<typeof workspace>>
const storedIn = async (channelId: string) => db().select().from(messages).where(eq(messages.channelId, channelId))

for (const { plugin, contract } of plugins) {
  describe(`channel plugin "${plugin.id}"`, () => {
    it('has contract fixtures in plugins/<id>/test/contract.ts', () => {
      expect(contract, `plugins/${plugin.id}/test/contract.ts must export "contract"`).toBeDefined()
    })
    if (!contract) return
    const channelOf = (ws: Workspace) => ws.channels[plugin.id]!

    it('settings: the fixture validates, survives the settings form, and every field and secret has a label in every language', () => {
      const settings = plugin.settings.parse(contract.settings('tagtagta'))
      const fields = schemaFields(plugin.settings, plugin)
      const formBody: Record<string, string> = {}
      for (const field of fields) {
        const value = (settings as Record<string, unknown>)[field.key]
        if (value === undefined) continue
        formBody[field.key] = Array.isArray(value) ? value.join('\n') : field.kind === 'boolean' ? (value ? 'on' : '') : String(value)
      }
      expect(plugin.settings.parse(formToSettings(fields, formBody))).toEqual(settings)
      for (const locale of locales) {
        const texts = plugin.texts?.[locale]
        expect(texts?.name, `texts.${locale}.name`).toBeTruthy()
        // "Connect a channel" lists every plugin with its one line.
        expect(texts?.description, `texts.${locale}.description`).toBeTruthy()
        for (const field of fields) expect(texts?.fields?.[field.key]?.label, `texts.${locale}.fields.${field.key}.label`).toBeTruthy()
        for (const secret of plugin.secrets ?? []) expect(texts?.secrets?.[secret.key]?.label, `texts.${locale}.secrets.${secret.key}.label`).toBeTruthy()
        // The settings page reads them in the agent's language.
        withLocale(locale, () => {
          for (const field of schemaFields(plugin.settings, plugin)) expect(field.label).toBe(texts!.fields![field.key]!.label)
        })
      }
    })

    it('its own sentences exist in every language, with the same placeholders', () => {
      expect(messageMismatches(plugin.texts)).toEqual([])
    })

    // Rows filed before a plugin kept what its line is made from have no such metadata, and metadata is hostile.
    it.skipIf(!plugin.messageText)('messageText: a message without its metadata, or with junk in it, gets a string or null, never a throw', () => {
      const junk = [null, {}, { call: 'x', sms: { bodyLength: -1 }, form: 1, telegram: [], messenger: null }, { [plugin.id]: { bodyLength: 99 } }]
      for (const locale of locales) {
        for (const metadata of junk) {
          for (const direction of ['in', 'out'] as const) {
            const shown = withLocale(locale, () =>
              plugin.messageText!({ text: 'Stored text', direction, metadata: metadata as Record<string, unknown> | null }),
            )
            expect(shown === null || typeof shown === 'string', `${locale} ${JSON.stringify(metadata)}`).toBe(true)
          }
        }
      }
    })

    const inbound = contract.inbound
    if (inbound?.kind === 'webhook') {
      const post = async (ws: Workspace, payload: { body: string; contentType: string }, signed = true) => {
        const path = `/channels/${channelOf(ws).id}/inbound`
        const headers = { 'Content-Type': payload.contentType, ...(signed ? await inbound.sign(ws.tag, `${origin}${path}`, payload.body) : {}) }
        return request(path, { method: 'POST', body: payload.body, headers })
      }

      // A plugin without verify takes posts nobody can sign (a browser's form post): nothing to refuse.
      it.skipIf(!plugin.verify)('webhook: a missing or wrong signature is refused (401) and nothing is stored', async () => {
        const ws = await workspace()
        const event = inbound.event(ws.tag, 'unsigned')
        expect((await post(ws, event, false)).status).toBe(401)
        const forged = await inbound.sign('someoneelse', `${origin}/channels/${channelOf(ws).id}/inbound`, event.body)
        const path = `/channels/${channelOf(ws).id}/inbound`
        expect((await request(path, { method: 'POST', body: event.body, headers: { 'Content-Type': event.contentType, ...forged } })).status).toBe(401)
        expect(await storedIn(channelOf(ws).id)).toHaveLength(0)
      })

      it('webhook: an event is filed with its text, and a redelivery is stored once', async () => {
        const ws = await workspace()
        const event = inbound.event(ws.tag, 'first')
        const first = await post(ws, event)
        expect(first.status, await first.clone().text()).toBeLessThan(300)
        const again = await post(ws, event)
        expect(again.status).toBeLessThan(300)
        const stored = await storedIn(channelOf(ws).id)
        expect(stored).toHaveLength(1)
        expect(stored[0]!.text).toBe(inbound.expectText)
        // The line the thread shows an English reader is the text filed for everyone else.
        const shown = withLocale('en', () => plugin.messageText?.({ text: stored[0]!.text, direction: stored[0]!.direction, metadata: stored[0]!.metadata }))
        expect(shown ?? stored[0]!.text).toBe(inbound.expectText)
      })

      it('webhook: a bad payload and an oversize one get a 4xx and store nothing', async () => {
        const ws = await workspace()
        const bad = await post(ws, inbound.invalid(ws.tag))
        expect(bad.status).toBeGreaterThanOrEqual(400)
        expect(bad.status).toBeLessThan(500)
        const event = inbound.event(ws.tag, 'huge')
        const limit = plugin.maxPayloadBytes ?? 1024 * 1024
        const huge = await post(ws, { body: event.body + ' '.repeat(limit + 1), contentType: event.contentType })
        expect(huge.status).toBe(413)
        expect(await storedIn(channelOf(ws).id)).toHaveLength(0)
      })
    } else if (inbound?.kind === 'input') {
      it('parse: its own input is filed with its text, and a redelivery is stored once', async () => {
        const ws = await workspace()
        const channel = (await getChannelById(db(), channelOf(ws).id))!
        const ctx = channelContextOf(channel, env)
        const deps = { db: db(), notifier: durableObjectNotifier(env), blobs: env.ATTACHMENTS }
        for (let delivery = 0; delivery < 2; delivery++) {
          for (const message of await plugin.parse(inbound.input(ws.tag, 'first'), ctx)) await ingestInbound(deps, ctx.channel, message)
        }
        const stored = await storedIn(channelOf(ws).id)
        expect(stored).toHaveLength(1)
        expect(stored[0]!.text).toBe(inbound.expectText)
      })
    }

    if (plugin.send) {
      it('send: the provider gets the reply; a temporary failure is retried; a permanent one ends as failed with its reason', async () => {
        expect(contract.outbound, 'a plugin with send brings a stand-in for its provider').toBeDefined()
        expect(inbound, 'a plugin with send brings an inbound sample to answer').toBeDefined()
        const ws = await workspace()
        const standIn = contract.outbound!.standIn()
        try {
          const sendEnv = { ...env, APP_URL: origin, ...standIn.env }
          // A conversation to answer, started the way the provider starts one.
          if (inbound!.kind === 'webhook') {
            const event = inbound!.event(ws.tag, 'to-answer')
            const path = `/channels/${channelOf(ws).id}/inbound`
            await request(path, {
              method: 'POST',
              body: event.body,
              headers: { 'Content-Type': event.contentType, ...(await inbound!.sign(ws.tag, `${origin}${path}`, event.body)) },
            })
          } else {
            const channel = (await getChannelById(db(), channelOf(ws).id))!
            const ctx = channelContextOf(channel, env)
            for (const message of await plugin.parse(inbound!.input(ws.tag, 'to-answer'), ctx)) {
              await ingestInbound({ db: db(), notifier: durableObjectNotifier(env), blobs: env.ATTACHMENTS }, ctx.channel, message)
            }
          }
          const [first] = await storedIn(channelOf(ws).id)
          expect(first).toBeDefined()
          const reply = async (text: string) =>
            (await appendMessage(db(), {
              accountId: ws.accountId,
              conversationId: first!.conversationId,
              channelId: channelOf(ws).id,
              direction: 'out',
              kind: 'message',
              authorUserId: ws.users.agent.id,
              text,
              deliveryStatus: 'pending',
              createdAt: Date.now(),
            }))!
          const row = async (id: number) =>
            (
              await db()
                .select()
                .from(messages)
                .where(and(eq(messages.id, id)))
            )[0]!

          const ok = await reply('Thanks, on its way.')
          expect(await deliver(db(), sendEnv, { accountId: ws.accountId, messageId: ok.id }, 1)).toEqual({ status: 'sent' })
          expect(standIn.accepted()).toBe(1)
          expect((await row(ok.id)).deliveryStatus).toBe('sent')

          const later = await reply('Second try')
          standIn.failNextTemporarily()
          const retried = await deliver(db(), sendEnv, { accountId: ws.accountId, messageId: later.id }, 1)
          expect(retried.status).toBe('retry')
          expect(await row(later.id)).toMatchObject({ deliveryStatus: 'pending', deliveryAttempts: 1 })
          expect((await row(later.id)).deliveryError).toBeTruthy()
          expect(await deliver(db(), sendEnv, { accountId: ws.accountId, messageId: later.id }, 2)).toEqual({ status: 'sent' })

          if (standIn.failNextPermanently) {
            const refused = await reply('Never arrives')
            standIn.failNextPermanently()
            const failed = await deliver(db(), sendEnv, { accountId: ws.accountId, messageId: refused.id }, 1)
            expect(failed.status).toBe('failed')
            const stored = await row(refused.id)
            expect(stored.deliveryStatus).toBe('failed')
            expect(stored.deliveryError).toBeTruthy()
          }
        } finally {
          standIn.restore()
        }
      })
    }
  })
}
