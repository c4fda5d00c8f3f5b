import { Parser } from 'htmlparser2'
import { forwardMarker } from './quoted-text'

/**
 * An allowlist HTML sanitiser for email bodies that runs anywhere (workerd has no DOM).
 *
 * htmlparser2 tokenizes (it decodes entities in text and attribute values); we then rebuild the
 * document from the allowed elements and attributes only, escaping every text and every attribute
 * value ourselves. The output therefore parses in a browser to exactly the tree we emitted: no
 * raw-text elements (script, style, textarea, title, xmp, noscript …) are ever emitted, and no
 * foreign content (svg, math) whose parsing rules differ.
 *
 * Remote images are not loaded without consent: their URL moves to `data-remote-src` (an
 * attribute we never accept from input), and `showRemoteImages` turns it back into `src` when
 * an agent asks. `cid:` sources are kept for the renderer to resolve to our attachment URLs.
 */

const allowedTags = new Set([
  'a',
  'abbr',
  'address',
  'article',
  'aside',
  'b',
  'bdi',
  'bdo',
  'big',
  'blockquote',
  'br',
  'caption',
  'center',
  'cite',
  'code',
  'col',
  'colgroup',
  'dd',
  'del',
  'details',
  'dfn',
  'div',
  'dl',
  'dt',
  'em',
  'figcaption',
  'figure',
  'font',
  'footer',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'header',
  'hr',
  'i',
  'img',
  'ins',
  'kbd',
  'li',
  'main',
  'mark',
  'nav',
  'ol',
  'p',
  'pre',
  'q',
  's',
  'samp',
  'section',
  'small',
  'span',
  'strike',
  'strong',
  'sub',
  'summary',
  'sup',
  'table',
  'tbody',
  'td',
  'tfoot',
  'th',
  'thead',
  'time',
  'tr',
  'tt',
  'u',
  'ul',
  'var',
  'wbr',
])

const voidTags = new Set(['br', 'col', 'hr', 'img', 'wbr'])

// Dropped together with everything inside them: active content, raw-text elements, foreign
// content, form controls and the document head.
export const droppedWithContent: ReadonlySet<string> = new Set([
  'applet',
  'audio',
  'base',
  'button',
  'canvas',
  'datalist',
  'dialog',
  'embed',
  'frame',
  'frameset',
  'head',
  'iframe',
  'input',
  'link',
  'listing',
  'map',
  'math',
  'meta',
  'noembed',
  'noframes',
  'noscript',
  'object',
  'option',
  'optgroup',
  'param',
  'picture',
  'plaintext',
  'portal',
  'script',
  'select',
  'slot',
  'source',
  'style',
  'svg',
  'template',
  'textarea',
  'title',
  'track',
  'video',
  'xmp',
  'xml',
])

const globalAttributes = new Set(['title', 'lang', 'dir', 'align', 'valign', 'width', 'height', 'bgcolor', 'style'])
const tagAttributes: Record<string, Set<string>> = {
  a: new Set(['href']),
  img: new Set(['src', 'alt', 'border', 'hspace', 'vspace']),
  table: new Set(['border', 'cellpadding', 'cellspacing', 'summary']),
  td: new Set(['colspan', 'rowspan', 'nowrap', 'headers', 'scope']),
  th: new Set(['colspan', 'rowspan', 'nowrap', 'headers', 'scope']),
  col: new Set(['span']),
  colgroup: new Set(['span']),
  font: new Set(['color', 'face', 'size']),
  ol: new Set(['start', 'type', 'reversed']),
  li: new Set(['value']),
  details: new Set(['open']),
  time: new Set(['datetime']),
  bdo: new Set(['dir']),
}

export function escapeHtml(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;')
}

/** What a browser would see as the URL: control characters and whitespace do not hide a scheme. */
export function compactUrl(value: string): string {
  // eslint-disable-next-line no-control-regex
  return value.replace(/[\u0000-\u0020\u007f-\u009f\u00ad\u200b-\u200f\u2028\u2029\ufeff]/g, '')
}

export function schemeOf(url: string): string | null {
  const match = /^([a-z][a-z0-9+.-]*):/i.exec(url)
  return match ? match[1]!.toLowerCase() : null
}

const safeDataImage = /^data:image\/(?:png|gif|jpeg|jpg|webp);base64,[a-z0-9+/=]+$/i

function safeHref(value: string): string | null {
  const url = compactUrl(value)
  const scheme = schemeOf(url)
  return scheme === 'http' || scheme === 'https' || scheme === 'mailto' || scheme === 'tel' ? url : null
}

type ImageSource = { kind: 'src'; url: string } | { kind: 'remote'; url: string } | null

function imageSource(value: string): ImageSource {
  const url = compactUrl(value)
  const scheme = schemeOf(url)
  if (scheme === 'cid') return { kind: 'src', url }
  // Raster data images only: an SVG image can carry script when opened on its own.
  if (scheme === 'data') return safeDataImage.test(url) ? { kind: 'src', url } : null
  if (scheme === 'http' || scheme === 'https') return { kind: 'remote', url }
  return null
}

// Anything that can load, run or escape: url(), expression(), legacy bindings, escapes that
// could spell those, comments, and positioning that could overlay our own interface.
const unsafeStyleValue = /[\\<>{}@]|\/\*|\(|javascript|vbscript|expression|behaviou?r|binding|-moz-/i

const unsafeStyleProperties = new Set(['position', 'behavior', 'behaviour', '-moz-binding', 'cursor', 'content', 'z-index'])

export function sanitizeStyle(style: string): string {
  const kept: string[] = []
  for (const declaration of style.split(';')) {
    const colon = declaration.indexOf(':')
    if (colon < 0) continue
    const property = declaration.slice(0, colon).trim().toLowerCase()
    const value = declaration.slice(colon + 1).trim()
    if (!/^[a-z][a-z-]{0,40}$/.test(property) || unsafeStyleProperties.has(property) || !value) continue
    // rgb()/rgba()/hsl() colours are the one function worth keeping.
    const withoutColours = value.replace(/\b(?:rgba?|hsla?)\(\s*[\d.,%\s/]+\)/gi, '')
    if (unsafeStyleValue.test(withoutColours) || value.length > 200) continue
    kept.push(`${property}: ${value}`)
  }
  return kept.join('; ')
}

/** Client-made quote containers: shown collapsed, one click away. */
function quoteKind(tag: string, attributes: Record<string, string>): 'element' | 'rest-of-parent' | null {
  const classes = ` ${(attributes.class ?? '').toLowerCase()} `
  const id = (attributes.id ?? '').toLowerCase()
  if (tag === 'blockquote' && (attributes.type ?? '').toLowerCase() === 'cite') return 'element'
  if (tag === 'div' && (classes.includes(' gmail_quote ') || classes.includes(' yahoo_quoted ') || classes.includes(' moz-cite-prefix '))) return 'element'
  // Outlook puts a header block (From/Sent/To) before the quoted message, as siblings.
  if (tag === 'div' && (id === 'divrplyfwdmsg' || id === 'appendonsend')) return 'rest-of-parent'
  return null
}

export interface SanitizedHtml {
  html: string
  /** How many remote images were held back. */
  remoteImages: number
}

const quoteOpen = '<details class="quoted"><summary>Show quoted text</summary>'

interface OpenElement {
  /** The tag we emitted, whose end tag we owe; null for dropped or unwrapped elements. */
  emitted: string | null
  skip: boolean
}

function renderAttributes(tag: string, attributes: Record<string, string>, onRemoteImage: () => void): string {
  const parts: string[] = []
  const allowed = tagAttributes[tag]
  for (const [rawName, value] of Object.entries(attributes)) {
    const attribute = rawName.toLowerCase()
    if (!globalAttributes.has(attribute) && !allowed?.has(attribute)) continue
    if (attribute === 'href') {
      const href = safeHref(value)
      if (href) parts.push(` href="${escapeHtml(href)}" target="_blank" rel="noopener noreferrer nofollow"`)
    } else if (attribute === 'src') {
      const source = imageSource(value)
      if (source?.kind === 'src') parts.push(` src="${escapeHtml(source.url)}"`)
      if (source?.kind === 'remote') {
        onRemoteImage()
        parts.push(` data-remote-src="${escapeHtml(source.url)}"`)
      }
    } else if (attribute === 'style') {
      const style = sanitizeStyle(value)
      if (style) parts.push(` style="${escapeHtml(style)}"`)
    } else {
      parts.push(` ${attribute}="${escapeHtml(value.slice(0, 500))}"`)
    }
  }
  return parts.join('')
}

/**
 * Whether a quote container holds forwarded content: a forward marker on one of its lines before
 * any nested quote (Gmail's `gmail_attr` line, Apple Mail's first line; a note typed above it in
 * the container may come first). A reply's attribution ("On … wrote:") comes before a quote instead.
 */
function holdsForward(markup: string): boolean {
  const head = markup.slice(0, 4000)
  const beforeQuote = head.slice(0, (head.search(/<blockquote\b/i) + 1 || head.length + 1) - 1)
  const lines = beforeQuote
    .replace(/<(?:br|\/?div|\/?p)\b[^>]*>/gi, '\n')
    .replace(/<[^>]*>/g, '')
    .replace(/&nbsp;|&#160;|\u00a0/gi, ' ')
    .split('\n')
  return lines.some((line) => forwardMarker.test(line))
}

/**
 * Email HTML made safe to show. Client quote containers fold away under "Show quoted text", except
 * forwarded content (a container that starts with a forward marker, as Gmail's and Apple Mail's
 * forwards do; for a message whose subject says it is a forward, `forwarded`, also Outlook's
 * header block, which it writes the same above a forward as above a reply): that is the message.
 */
export function sanitizeHtml(input: string, options: { forwarded?: boolean } = {}): SanitizedHtml {
  const out: string[] = []
  const stack: OpenElement[] = []
  let skipping = 0
  let remoteImages = 0
  // The quote wrapper closes when the stack shrinks below this depth.
  let quoteDepth: number | null = null

  const parser = new Parser(
    {
      onopentag(name, attributes) {
        const tag = name.toLowerCase()
        if (skipping > 0 || droppedWithContent.has(tag)) {
          skipping++
          stack.push({ emitted: null, skip: true })
          return
        }
        // Unknown elements (html, body, form, Office's o:p …) are unwrapped: content kept.
        if (!allowedTags.has(tag)) {
          stack.push({ emitted: null, skip: false })
          return
        }
        let quote = quoteDepth === null ? quoteKind(tag, attributes) : null
        if (quote === 'rest-of-parent' && options.forwarded) quote = null
        // The element's content follows its open tag, which ends at endIndex.
        if (quote === 'element' && holdsForward(input.slice(parser.endIndex + 1))) quote = null
        if (quote) {
          out.push(quoteOpen)
          quoteDepth = quote === 'element' ? stack.length + 1 : stack.length
        }
        out.push(`<${tag}${renderAttributes(tag, attributes, () => remoteImages++)}>`)
        stack.push({ emitted: voidTags.has(tag) ? null : tag, skip: false })
      },
      ontext(text) {
        if (skipping === 0) out.push(escapeHtml(text))
      },
      // htmlparser2 balances every element (implied end tags included), so the stack stays true.
      onclosetag() {
        const open = stack.pop()
        if (!open) return
        if (open.skip) skipping--
        else if (open.emitted) out.push(`</${open.emitted}>`)
        if (quoteDepth !== null && stack.length < quoteDepth) {
          out.push('</details>')
          quoteDepth = null
        }
      },
    },
    { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true, recognizeSelfClosing: false },
  )
  parser.write(input)
  parser.end()
  if (quoteDepth !== null) out.push('</details>')
  return { html: out.join(''), remoteImages }
}

/** The stored HTML with remote images allowed to load (after the agent asked for them). */
export function showRemoteImages(html: string): string {
  return html.replace(/ data-remote-src="/g, ' src="')
}

const blockTags = new Set([
  'address',
  'article',
  'aside',
  'blockquote',
  'br',
  'caption',
  'center',
  'dd',
  'details',
  'div',
  'dl',
  'dt',
  'figcaption',
  'figure',
  'footer',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'header',
  'hr',
  'li',
  'main',
  'nav',
  'ol',
  'p',
  'pre',
  'section',
  'summary',
  'table',
  'tr',
  'ul',
])

/**
 * The readable text of an HTML body (for search, previews and mails that have no text part):
 * block elements become line breaks, table cells are separated, nothing inert is kept.
 */
export function htmlToText(input: string): string {
  const out: string[] = []
  let skipping = 0
  const parser = new Parser(
    {
      onopentag(name) {
        const tag = name.toLowerCase()
        if (skipping > 0 || droppedWithContent.has(tag)) {
          skipping++
          return
        }
        if (blockTags.has(tag)) out.push('\n')
        if (tag === 'td' || tag === 'th') out.push('\t')
      },
      ontext(text) {
        if (skipping === 0) out.push(text.replace(/[ \t\r\n\f]+/g, ' '))
      },
      // Inside a dropped element every open tag was counted, so every close tag uncounts one.
      onclosetag(name) {
        const tag = name.toLowerCase()
        if (skipping > 0) {
          skipping--
          return
        }
        if (blockTags.has(tag) && tag !== 'br') out.push('\n')
      },
    },
    { decodeEntities: true, lowerCaseTags: true, recognizeSelfClosing: false },
  )
  parser.write(input)
  parser.end()
  return out
    .join('')
    .replace(/\u00a0/g, ' ')
    .split('\n')
    .map((line) => line.replace(/[ \t]+/g, ' ').trim())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim()
}
