import { describe, expect, it } from 'vitest'
import { withLocale } from '../../src/i18n'
import { clausesOf, customerTopic, draftReply, expandInstruction, offlineProvider, ownText, sentencesOf, summarizeThread } from '../../src/services/ai/offline'
import type { AiMessage, AiThread } from '../../src/services/ai/provider'

const at = (minutes: number) => Date.UTC(2026, 10, 20, 9, minutes)

function thread(messages: Omit<AiMessage, 'at'>[], extra: Partial<AiThread> = {}): AiThread {
  return {
    subject: 'Order #10482 arrived damaged',
    channel: 'Email',
    status: 'open',
    contact: { name: 'Maja Nilsen', email: 'maja.nilsen@fjordtech.no' },
    assignee: 'Linus Berg',
    messages: messages.map((message, index) => ({ ...message, at: at(index) })),
    ...extra,
  }
}

/** A damaged-order email thread, with quoted history, signatures and an internal note. */
const damagedOrder = thread([
  {
    kind: 'message',
    from: 'customer',
    name: 'Maja Nilsen',
    text:
      'Hi,\n\nThe tent I ordered (order #10482) arrived with a torn rain fly. Can you send a replacement? ' +
      'I am going on a trip to Jotunheimen on Friday, so it is quite urgent.\n\nBest,\nMaja\n\nSent from my iPhone',
  },
  { kind: 'comment', from: 'agent', name: 'Linus Berg', text: 'Warehouse confirms rain flies for the Fjell 2 are in stock in Oslo.' },
  {
    kind: 'message',
    from: 'agent',
    name: 'Linus Berg',
    text:
      'Hi Maja, sorry about that! I have booked a replacement rain fly with express shipping; it ships tomorrow. ' +
      'No need to return the damaged one.\n\nKind regards,\nLinus\n\nOn Mon, 16 Nov 2026 at 10:02, Maja Nilsen <maja.nilsen@fjordtech.no> wrote:\n> The tent I ordered (order #10482) arrived with a torn rain fly.\n> Can you send a replacement?',
  },
  {
    kind: 'message',
    from: 'customer',
    name: 'Maja Nilsen',
    text: 'That was quick, thank you! Will the replacement come with the same tracking number?\n\n-- \nMaja Nilsen\nFjordtech AS',
  },
])

describe('text clean-up', () => {
  it('cuts quoted history and signatures, and splits sentences without breaking abbreviations or numbers', () => {
    expect(ownText(damagedOrder.messages[2]!.text)).not.toContain('wrote:')
    expect(ownText(damagedOrder.messages[2]!.text)).not.toContain('Kind regards')
    expect(ownText(damagedOrder.messages[3]!.text)).not.toContain('Fjordtech AS')
    expect(sentencesOf('I am 1.96 m tall. Do you have e.g. a long size? See No. 5 in the list!')).toEqual([
      'I am 1.96 m tall.',
      'Do you have e.g. a long size?',
      'See No. 5 in the list!',
    ])
  })
})

describe('offline summary', () => {
  it('keeps the key sentences in order, attributed to their speakers, with a facts header', () => {
    const { header, lines } = summarizeThread(damagedOrder)
    expect(header).toBe('Maja Nilsen <maja.nilsen@fjordtech.no> · Email · Open · 3 messages, 1 internal note · owner Linus Berg')
    const text = lines.join('\n')
    // The request with its order number, the fix, and the open question all make it.
    expect(text).toContain('Customer: The tent I ordered (order #10482) arrived with a torn rain fly. Can you send a replacement?')
    expect(text).toMatch(/Agent Linus: .*booked a replacement rain fly/)
    expect(text).toContain('Customer: Will the replacement come with the same tracking number?')
    // Greetings, sign-offs, signatures and quoted history never do.
    expect(text).not.toMatch(/Hi Maja|Best,|Sent from my iPhone|wrote:|Fjordtech AS|Kind regards/)
    // Lines follow the conversation's order.
    const order = ['torn rain fly', 'booked a replacement', 'same tracking number'].map((needle) => text.indexOf(needle))
    expect(order).toEqual([...order].sort((a, b) => a - b))
    expect(lines.length).toBeLessThanOrEqual(8)
  })

  it('labels internal notes as notes when they are picked', () => {
    const notes = thread(
      [
        {
          kind: 'message',
          from: 'customer',
          name: 'Priya Raman',
          text: 'Could you reissue invoice INV-2291 with our VAT number GB 123 4567 89? Our accounts team cannot book it otherwise.',
        },
        { kind: 'comment', from: 'agent', name: 'Grace Hopper', text: 'Finance can reissue INV-2291; waiting on them. Please do not close this.' },
      ],
      { subject: 'Invoice needs our VAT number', contact: { name: 'Priya Raman', email: 'priya@lumen.io' } },
    )
    const { lines } = summarizeThread(notes)
    expect(lines.join('\n')).toContain('Agent Grace (internal note): Finance can reissue INV-2291; waiting on them.')
    expect(lines[0]).toMatch(/^Customer: Could you reissue invoice INV-2291/)
  })

  it('is deterministic, and long threads are cut to at most 8 sentences', () => {
    const long = thread(
      Array.from({ length: 30 }, (_, index) => ({
        kind: 'message' as const,
        from: index % 2 ? ('agent' as const) : ('customer' as const),
        name: index % 2 ? 'Ada Lovelace' : 'Chen Wei',
        text:
          index % 2
            ? `We checked batch ${index} of the Beam 400 headlamps and it is ready to ship.`
            : `What about batch ${index} of the headlamps for the warehouse staff?`,
      })),
    )
    const first = summarizeThread(long)
    expect(first).toEqual(summarizeThread(long))
    expect(first.lines.join(' ').match(/batch \d+/g)!.length).toBeLessThanOrEqual(8)
  })

  it('says so in its label, and speaks Norwegian for Norwegian users', async () => {
    const summary = await offlineProvider.summarize({ thread: damagedOrder })
    expect(summary.meta).toMatchObject({ kind: 'offline', label: 'Offline summary (extractive, no AI model)' })
    const norwegian = await withLocale('nb', () => offlineProvider.summarize({ thread: damagedOrder }))
    expect(norwegian.meta.label).toBe('Frakoblet sammendrag (uttrekk, ingen KI-modell)')
    expect(norwegian.lines.join('\n')).toContain('Kunde: ')
  })

  it('gives an empty summary for a thread of greetings only', () => {
    const { lines } = summarizeThread(thread([{ kind: 'message', from: 'customer', name: null, text: 'Hi!\n\nThanks!' }]))
    expect(lines).toEqual([])
  })
})

describe('offline drafting helper', () => {
  it('greets by first name, restates the last question, expands the prompt, adds the snippet and signs off', () => {
    const html = draftReply({
      thread: damagedOrder,
      prompt: 'apologise for the delay, tell them the tracking number stays the same and ask for a photo of the torn fly',
      agent: { name: 'Linus Berg' },
      snippet: { name: 'Returns', html: '<p>You can read our <a href="https://example.com/returns">returns policy</a>.</p>' },
    })
    expect(html).toContain('<p>Hi Maja,</p>')
    expect(html).toContain('You asked: “Will the replacement come with the same tracking number?”')
    expect(html).toContain('I am sorry for the delay.')
    expect(html).toContain('The tracking number stays the same.')
    expect(html).toContain('Could you please send us a photo of the torn fly?')
    expect(html).toContain('returns policy</a>')
    expect(html).toMatch(/<p>Best regards,<br>Linus<\/p>$/)
  })

  it('escapes what the customer and the agent wrote, and keeps only safe rich text', () => {
    const hostile = thread([{ kind: 'message', from: 'customer', name: '<img src=x onerror=alert(1)>', text: 'Is <script>alert(1)</script> allowed?' }], {
      contact: { name: 'Eve <script>', email: null },
    })
    const html = draftReply({ thread: hostile, prompt: 'say <b onclick="x()">no</b>', agent: { name: 'Kim' }, snippet: { name: 'x', html: '<p>ok</p>' } })
    expect(html).not.toMatch(/<(?:script|img|b)\b/i)
    expect(html).not.toMatch(/on(?:click|error)="/i)
    expect(html).toContain('&lt;script&gt;')
  })

  it('varies its phrasing on "Generate again" and speaks to the customer, not about them', () => {
    const input = { thread: damagedOrder, prompt: 'thank them for their patience', agent: { name: 'Linus Berg' } }
    expect(draftReply({ ...input, variant: 0 })).not.toBe(draftReply({ ...input, variant: 1 }))
    expect(draftReply(input)).toContain('Thank you for your patience.')
    expect(expandInstruction('offer them a 10% discount on their next order')).toBe('We can offer you a 10% discount on your next order.')
    expect(expandInstruction('ask whether they still have the receipt')).toBe('Could you let us know whether you still have the receipt?')
    expect(expandInstruction('the parcel left Oslo today')).toBe('The parcel left Oslo today.')
    expect(clausesOf('say yes; confirm it ships Monday\nand then thank them')).toEqual(['say yes', 'confirm it ships Monday', 'thank them'])
  })

  it('falls back to the topic when the customer asked no question, and to a plain greeting without a name', () => {
    const statement = thread([{ kind: 'message', from: 'customer', name: null, text: 'Please cancel the monthly adventure box from next month on.' }], {
      subject: 'Re: Cancel my subscription box',
      contact: { name: null, email: 'fatima.zahra@outlook.com' },
    })
    expect(customerTopic(statement)).toEqual({ kind: 'topic', text: 'Cancel my subscription box' })
    const html = draftReply({ thread: statement, prompt: 'confirm the box is cancelled from December', agent: { name: 'Linus' } })
    expect(html).toContain('<p>Hi,</p>')
    expect(html).toContain('Thanks for your message about “Cancel my subscription box”.')
    expect(html).toContain('I can confirm that the box is cancelled from December.')
  })
})
