import { describe, expect, it } from 'vitest'
import { toPreview } from '../../src/lib/text'

/** The definition the fast path must agree with: the whole text flattened, then cut. */
function reference(text: string, maxLength = 140) {
  const flat = text.replace(/\s+/g, ' ').trim()
  return flat.length > maxLength ? `${flat.slice(0, maxLength - 1).trimEnd()}…` : flat
}

describe('toPreview', () => {
  it('flattens whitespace and cuts long text with an ellipsis', () => {
    expect(toPreview('  Hello\n\n  there\tfriend  ')).toBe('Hello there friend')
    expect(toPreview('word '.repeat(100))).toHaveLength(140)
    expect(toPreview('word '.repeat(100)).endsWith('…')).toBe(true)
  })

  it('gives the same preview as flattening the whole text, however the whitespace falls', () => {
    const cases = [
      'x'.repeat(20_000),
      `${' '.repeat(5000)}late start ${'text '.repeat(100)}`,
      `${'\n'.repeat(1119)}a${' '.repeat(3000)}b c d`,
      `${'a '.repeat(60)}${' '.repeat(2000)}${'b '.repeat(200)}`,
      `short${' '.repeat(1200)}`,
      'Paragraph one.\r\n\r\n'.repeat(500),
    ]
    for (const text of cases) for (const max of [10, 140]) expect(toPreview(text, max)).toBe(reference(text, max))
  })
})
