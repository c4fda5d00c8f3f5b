import { Parser } from 'htmlparser2'
import { compactUrl, droppedWithContent as emailDroppedWithContent, escapeHtml, schemeOf } from './sanitize-html'

/**
 * Rich text that agents write (replies, comments, snippets, templates, articles) and paste in
 * from Word, Gmail or a web page. The editor cleans a paste in the browser for comfort, but only
 * this server-side pass decides what is stored and shown: a small allowlist, every text and
 * attribute value escaped by us, so the output parses to exactly the tree we emitted.
 *
 * Kept: paragraphs and line breaks, bold/italic/underline/strike, lists, links (http, https,
 * mailto, tel), inline code and code blocks, quotes, headings h2–h4 (h1 becomes h2), and a few
 * classed elements our own features insert: a teammate mention (`span.mention` with
 * `data-user-id`), a link card (`div.link-card`), a `{{placeholder}}` token (`span.placeholder`).
 * Everything else is unwrapped (its text kept) or, for active content, dropped with its content.
 * No style, no id, no event handler, no image (documents and videos are inserted as link cards).
 */

const allowedTags = new Set([
  'p',
  'br',
  'b',
  'strong',
  'i',
  'em',
  'u',
  's',
  'strike',
  'ul',
  'ol',
  'li',
  'a',
  'code',
  'pre',
  'blockquote',
  'h2',
  'h3',
  'h4',
  'span',
  'div',
])
const renamed: Record<string, string> = { h1: 'h2', b: 'strong', i: 'em', strike: 's', del: 's' }
const voidTags = new Set(['br'])

// The email sanitiser's list, plus what agent-written text never carries: forms and images
// (documents and videos go in as link cards).
const droppedWithContent = new Set([...emailDroppedWithContent, 'form', 'img'])

/** Classes our features put on span/div; any other class is dropped. */
const allowedClasses: Record<string, Set<string>> = {
  span: new Set(['mention', 'placeholder']),
  div: new Set(['link-card', 'link-card-title', 'link-card-url', 'link-card-kind']),
  a: new Set(['link-card-link']),
}

const idPattern = /^[a-z0-9]{1,40}$/

/** An href we keep: absolute http(s)/mailto/tel, or a same-site path ("/kb/…", "/d/…"). */
export function safeRichHref(value: string): string | null {
  const url = compactUrl(value)
  if (/^\/(?![/\\])/.test(url)) return url
  const scheme = schemeOf(url)
  return scheme === 'http' || scheme === 'https' || scheme === 'mailto' || scheme === 'tel' ? url : null
}

interface Open {
  emitted: string | null
  skip: boolean
}

function attributesFor(tag: string, attributes: Record<string, string>): string {
  const parts: string[] = []
  if (tag === 'a') {
    const href = attributes.href ? safeRichHref(attributes.href) : null
    if (href) parts.push(` href="${escapeHtml(href)}" target="_blank" rel="noopener noreferrer nofollow"`)
  }
  const classes = (attributes.class ?? '').split(/\s+/).filter((name) => allowedClasses[tag]?.has(name))
  if (classes.length > 0) parts.push(` class="${classes.join(' ')}"`)
  if (tag === 'span' && classes.includes('mention') && idPattern.test(attributes['data-user-id'] ?? '')) {
    parts.push(` data-user-id="${attributes['data-user-id']}"`)
  }
  if (tag === 'ol' && /^\d{1,6}$/.test(attributes.start ?? '')) parts.push(` start="${attributes.start}"`)
  return parts.join('')
}

/** Rich text an agent wrote or pasted, reduced to what we store and show. Empty paragraphs at the ends are trimmed. */
export function sanitizeRichText(input: string): string {
  const out: string[] = []
  const stack: Open[] = []
  let skipping = 0
  const parser = new Parser(
    {
      onopentag(name, attributes) {
        const raw = name.toLowerCase()
        if (skipping > 0 || droppedWithContent.has(raw)) {
          skipping++
          stack.push({ emitted: null, skip: true })
          return
        }
        const tag = renamed[raw] ?? raw
        if (!allowedTags.has(tag)) {
          // Word's <o:p>, Gmail's <font>, tables, sections …: keep the text, lose the element.
          stack.push({ emitted: null, skip: false })
          return
        }
        const rendered = attributesFor(tag, attributes)
        // A bare span or div carries nothing: unwrap spans, keep divs as line structure.
        if (tag === 'span' && rendered === '') {
          stack.push({ emitted: null, skip: false })
          return
        }
        out.push(`<${tag}${rendered}>`)
        stack.push({ emitted: voidTags.has(tag) ? null : tag, skip: false })
      },
      ontext(text) {
        if (skipping === 0) out.push(escapeHtml(text))
      },
      onclosetag() {
        const open = stack.pop()
        if (!open) return
        if (open.skip) skipping--
        else if (open.emitted) out.push(`</${open.emitted}>`)
      },
    },
    { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true, recognizeSelfClosing: false },
  )
  parser.write(input)
  parser.end()
  return out
    .join('')
    .replace(/^(?:\s|<p>(?:\s|&nbsp;|<br>)*<\/p>|<br>)+/, '')
    .replace(/(?:\s|<p>(?:\s|&nbsp;|<br>)*<\/p>|<br>)+$/, '')
}

const blockTags = new Set(['p', 'div', 'ul', 'ol', 'li', 'pre', 'blockquote', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'tr', 'table'])

/**
 * The plain-text form of rich text: for the email text alternative, chat visitors, search and
 * previews. Lists get "- " / "1. ", links keep their address ("text <url>") unless the text is
 * the address, quotes get "> ".
 */
export function richTextToPlain(input: string): string {
  const out: string[] = []
  const lists: { ordered: boolean; n: number }[] = []
  const links: { href: string | null; start: number }[] = []
  let quoteDepth = 0
  let skipping = 0
  const newline = (blank = false) => out.push((blank ? '\n\n' : '\n') + '> '.repeat(quoteDepth))
  const parser = new Parser(
    {
      onopentag(name, attributes) {
        const tag = name.toLowerCase()
        if (skipping > 0 || droppedWithContent.has(tag)) {
          skipping++
          return
        }
        if (tag === 'blockquote') quoteDepth++
        if (tag === 'br') newline()
        else if (tag === 'ul' || tag === 'ol') lists.push({ ordered: tag === 'ol', n: Number(attributes.start ?? 1) || 1 })
        else if (tag === 'li') {
          const list = lists[lists.length - 1]
          newline()
          out.push('  '.repeat(Math.max(0, lists.length - 1)) + (list?.ordered ? `${list.n++}. ` : '- '))
        } else if (blockTags.has(tag)) newline(tag !== 'div' && tag !== 'tr')
        if (tag === 'a') links.push({ href: attributes.href ? safeRichHref(attributes.href) : null, start: out.length })
      },
      ontext(text) {
        if (skipping === 0) out.push(text.replace(/[ \t\r\n\f]+/g, ' '))
      },
      onclosetag(name) {
        const tag = name.toLowerCase()
        if (skipping > 0) {
          skipping--
          return
        }
        if (tag === 'a') {
          const link = links.pop()
          const text = link ? out.slice(link.start).join('').trim() : ''
          const href = link?.href?.replace(/^mailto:/i, '')
          if (href && text !== href && !text.includes(href)) out.push(` <${link!.href}>`)
        }
        if (tag === 'ul' || tag === 'ol') lists.pop()
        if (tag === 'blockquote') quoteDepth = Math.max(0, quoteDepth - 1)
        if (blockTags.has(tag) && tag !== 'li') newline(tag !== 'div' && tag !== 'tr')
      },
    },
    { decodeEntities: true, lowerCaseTags: true, recognizeSelfClosing: false },
  )
  parser.write(input)
  parser.end()
  return (
    out
      .join('')
      .replace(/\u00a0/g, ' ')
      .split('\n')
      .map((line) => line.replace(/[ \t]+/g, ' ').replace(/\s+$/, ''))
      .join('\n')
      // A line that is only quote marks (the gap around a quoted block) is a blank line.
      .replace(/^(?:> ?)+$/gm, '')
      .replace(/\n{3,}/g, '\n\n')
      .trim()
  )
}

/** Plain text (what a visitor or a textarea sent) as rich text: paragraphs and line breaks, escaped. */
export function plainToRichText(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .trim()
    .split(/\n{2,}/)
    .filter((block) => block.trim() !== '')
    .map((block) => `<p>${escapeHtml(block).replace(/\n/g, '<br>')}</p>`)
    .join('')
}
