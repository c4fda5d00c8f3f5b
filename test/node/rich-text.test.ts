import { describe, expect, it } from 'vitest'
import { plainToRichText, richTextToPlain, sanitizeRichText } from '../../src/lib/rich-text'

describe('sanitizeRichText', () => {
  it('keeps formatting, lists, links and our own mention/link-card markup', () => {
    expect(sanitizeRichText('<p><b>Bold</b> <i>it</i> <u>u</u> <code>x()</code></p>')).toBe(
      '<p><strong>Bold</strong> <em>it</em> <u>u</u> <code>x()</code></p>',
    )
    expect(sanitizeRichText('<ol start="3"><li>a</li></ol><ul><li>b</li></ul>')).toBe('<ol start="3"><li>a</li></ol><ul><li>b</li></ul>')
    expect(sanitizeRichText('<a href="https://example.com/a?b=1&amp;c=2" onclick="x()">x</a>')).toBe(
      '<a href="https://example.com/a?b=1&amp;c=2" target="_blank" rel="noopener noreferrer nofollow">x</a>',
    )
    expect(sanitizeRichText('<span class="mention evil" data-user-id="abc123" onmouseover="x">@Ann</span>')).toBe(
      '<span class="mention" data-user-id="abc123">@Ann</span>',
    )
    expect(sanitizeRichText('<span class="mention" data-user-id="a&quot; onx=&quot;">@Ann</span>')).toBe('<span class="mention">@Ann</span>')
    expect(sanitizeRichText('<a href="/kb/acme/returns">Returns</a>')).toContain('href="/kb/acme/returns"')
  })

  it('drops scripts, handlers, javascript: and data: URLs, styles and images', () => {
    const payloads = [
      '<script>alert(1)</script>',
      '<img src=x onerror=alert(1)>',
      '<a href="javascript:alert(1)">x</a>',
      '<a href="  java\tscript:alert(1)">x</a>',
      '<a href="data:text/html,<script>alert(1)</script>">x</a>',
      '<a href="//evil.example/x">x</a>',
      '<svg onload=alert(1)>',
      '<p style="background:url(javascript:alert(1))" onclick="alert(1)">x</p>',
      '<iframe src="javascript:alert(1)"></iframe>',
      '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
      '<div class="link-card" onclick="alert(1)">x</div>',
      '"><script>alert(1)</script>',
      '<scr<script>ipt>alert(1)</script>',
      '<!--<img src=x onerror=alert(1)>-->',
      '<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>',
    ]
    for (const payload of payloads) {
      const clean = sanitizeRichText(payload)
      expect(clean, payload).not.toMatch(/<script|<img|<svg|<iframe|<math|javascript:|data:|onerror|onclick|onload|style=|\/\/evil/i)
    }
    expect(sanitizeRichText('<p>&lt;script&gt;</p>')).toBe('<p>&lt;script&gt;</p>')
  })

  it('cleans a Word paste to its text and structure', () => {
    const word =
      '<p class=MsoNormal style="margin:0"><span lang=EN-US style="font-size:11pt;mso-fareast-font-family:Calibri">Hello <o:p></o:p></span></p><p class=MsoListParagraph><b>Item</b></p>'
    expect(sanitizeRichText(word)).toBe('<p>Hello </p><p><strong>Item</strong></p>')
  })
})

describe('richTextToPlain', () => {
  it('renders lists, links and quotes as readable text', () => {
    expect(
      richTextToPlain(
        '<p>Hi <a href="https://x.test/a">the guide</a>.</p><ol><li>one</li><li>two</li></ol><ul><li>dot</li></ul><blockquote><p>quoted</p></blockquote>',
      ),
    ).toBe('Hi the guide <https://x.test/a>.\n\n1. one\n2. two\n\n- dot\n\n> quoted')
    expect(richTextToPlain('<p><a href="https://x.test">https://x.test</a></p>')).toBe('https://x.test')
    expect(richTextToPlain('<p>a<br>b</p>')).toBe('a\nb')
  })

  it('turns plain text into escaped paragraphs', () => {
    expect(plainToRichText('a <b>\nb\n\nc')).toBe('<p>a &lt;b&gt;<br>b</p><p>c</p>')
  })
})
