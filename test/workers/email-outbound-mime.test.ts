import { simpleParser, type AddressObject } from 'mailparser'
import { describe, expect, it } from 'vitest'
import { buildMime } from '../../plugins/email/mime'
import { decodeThreadIndex, threadIndexFor } from '../../plugins/email/thread-index'
import { parseAddressList } from '../../plugins/email/send'

const addressesOf = (field: AddressObject | AddressObject[] | undefined) =>
  (Array.isArray(field) ? field : field ? [field] : []).flatMap((object) => object.value.map((entry) => ({ address: entry.address, name: entry.name })))

type Structure = { type: string; parts?: Structure[] }

/** The MIME tree of a message: each part's type, and a multipart's parts, read off its boundaries. */
function structureOf(raw: string): Structure {
  const split = raw.search(/\r\n\r\n/)
  const head = raw.slice(0, split).replace(/\r\n[ \t]+/g, ' ')
  const body = raw.slice(split + 4)
  const contentType = /^content-type:\s*([^;\r\n]+)(.*)$/im.exec(head)
  const type = (contentType?.[1] ?? 'text/plain').trim().toLowerCase()
  if (!type.startsWith('multipart/')) return { type }
  const mark = /boundary="?([^";\r\n]+)"?/i.exec(contentType![2]!)![1]!
  const sections = body.split(`--${mark}`)
  // Before the first boundary is the preamble; from the closing `--mark--` on, the epilogue.
  const parts = sections
    .slice(
      1,
      sections.findIndex((section) => section.startsWith('--')),
    )
    .map((section) => structureOf(section.replace(/^\r\n/, '')))
  return { type, parts }
}

describe('the MIME we build, read back by mailparser', () => {
  it('keeps every header: encoded subject and names, ids with brackets, all references, Reply-To', async () => {
    const raw = buildMime({
      from: { address: 'support@acme.test', name: 'Acme Støtte' },
      to: [
        { address: 'ola@example.no', name: 'Ola Nordmann' },
        { address: 'kari@example.no', name: 'Lovelace, Ada "the first"' },
      ],
      cc: [{ address: 'li@example.cn', name: '李小龍' }],
      replyTo: { address: 'reply+abcdefghijklmnop@acme.test', name: 'Acme Støtte' },
      subject: 'Re: Bestilling av blåbærsyltetøy — ordre #42 🍓 med en veldig lang emnelinje som må brettes over flere linjer',
      messageId: 'sb.abcdefghijklmnop.mb@acme.test',
      references: ['first@example.no', '<second@acme.test>', 'third@example.no'],
      text: 'Hei Ola,\n\nTakk for bestillingen. Æ, ø og å.\nFrom the shop\n.\n',
      html: '<p>Hei Ola,</p><p>Takk — æøå</p>',
      date: new Date(Date.UTC(2026, 0, 2, 3, 4, 5)),
      headers: { 'Thread-Index': 'AQHZ', 'Auto-Submitted': 'auto-replied' },
    })
    for (const line of raw.split('\r\n')) expect(line.length).toBeLessThanOrEqual(998)
    expect(raw).toMatch(/^[\x00-\x7f]*$/)
    const mail = await simpleParser(raw)
    expect(mail.subject).toBe('Re: Bestilling av blåbærsyltetøy — ordre #42 🍓 med en veldig lang emnelinje som må brettes over flere linjer')
    expect(mail.messageId).toBe('<sb.abcdefghijklmnop.mb@acme.test>')
    expect(mail.inReplyTo).toBe('<third@example.no>')
    expect(mail.references).toEqual(['<first@example.no>', '<second@acme.test>', '<third@example.no>'])
    expect(addressesOf(mail.from)).toEqual([{ address: 'support@acme.test', name: 'Acme Støtte' }])
    expect(addressesOf(mail.to)).toEqual([
      { address: 'ola@example.no', name: 'Ola Nordmann' },
      { address: 'kari@example.no', name: 'Lovelace, Ada "the first"' },
    ])
    expect(addressesOf(mail.cc)).toEqual([{ address: 'li@example.cn', name: '李小龍' }])
    expect(addressesOf(mail.replyTo)).toEqual([{ address: 'reply+abcdefghijklmnop@acme.test', name: 'Acme Støtte' }])
    expect(mail.headers.get('thread-index')).toBe('AQHZ')
    expect(mail.headers.get('auto-submitted')).toBe('auto-replied')
    expect(mail.headers.get('mime-version')).toBe('1.0')
    expect(mail.date?.toISOString()).toBe('2026-01-02T03:04:05.000Z')
    expect(mail.text).toBe('Hei Ola,\n\nTakk for bestillingen. Æ, ø og å.\nFrom the shop\n.\n')
    expect(mail.html).toContain('Takk — æøå')
    expect(mail.headers.get('content-type')).toMatchObject({ value: 'multipart/alternative' })
  })

  it('carries attachments with non-ASCII names next to the alternative parts', async () => {
    const bytes = crypto.getRandomValues(new Uint8Array(5000))
    const raw = buildMime({
      from: { address: 'support@acme.test' },
      to: [{ address: 'ola@example.no' }],
      subject: 'Files',
      messageId: 'files@acme.test',
      text: 'See attached.',
      html: '<p>See attached.</p>',
      attachments: [
        { filename: 'Faktura nr. 7 – ærlig.pdf', contentType: 'application/pdf', content: bytes },
        { filename: 'notes.txt', contentType: 'text/plain', content: new TextEncoder().encode('plain notes') },
      ],
    })
    const mail = await simpleParser(raw)
    expect(mail.headers.get('content-type')).toMatchObject({ value: 'multipart/mixed' })
    expect(mail.text?.trim()).toBe('See attached.')
    expect(mail.html).toContain('See attached.')
    expect(mail.attachments.map((attachment) => [attachment.filename, attachment.contentType, attachment.size])).toEqual([
      ['Faktura nr. 7 – ærlig.pdf', 'application/pdf', 5000],
      ['notes.txt', 'text/plain', 11],
    ])
    expect(new Uint8Array(mail.attachments[0]!.content)).toEqual(bytes)
  })

  it('puts inline cid images in multipart/related with the HTML, and other files beside it in multipart/mixed (RFC 2387)', async () => {
    const png = crypto.getRandomValues(new Uint8Array(300))
    const logo = crypto.getRandomValues(new Uint8Array(200))
    const raw = buildMime({
      from: { address: 'support@acme.test' },
      to: [{ address: 'ola@example.no' }],
      subject: 'Screenshot',
      messageId: 'inline@acme.test',
      text: 'See the screenshot.',
      html: '<p>See the screenshot:</p><img src="cid:shot1@acme.test"><img src="cid:logo">',
      attachments: [
        { filename: 'invoice.pdf', contentType: 'application/pdf', content: new TextEncoder().encode('%PDF-1.4 invoice') },
        { filename: 'screenshot.png', contentType: 'image/png', content: png, contentId: 'shot1@acme.test' },
        { filename: 'logo.png', contentType: 'image/png', content: logo, contentId: 'logo' },
      ],
    })
    expect(structureOf(raw)).toEqual({
      type: 'multipart/mixed',
      parts: [
        {
          type: 'multipart/related',
          parts: [{ type: 'multipart/alternative', parts: [{ type: 'text/plain' }, { type: 'text/html' }] }, { type: 'image/png' }, { type: 'image/png' }],
        },
        { type: 'application/pdf' },
      ],
    })
    expect(raw).toMatch(/Content-Type: multipart\/related; type="multipart\/alternative";/)
    const mail = await simpleParser(raw)
    const byName = new Map(mail.attachments.map((attachment) => [attachment.filename, attachment]))
    expect(byName.get('screenshot.png')).toMatchObject({ related: true, contentId: '<shot1@acme.test>', contentDisposition: 'inline' })
    expect(byName.get('logo.png')).toMatchObject({ related: true, contentId: '<logo@switchboard>' })
    expect(byName.get('invoice.pdf')?.related).toBeFalsy()
    expect(byName.get('invoice.pdf')?.contentDisposition).toBe('attachment')
    expect(new Uint8Array(byName.get('screenshot.png')!.content)).toEqual(png)
    // A reader resolves the inline image from its related part.
    expect(mail.html).toContain('<img src="data:image/png;base64,')

    // Only inline images: no multipart/mixed around the related part.
    const inlineOnly = buildMime({
      from: { address: 'support@acme.test' },
      to: [{ address: 'ola@example.no' }],
      subject: 'x',
      messageId: 'i2@acme.test',
      text: 'x',
      html: '<img src="cid:logo">',
      attachments: [{ filename: 'logo.png', contentType: 'image/png', content: logo, contentId: 'logo' }],
    })
    expect(structureOf(inlineOnly)).toEqual({
      type: 'multipart/related',
      parts: [{ type: 'multipart/alternative', parts: [{ type: 'text/plain' }, { type: 'text/html' }] }, { type: 'image/png' }],
    })
  })

  it('never lets a hostile string start a header of its own', async () => {
    const raw = buildMime({
      from: { address: 'support@acme.test', name: 'Acme\r\nBcc: victim@example.com' },
      to: [{ address: 'ola@example.no' }],
      subject: 'Hello\r\nBcc: victim@example.com\r\n\r\n<script>',
      messageId: 'inject@acme.test',
      references: ['bad id>\r\nX-Evil: 1@x', 'fine@example.no'],
      text: 'Body',
    })
    const mail = await simpleParser(raw)
    expect(mail.headers.has('bcc')).toBe(false)
    expect(mail.headers.has('x-evil')).toBe(false)
    expect(mail.subject).toBe('Hello Bcc: victim@example.com <script>')
    expect(mail.references).toBe('<fine@example.no>')
    expect(() =>
      buildMime({ from: { address: 'support@acme.test' }, to: [{ address: 'a@b.test>\r\nBcc: x@y.test' }], subject: 's', messageId: 'i@acme.test', text: '' }),
    ).toThrow(/Not a valid email address/)
  })
})

describe('Thread-Index', () => {
  it('is 22 bytes for the first message and grows by 5 bytes per reply, keeping its prefix', async () => {
    const startedAtMs = Date.UTC(2026, 0, 1)
    const first = await threadIndexFor({ conversationId: 'abcdefghijklmnop', conversationStartedAtMs: startedAtMs, earlierMessages: 0, nowMs: startedAtMs })
    expect(decodeThreadIndex(first)!.length).toBe(22)
    const second = await threadIndexFor({
      parent: first,
      conversationId: 'abcdefghijklmnop',
      conversationStartedAtMs: startedAtMs,
      earlierMessages: 1,
      nowMs: startedAtMs + 60_000,
    })
    const third = await threadIndexFor({
      parent: second,
      conversationId: 'abcdefghijklmnop',
      conversationStartedAtMs: startedAtMs,
      earlierMessages: 2,
      nowMs: startedAtMs + 3_600_000,
    })
    expect(decodeThreadIndex(second)!.length).toBe(27)
    expect(decodeThreadIndex(third)!.length).toBe(32)
    expect([...decodeThreadIndex(third)!.subarray(0, 27)]).toEqual([...decodeThreadIndex(second)!])
    // The header's first byte is the top byte of a current FILETIME (0x01 until the year 2185).
    expect(decodeThreadIndex(first)![0]).toBe(0x01)
    // The child's 31-bit delta counts 2^18 × 100 ns units: an hour is about 137 of them.
    const child = decodeThreadIndex(third)!.subarray(27, 32)
    const delta = ((child[0]! & 0x7f) << 24) | (child[1]! << 16) | (child[2]! << 8) | child[3]!
    expect(delta).toBe(Math.floor((3_600_000 * 10_000) / 2 ** 18))
    // Without a parent's index, the conversation's own one has a block per earlier message.
    const derived = await threadIndexFor({ conversationId: 'abcdefghijklmnop', conversationStartedAtMs: startedAtMs, earlierMessages: 3, nowMs: startedAtMs })
    expect(decodeThreadIndex(derived)!.length).toBe(37)
    expect([...decodeThreadIndex(derived)!.subarray(0, 22)]).toEqual([...decodeThreadIndex(first)!])
  })
})

describe('recipient fields', () => {
  it('reads names, quotes, commas and semicolons, and reports what is not an address', () => {
    expect(parseAddressList('Ada Lovelace <ada@example.test>, "Hopper, Grace" <grace@example.test>; bob@example.test, ada@EXAMPLE.test')).toEqual({
      addresses: [
        { address: 'ada@example.test', name: 'Ada Lovelace' },
        { address: 'grace@example.test', name: 'Hopper, Grace' },
        { address: 'bob@example.test' },
      ],
      invalid: [],
    })
    expect(parseAddressList('not an address, x@y').invalid).toEqual(['not an address', 'x@y'])
  })
})
