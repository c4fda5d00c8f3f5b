// The reply editor: a contenteditable area that progressively enhances the composer's textarea
// (templates/composer.tsx). It keeps the form's `html` and `text` fields filled in, so the form
// still posts through htmx as before; the server sanitises `html` (src/lib/rich-text.ts) whatever
// this file lets through. The cleaning here is for comfort: pasted Word/Gmail/web markup is
// reduced to structure before the agent sees it, and nothing active is ever put into the page.

const draftDelayMs = 800
const heightKey = 'switchboard.editorHeight'
const minHeightPx = 64

// ---- Cleaning: foreign HTML to the editor's small vocabulary -----------------------------------

/** Elements dropped with everything inside them (active content, metadata, media, form controls). */
const dropped = new Set([
  'script',
  'style',
  'iframe',
  'object',
  'embed',
  'svg',
  'math',
  'img',
  'picture',
  'video',
  'audio',
  'source',
  'track',
  'canvas',
  'template',
  'head',
  'title',
  'meta',
  'link',
  'base',
  'noscript',
  'noembed',
  'noframes',
  'form',
  'input',
  'button',
  'select',
  'option',
  'optgroup',
  'textarea',
  'datalist',
  'frame',
  'frameset',
  'applet',
  'map',
  'portal',
  'dialog',
  'xml',
  'param',
  'slot',
  'xmp',
  'plaintext',
  'listing',
])
/** What each kept element becomes. Anything not listed is unwrapped: its text stays. */
const renamed = {
  p: 'p',
  br: 'br',
  b: 'strong',
  strong: 'strong',
  i: 'em',
  em: 'em',
  u: 'u',
  s: 's',
  strike: 's',
  del: 's',
  ul: 'ul',
  ol: 'ol',
  li: 'li',
  a: 'a',
  code: 'code',
  tt: 'code',
  kbd: 'code',
  samp: 'code',
  pre: 'pre',
  blockquote: 'blockquote',
  h1: 'h2',
  h2: 'h2',
  h3: 'h3',
  h4: 'h4',
  h5: 'h4',
  h6: 'h4',
  div: 'div',
  span: 'span',
}
/** Classes our own inserts carry (mentions, placeholders, link cards); every other class goes. */
const keptClasses = {
  span: ['mention', 'placeholder'],
  div: ['link-card', 'link-card-title', 'link-card-url', 'link-card-kind'],
  a: ['link-card-link'],
}
const atomicSelector = 'span.mention, div.link-card'
/** Elements that stand on lines of their own: a block insert goes between them, never into one. */
const blockNames = new Set(['p', 'div', 'ul', 'ol', 'li', 'pre', 'blockquote', 'h2', 'h3', 'h4'])
/** What the `#` and `@` triggers look for before the caret: the character and the word typed after it. */
const triggerPattern = /(?:^|[\s\u00a0(])([#@])([^\s\u00a0#@]{0,40})$/

/** Link targets the editor accepts: web and mail addresses, and our own /paths (articles, documents). */
export function safeHref(value) {
  // Browsers ignore control characters and whitespace inside a scheme ("java\tscript:").
  // eslint-disable-next-line no-control-regex
  const url = String(value ?? '').replace(/[\u0000-\u0020\u007f-\u009f\u00ad\u200b-\u200f\u2028\u2029\ufeff]/g, '')
  if (/^\/(?![/\\])/.test(url)) return url
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase()
  return scheme === 'http' || scheme === 'https' || scheme === 'mailto' ? url : null
}

function styleOf(element) {
  return (element.getAttribute('style') ?? '').toLowerCase().replace(/\s+/g, '')
}

function isWordListParagraph(element) {
  return element.localName === 'p' && /(^|\s)MsoListParagraph/i.test(element.getAttribute('class') ?? '')
}

/** Builds the cleaned copy of `source`'s children into `target` (nodes of the page's document). */
function cleanChildren(source, target) {
  for (const node of [...source.childNodes]) {
    if (node.nodeType === Node.TEXT_NODE) {
      const text = node.data.replace(/\u200b/g, '')
      if (text) target.append(document.createTextNode(text))
      continue
    }
    if (node.nodeType !== Node.ELEMENT_NODE) continue
    const name = node.localName.toLowerCase()
    const style = styleOf(node)
    // Word's fake list bullets ("·", "1.") and hidden text.
    if (dropped.has(name) || style.includes('mso-list:ignore') || style.includes('display:none')) continue
    let tag = renamed[name]
    // Google Docs wraps a whole paste in <b style="font-weight:normal">.
    if (tag === 'strong' && /font-weight:(normal|400)/.test(style)) tag = undefined
    if (isWordListParagraph(node)) tag = 'li'
    let element = null
    if (tag === 'a') {
      const href = safeHref(node.getAttribute('href'))
      if (href) {
        element = document.createElement('a')
        element.setAttribute('href', href)
      }
    } else if (tag && tag !== 'span') {
      element = document.createElement(tag)
      if (tag === 'ol' && /^\d{1,6}$/.test(node.getAttribute('start') ?? '')) element.setAttribute('start', node.getAttribute('start'))
    }
    const classes = (node.getAttribute('class') ?? '').split(/\s+/).filter((name) => keptClasses[tag]?.includes(name))
    if (classes.length > 0) {
      element ??= document.createElement(tag)
      element.className = classes.join(' ')
      const userId = node.getAttribute('data-user-id') ?? ''
      if (tag === 'span' && classes.includes('mention') && /^[a-z0-9]{1,40}$/.test(userId)) element.setAttribute('data-user-id', userId)
    }
    // Pasted inline styles that mean formatting (Google Docs, Gmail) become the elements for it.
    let inner = element
    let outer = element
    const wrap = (wrapperTag) => {
      const wrapper = document.createElement(wrapperTag)
      if (inner) inner.append(wrapper)
      else outer = wrapper
      inner = wrapper
    }
    if (!tag || tag === 'span' || tag === 'div' || tag === 'p') {
      if (/font-weight:(bold|[6-9]00)/.test(style)) wrap('strong')
      if (/font-style:italic/.test(style)) wrap('em')
      if (/text-decoration(-line)?:[^;]*underline/.test(style)) wrap('u')
    }
    if (isWordListParagraph(node)) {
      const marker = node.querySelector('[style*="mso-list"]')?.textContent ?? ''
      element.dataset.wordList = /^\s*\(?[0-9a-z]{1,3}[.)]/i.test(marker) ? 'ol' : 'ul'
    }
    cleanChildren(node, inner ?? target)
    if (outer) target.append(outer)
  }
  groupWordLists(target)
  return target
}

/** Word pastes lists as paragraphs; consecutive ones become a real list. */
function groupWordLists(container) {
  let list = null
  for (const child of [...container.childNodes]) {
    if (child.nodeType === Node.ELEMENT_NODE && child.dataset?.wordList) {
      const kind = child.dataset.wordList
      delete child.dataset.wordList
      if (!list || list.localName !== kind) {
        list = document.createElement(kind)
        child.before(list)
      }
      list.append(child)
    } else if (!(child.nodeType === Node.TEXT_NODE && !child.data.trim())) {
      list = null
    }
  }
}

/** Foreign HTML, parsed inertly (a DOMParser document runs no script and loads nothing), cleaned. */
export function cleanHtml(html) {
  const parsed = new DOMParser().parseFromString(`<body>${html}</body>`, 'text/html')
  return cleanChildren(parsed.body, document.createDocumentFragment())
}

/** The editor's content as the HTML the form posts. */
function serialize(area) {
  const holder = document.createElement('div')
  cleanChildren(area, holder)
  // contenteditable types a lone space at a boundary as a no-break space; the message wants a space.
  const walker = document.createTreeWalker(holder, NodeFilter.SHOW_TEXT)
  for (let text = walker.nextNode(); text; text = walker.nextNode()) text.data = text.data.replace(/(?<![ \u00a0])\u00a0(?![ \u00a0])/g, ' ')
  return holder.innerHTML
}

function escapeHtml(text) {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
}

function plainToHtml(text) {
  return text
    .replace(/\r\n?/g, '\n')
    .trim()
    .split(/\n{2,}/)
    .filter((block) => block.trim())
    .map((block) => `<p>${escapeHtml(block).replace(/\n/g, '<br>')}</p>`)
    .join('')
}

const isBlock = (node) => node?.nodeType === Node.ELEMENT_NODE && blockNames.has(node.localName)

/** Something an agent would see: text, a mention or a card (an empty paragraph or list item is not). */
function hasContent(node) {
  return Boolean(node.textContent.replace(/\u200b/g, '').trim()) || Boolean(node.querySelector?.(atomicSelector))
}

/** The run of inline nodes around `node` (text typed straight into the area) becomes one paragraph. */
function wrapInlineRun(node) {
  let first = node
  while (first.previousSibling && !isBlock(first.previousSibling)) first = first.previousSibling
  const paragraph = document.createElement('p')
  first.before(paragraph)
  while (paragraph.nextSibling && !isBlock(paragraph.nextSibling)) paragraph.append(paragraph.nextSibling)
  return paragraph
}

/** Inline runs between a fragment's blocks become paragraphs; whitespace between blocks goes. */
function paragraphsIn(fragment) {
  let child = fragment.firstChild
  while (child) {
    if (isBlock(child)) {
      child = child.nextSibling
      continue
    }
    const paragraph = wrapInlineRun(child)
    child = paragraph.nextSibling
    if (!hasContent(paragraph)) paragraph.remove()
  }
  return fragment
}

/** A collapsed range at the first place inside `block` where typing lands (not inside a card). */
function caretAtStart(block) {
  const range = document.createRange()
  const walker = document.createTreeWalker(block, NodeFilter.SHOW_TEXT)
  for (let text = walker.nextNode(); text; text = walker.nextNode()) {
    if (text.parentElement?.closest(atomicSelector)) continue
    range.setStart(text, 0)
    return range
  }
  let element = block
  while (element.firstElementChild && element.firstChild === element.firstElementChild && isBlock(element.firstElementChild))
    element = element.firstElementChild
  range.setStart(element, 0)
  return range
}

function htmlOf(fragment) {
  const holder = document.createElement('div')
  holder.append(fragment)
  return holder.innerHTML
}

// ---- The popover: Insert pickers and trigger autocomplete ---------------------------------------

let popover = null

/** Live editors, so a pane re-rendered around one (an assignment, a status change) keeps what was typed. */
const liveEditors = new Set()
/** What an editor held when a swap replaced it, keyed by its draft URL and kind. */
let carried = null

function closePopover({ restoreFocus = false } = {}) {
  if (!popover) return
  const { element, editor, returnFocus, controller } = popover
  controller?.abort()
  element.remove()
  popover = null
  for (const button of editor.toolbar.querySelectorAll('[aria-expanded]')) button.removeAttribute('aria-expanded')
  if (restoreFocus) (returnFocus ?? editor.area).focus()
}

function placePopover(element, rect) {
  // The composer sits at the bottom of the thread: the popover opens upwards from its anchor.
  const left = Math.max(8, Math.min(rect.left, window.innerWidth - element.offsetWidth - 8))
  element.style.left = `${left}px`
  element.style.bottom = `${Math.max(8, window.innerHeight - rect.top + 6)}px`
}

function openPopover(editor, { label, rect, mode, returnFocus }) {
  closePopover()
  const element = document.createElement('div')
  element.className = `editor-popover editor-popover-${mode}`
  element.setAttribute('role', 'dialog')
  element.setAttribute('aria-label', label)
  if (mode !== 'trigger') {
    const close = document.createElement('button')
    close.type = 'button'
    close.className = 'editor-popover-close icon-button'
    close.setAttribute('aria-label', editor.strings.close ?? 'Close')
    close.textContent = '×'
    close.addEventListener('click', () => closePopover({ restoreFocus: true }))
    element.append(close)
  }
  const body = document.createElement('div')
  body.className = 'editor-popover-body'
  element.append(body)
  // Outside the composer's form: picker pages may hold forms of their own, and must not inherit
  // the composer's hx-target.
  document.body.append(element)
  popover = { element, body, editor, mode, returnFocus, rect, trigger: null, controller: null }
  // Pressing an item must not take the focus (and the caret) out of the editor: a trigger list
  // is picked from while the caret still sits after the typed trigger.
  element.addEventListener('mousedown', (event) => {
    if (event.target instanceof Element && event.target.closest('.picker-item')) event.preventDefault()
  })
  element.addEventListener('click', (event) => {
    const item = event.target instanceof Element ? event.target.closest('.picker-item') : null
    if (item && element.contains(item)) {
      event.preventDefault()
      pick(item)
    }
  })
  element.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') {
      event.preventDefault()
      closePopover({ restoreFocus: true })
    } else if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      const items = [...element.querySelectorAll('.picker-item')]
      if (items.length === 0) return
      event.preventDefault()
      items[stepIndex(items.indexOf(document.activeElement), items.length, event.key === 'ArrowDown')]?.focus()
    }
  })
  placePopover(element, rect)
  return popover
}

/** Loads a picker fragment into the popover; htmx wires up whatever forms it contains. */
async function loadInto(state, url) {
  const { strings } = state.editor
  state.controller?.abort()
  const controller = new AbortController()
  state.controller = controller
  state.body.setAttribute('aria-busy', 'true')
  if (!state.body.firstChild) state.body.textContent = strings.loading ?? '…'
  try {
    const response = await fetch(url, { headers: { 'HX-Request': 'true' }, credentials: 'same-origin', signal: controller.signal })
    const html = response.ok ? await response.text() : null
    if (controller.signal.aborted || popover !== state) return
    if (html === null) {
      state.body.innerHTML = ''
      const failed = document.createElement('p')
      failed.className = 'picker-empty'
      failed.textContent = strings.loadFailed ?? 'This could not be loaded.'
      state.body.append(failed)
    } else {
      // Our own routes render these fragments escaped; handlers and scripts are stripped anyway
      // (parsed in an inert template first), so a mistake in one picker cannot run in the page.
      const template = document.createElement('template')
      template.innerHTML = html
      for (const element of template.content.querySelectorAll('*')) {
        if (element.localName === 'script') element.remove()
        else for (const { name } of [...element.attributes]) if (/^on/i.test(name)) element.removeAttribute(name)
      }
      state.body.replaceChildren(template.content)
      window.htmx?.process(state.body)
    }
  } catch (error) {
    if (error?.name === 'AbortError') return
    state.body.textContent = strings.loadFailed ?? 'This could not be loaded.'
  } finally {
    state.body.removeAttribute('aria-busy')
  }
  if (popover !== state) return
  placePopover(state.element, state.rect)
  if (state.mode === 'trigger') markSelected(state, 0)
  else (state.body.querySelector('input:not([type=hidden]), .picker-item, button, a[href]') ?? state.element.querySelector('button'))?.focus()
}

/** The next (or previous) of `count` items, wrapping; from nothing, down is the first and up the last. */
function stepIndex(current, count, down) {
  if (current < 0) return down ? 0 : count - 1
  return (current + (down ? 1 : count - 1)) % count
}

function markSelected(state, index) {
  const items = [...state.element.querySelectorAll('.picker-item')]
  items.forEach((item, position) => {
    item.classList.toggle('is-selected', position === index)
    // The list is plain buttons (no listbox): the item Enter would pick is the current one.
    if (position === index) item.setAttribute('aria-current', 'true')
    else item.removeAttribute('aria-current')
  })
  state.selected = items.length ? index : -1
  items[index]?.scrollIntoView({ block: 'nearest' })
}

function pick(item) {
  const state = popover
  if (!state) return
  const { editor, trigger } = state
  closePopover()
  const subject = item.dataset.insertSubject
  if (subject) {
    const field = editor.form.querySelector('input[name=subject]')
    if (field) field.value = subject
  }
  const html = item.dataset.insertHtml ?? ''
  // The typed trigger text ("@gra", "#ref") is what the pick replaces: handed to the insert as its
  // target, so no remembered caret can stand in for it.
  editor.insertHtml(htmlOf(cleanHtml(html)) + (trigger?.char === '@' ? '&nbsp;' : ''), { range: trigger?.range() ?? null })
}

// ---- One editor ---------------------------------------------------------------------------------

function parseJson(value, fallback) {
  try {
    return JSON.parse(value ?? '') ?? fallback
  } catch {
    return fallback
  }
}

function enhance(root) {
  if (root.dataset.editorReady) return
  const form = root.closest('form')
  const textarea = root.querySelector('textarea[name=text]')
  const htmlInput = root.querySelector('input[data-editor-html]')
  const toolbar = root.querySelector('.editor-toolbar')
  if (!form || !textarea || !htmlInput || !toolbar) return
  root.dataset.editorReady = 'true'
  const strings = parseJson(root.dataset.strings, {})
  const drafts = parseJson(root.dataset.drafts, {})

  const area = document.createElement('div')
  area.className = 'editor-area'
  area.contentEditable = 'true'
  area.setAttribute('role', 'textbox')
  area.setAttribute('aria-multiline', 'true')
  area.setAttribute('aria-label', strings.label ?? 'Message')
  area.spellcheck = true
  const savedHeight = Number(localStorage.getItem(heightKey))
  if (savedHeight >= minHeightPx) area.style.height = `${savedHeight}px`

  const handle = document.createElement('div')
  handle.className = 'editor-resize'
  handle.setAttribute('role', 'separator')
  handle.setAttribute('aria-orientation', 'horizontal')
  handle.setAttribute('aria-label', strings.resize ?? 'Resize the editor')
  handle.tabIndex = 0
  // A focusable separator is a slider-like widget: it says its value (the editor's height in px).
  const describeHeight = (height) => {
    handle.setAttribute('aria-valuemin', String(minHeightPx))
    handle.setAttribute('aria-valuemax', String(Math.round(window.innerHeight * 0.7)))
    handle.setAttribute('aria-valuenow', String(Math.round(height)))
  }
  describeHeight(Math.max(savedHeight || 0, minHeightPx))

  // The textarea stays in the form (hidden) and carries the plain text; `html` gets its name now,
  // so a browser without this script posts only the textarea.
  textarea.hidden = true
  textarea.required = false
  textarea.tabIndex = -1
  htmlInput.name = 'html'
  root.prepend(handle)
  textarea.after(area)
  toolbar.hidden = false
  const status = form.querySelector('.editor-status')

  const kindOf = () => (form.querySelector('input[name=kind]:checked')?.value === 'comment' ? 'comment' : 'reply')
  let currentKind = kindOf()
  let savedRange = null
  let saveTimer = 0
  let inFlight = null
  let sending = false

  const setContent = (html) => {
    area.replaceChildren(cleanHtml(html))
    markAtomic()
  }
  const markAtomic = () => {
    for (const node of area.querySelectorAll(atomicSelector)) node.setAttribute('contenteditable', 'false')
  }
  const placeholder = () => (currentKind === 'comment' ? strings.placeholderComment : strings.placeholderReply) ?? ''

  function sync() {
    htmlInput.value = serialize(area)
    textarea.value = area.innerText.replace(/\u200b/g, '').trim()
    area.classList.toggle('is-empty', textarea.value === '' && !area.querySelector('li, .mention, .link-card'))
    area.dataset.placeholder = placeholder()
  }

  // ---- drafts ----
  const draftFieldsSkipped = new Set(['kind', 'html', 'text', 'seenSeq', 'confirmed'])
  function draftBody(kind) {
    const body = new URLSearchParams({ kind, html: htmlInput.value })
    for (const field of form.elements) {
      if (!field.name || field.disabled || draftFieldsSkipped.has(field.name)) continue
      if (field.type === 'file' || field.type === 'submit' || field.type === 'button') continue
      if ((field.type === 'radio' || field.type === 'checkbox') && !field.checked) continue
      body.append(field.name, field.value)
    }
    return body
  }
  let lastSaved = draftBody(currentKind).toString()

  function saveDraft({ keepalive = false, kind = currentKind } = {}) {
    clearTimeout(saveTimer)
    if (sending || !root.dataset.draftUrl) return inFlight
    const body = draftBody(kind)
    const key = body.toString()
    if (key === lastSaved) return inFlight
    lastSaved = key
    drafts[kind] = htmlInput.value
    const request = fetch(root.dataset.draftUrl, {
      method: 'PUT',
      body,
      credentials: 'same-origin',
      // keepalive bodies are capped at 64 KiB; a bigger draft was saved by the debounce anyway.
      keepalive: keepalive && key.length < 60_000,
    })
      .then((response) => {
        if (!response.ok) throw new Error(String(response.status))
        if (status) status.textContent = strings.draftSaved ?? ''
      })
      .catch(() => {
        lastSaved = ''
        if (status) status.textContent = strings.draftFailed ?? ''
      })
      .finally(() => {
        if (inFlight === request) inFlight = null
      })
    inFlight = request
    return request
  }
  const scheduleSave = () => {
    clearTimeout(saveTimer)
    if (status) status.textContent = ''
    saveTimer = setTimeout(() => saveDraft(), draftDelayMs)
  }

  // ---- editing ----
  const editor = {
    form,
    area,
    toolbar,
    strings,
    /**
     * Puts picked HTML in place of `range` (the typed trigger text a pick replaces), or else at the
     * caret, and leaves the caret after it. Inline content (a mention, a link, a one-paragraph
     * snippet) joins the line being written; blocks (several paragraphs, a list, a link card) go
     * between the halves of the current paragraph, and the caret into the paragraph after them.
     */
    insertHtml(html, { range = null } = {}) {
      const target = selectForInsert(range)
      const fragment = cleanHtml(html)
      const parts = [...fragment.childNodes].filter((node) => hasContent(node) || node.localName === 'br')
      if (parts.length === 1 && parts[0].localName === 'p') parts[0].replaceWith(...parts[0].childNodes)
      if ([...fragment.childNodes].some(isBlock)) insertBlocks(fragment, target)
      else insertInline(htmlOf(fragment), target)
      markAtomic()
      sync()
      scheduleSave()
    },
    /** Pasted or dropped HTML: the browser's own insert, which joins the first pasted paragraph to the current one. */
    pasteHtml(html) {
      selectForInsert(null)
      insertInline(html, getSelection().getRangeAt(0))
      markAtomic()
      sync()
      scheduleSave()
    },
  }

  /** Selects `range` if it is still in this editor (else the remembered caret), never inside a card or mention. */
  function selectForInsert(range) {
    const selection = getSelection()
    if (range && area.contains(range.commonAncestorContainer)) {
      area.focus()
      selection.removeAllRanges()
      selection.addRange(range)
    } else restoreSelection()
    const current = selection.getRangeAt(0).cloneRange()
    const atomicAround = (node) => {
      const element = node instanceof Element ? node : node.parentElement
      const found = element?.closest(atomicSelector)
      return found && area.contains(found) ? found : null
    }
    const endAtomic = atomicAround(current.endContainer)
    if (endAtomic) current.setEndAfter(endAtomic)
    const startAtomic = atomicAround(current.startContainer)
    if (startAtomic) current.setStartAfter(startAtomic)
    if (startAtomic || endAtomic) {
      selection.removeAllRanges()
      selection.addRange(current)
    }
    return selection.getRangeAt(0)
  }

  function insertInline(html, range) {
    // insertHTML keeps the browser's undo history and leaves the caret after what it inserted.
    if (!document.execCommand('insertHTML', false, html)) {
      range.deleteContents()
      const fragment = cleanHtml(html)
      const last = fragment.lastChild
      range.insertNode(fragment)
      if (last) {
        range.setStartAfter(last)
        range.collapse(true)
        getSelection().removeAllRanges()
        getSelection().addRange(range)
      }
    }
    rememberSelection()
  }

  // Blocks are placed by hand: the browser's insertHTML merges a block's first part into the
  // current paragraph (a card's kind label became text of the line) and leaves the caret inside
  // the last block inserted (the next card went into the previous one).
  function insertBlocks(fragment, range) {
    range.deleteContents()
    // A marker keeps the caret's place while the block around it is split in two.
    const marker = document.createElement('span')
    range.insertNode(marker)
    let top = marker
    while (top.parentNode !== area) top = top.parentNode
    if (!isBlock(top)) top = wrapInlineRun(top)
    const rest = document.createRange()
    rest.setStartAfter(marker)
    rest.setEndAfter(top)
    // A copy of the current block (its list, its bold) holding what followed the caret.
    const tail = rest.extractContents().firstChild
    marker.remove()
    const blocks = [...paragraphsIn(fragment).childNodes]
    top.after(fragment)
    let next = tail && hasContent(tail) ? tail : null
    if (!next) {
      next = document.createElement('p')
      next.append(document.createElement('br'))
    }
    ;(blocks.at(-1) ?? top).after(next)
    if (!hasContent(top)) top.remove()
    const caret = caretAtStart(next)
    getSelection().removeAllRanges()
    getSelection().addRange(caret)
    savedRange = caret.cloneRange()
    next.scrollIntoView?.({ block: 'nearest' })
  }

  function rememberSelection() {
    const selection = getSelection()
    if (selection.rangeCount && area.contains(selection.getRangeAt(0).commonAncestorContainer)) savedRange = selection.getRangeAt(0).cloneRange()
  }
  function restoreSelection() {
    area.focus()
    const selection = getSelection()
    if (savedRange && area.contains(savedRange.commonAncestorContainer)) {
      selection.removeAllRanges()
      selection.addRange(savedRange)
    } else if (!selection.rangeCount || !area.contains(selection.getRangeAt(0).commonAncestorContainer)) {
      const range = document.createRange()
      range.selectNodeContents(area)
      range.collapse(false)
      selection.removeAllRanges()
      selection.addRange(range)
    }
  }

  function insideSelection(selector) {
    const node = getSelection().anchorNode
    const element = node instanceof Element ? node : node?.parentElement
    const found = element?.closest(selector)
    return found && area.contains(found) ? found : null
  }

  function updateToolbar() {
    for (const button of toolbar.querySelectorAll('[aria-pressed]')) {
      const command = button.dataset.command
      let pressed = false
      try {
        if (command === 'code') pressed = Boolean(insideSelection('code')) && !insideSelection('pre')
        else pressed = document.queryCommandState(command)
      } catch {
        pressed = false
      }
      button.setAttribute('aria-pressed', String(pressed))
    }
  }

  function toggleInlineCode() {
    const code = insideSelection('code')
    if (code && !code.closest('pre')) {
      code.replaceWith(...code.childNodes)
      return
    }
    const selection = getSelection()
    const text = selection.toString()
    if (text) {
      document.execCommand('insertHTML', false, `<code>${escapeHtml(text)}</code>`)
      return
    }
    // Nothing selected: an empty code span to type into.
    const range = selection.getRangeAt(0)
    const element = document.createElement('code')
    const inner = document.createTextNode('\u200b')
    element.append(inner)
    range.insertNode(element)
    range.setStart(inner, 1)
    range.collapse(true)
    selection.removeAllRanges()
    selection.addRange(range)
  }

  function openLinkForm(button) {
    rememberSelection()
    const state = openPopover(editor, { label: strings.linkAddress ?? 'Link', rect: button.getBoundingClientRect(), mode: 'link', returnFocus: button })
    const linkForm = document.createElement('form')
    linkForm.className = 'editor-link-form'
    linkForm.noValidate = true
    const input = document.createElement('input')
    input.type = 'url'
    input.placeholder = 'https://'
    input.setAttribute('aria-label', strings.linkAddress ?? 'Link address')
    const add = document.createElement('button')
    add.type = 'submit'
    add.className = 'button small'
    add.textContent = strings.linkAdd ?? 'Add link'
    const problem = document.createElement('p')
    problem.className = 'form-error small'
    problem.hidden = true
    linkForm.append(input, add, problem)
    state.body.append(linkForm)
    input.focus()
    linkForm.addEventListener('submit', (event) => {
      event.preventDefault()
      const raw = input.value.trim()
      const address = /^[^\s:/]+@[^\s@]+\.[^\s@]+$/.test(raw) ? `mailto:${raw}` : /^www\./i.test(raw) ? `https://${raw}` : raw
      const href = safeHref(address)
      if (!href || href.startsWith('/') || !/^(https?:\/\/[^\s/]|mailto:\S)/i.test(href)) {
        problem.textContent = strings.linkInvalid ?? 'Use an http, https or mailto address.'
        problem.hidden = false
        input.focus()
        return
      }
      closePopover()
      restoreSelection()
      if (getSelection().isCollapsed) document.execCommand('insertHTML', false, `<a href="${escapeHtml(href)}">${escapeHtml(raw)}</a>`)
      else document.execCommand('createLink', false, href)
      sync()
      scheduleSave()
    })
  }

  function runCommand(button) {
    const command = button.dataset.command
    if (command === 'link') return openLinkForm(button)
    restoreSelection()
    if (command === 'code') toggleInlineCode()
    else if (command === 'codeBlock') document.execCommand('formatBlock', false, insideSelection('pre') ? 'p' : 'pre')
    else document.execCommand(command)
    rememberSelection()
    updateToolbar()
    sync()
    scheduleSave()
  }

  // Toolbar buttons keep the caret where it is: a mousedown would move focus (and the selection) away.
  toolbar.addEventListener('mousedown', (event) => {
    if (event.target instanceof Element && event.target.closest('button')) event.preventDefault()
  })
  toolbar.addEventListener('click', (event) => {
    const button = event.target instanceof Element ? event.target.closest('button') : null
    if (!button) return
    if (button.dataset.command) return runCommand(button)
    if (button.dataset.pickerUrl) {
      rememberSelection()
      if (popover?.returnFocus === button) return closePopover()
      const state = openPopover(editor, { label: button.textContent.trim(), rect: button.getBoundingClientRect(), mode: 'menu', returnFocus: button })
      button.setAttribute('aria-expanded', 'true')
      loadInto(state, button.dataset.pickerUrl)
    }
  })

  // ---- triggers: #snippet, @mention (comments only) ----
  let triggerTimer = 0
  function textRange(node, start, end) {
    const range = document.createRange()
    range.setStart(node, start)
    range.setEnd(node, end)
    return range
  }
  function checkTrigger() {
    clearTimeout(triggerTimer)
    const selection = getSelection()
    const node = selection.anchorNode
    if (!selection.isCollapsed || !node || node.nodeType !== Node.TEXT_NODE || !area.contains(node) || node.parentElement?.closest('code, pre, a, .mention')) {
      if (popover?.mode === 'trigger') closePopover()
      return
    }
    const offset = selection.anchorOffset
    const match = triggerPattern.exec(node.data.slice(0, offset))
    const char = match?.[1]
    const url = char === '#' ? root.dataset.snippetUrl : char === '@' && currentKind === 'comment' ? root.dataset.mentionUrl : null
    if (!match || !url) {
      if (popover?.mode === 'trigger') closePopover()
      return
    }
    const word = match[2]
    const start = offset - word.length - 1
    const typed = char + word
    const trigger = {
      char,
      /**
       * The typed trigger text, checked at pick time: where it was seen if it is still there, or
       * else found again before the caret (the browser may have split or replaced the text node).
       */
      range() {
        if (area.contains(node) && node.data.slice(start, offset) === typed) return textRange(node, start, offset)
        const selection = getSelection()
        const caret = selection.rangeCount && area.contains(selection.anchorNode) ? selection.getRangeAt(0) : savedRange
        if (!caret?.collapsed || caret.startContainer.nodeType !== Node.TEXT_NODE || !area.contains(caret.startContainer)) return null
        const before = caret.startContainer.data.slice(0, caret.startOffset)
        const found = triggerPattern.exec(before)
        if (found?.[1] !== char) return null
        return textRange(caret.startContainer, caret.startOffset - found[2].length - 1, caret.startOffset)
      },
    }
    if (popover?.mode === 'trigger' && popover.editor === editor) popover.trigger = trigger
    triggerTimer = setTimeout(() => {
      const caret = selection.rangeCount ? selection.getRangeAt(0).getBoundingClientRect() : area.getBoundingClientRect()
      const rect = caret.width || caret.height ? caret : area.getBoundingClientRect()
      let state = popover?.mode === 'trigger' && popover.editor === editor ? popover : null
      if (!state) state = openPopover(editor, { label: (char === '#' ? strings.snippets : strings.mentions) ?? '', rect, mode: 'trigger' })
      state.trigger = trigger
      state.rect = rect
      loadInto(state, `${url}?${new URLSearchParams({ q: word })}`)
    }, 120)
  }

  area.addEventListener('keydown', (event) => {
    if (popover?.mode === 'trigger' && popover.editor === editor) {
      const items = [...popover.element.querySelectorAll('.picker-item')]
      if (event.key === 'Escape') {
        event.preventDefault()
        closePopover()
        return
      }
      if ((event.key === 'ArrowDown' || event.key === 'ArrowUp') && items.length) {
        event.preventDefault()
        markSelected(popover, stepIndex(popover.selected ?? -1, items.length, event.key === 'ArrowDown'))
        return
      }
      if ((event.key === 'Enter' || event.key === 'Tab') && !event.ctrlKey && !event.metaKey && items.length) {
        event.preventDefault()
        pick(items[Math.max(0, popover.selected ?? 0)])
        return
      }
    }
  })
  area.addEventListener('input', () => {
    sync()
    // The live layer's typing notice listens for input on the composer's textarea.
    textarea.dispatchEvent(new Event('input', { bubbles: true }))
    scheduleSave()
    checkTrigger()
  })
  area.addEventListener('keyup', () => {
    rememberSelection()
    updateToolbar()
  })
  area.addEventListener('mouseup', () => {
    rememberSelection()
    updateToolbar()
  })
  area.addEventListener('focus', () => document.execCommand('defaultParagraphSeparator', false, 'p'))
  area.addEventListener('blur', () => {
    rememberSelection()
    saveDraft()
  })

  // ---- paste and drop: cleaned structure, or plain text ----
  function insertTransfer(data) {
    if (!data) return
    const html = data.getData('text/html')
    let clean = html ? htmlOf(cleanHtml(html)) : ''
    if (!clean.replace(/<[^>]*>/g, '').trim()) clean = plainToHtml(data.getData('text/plain') ?? '')
    if (clean) editor.pasteHtml(clean)
  }
  area.addEventListener('paste', (event) => {
    event.preventDefault()
    insertTransfer(event.clipboardData)
  })
  area.addEventListener('drop', (event) => {
    event.preventDefault()
    const range = document.caretRangeFromPoint?.(event.clientX, event.clientY)
    if (range && area.contains(range.startContainer)) savedRange = range
    insertTransfer(event.dataTransfer)
  })

  // ---- resize: drag the handle (or arrow keys on it); the height is remembered ----
  const setHeight = (px) => {
    const height = Math.round(Math.max(minHeightPx, Math.min(px, window.innerHeight * 0.7)))
    area.style.height = `${height}px`
    describeHeight(height)
    localStorage.setItem(heightKey, String(height))
  }
  handle.addEventListener('pointerdown', (event) => {
    event.preventDefault()
    const startY = event.clientY
    const startHeight = area.getBoundingClientRect().height
    handle.setPointerCapture(event.pointerId)
    const move = (moved) => setHeight(startHeight + (startY - moved.clientY))
    const stop = () => {
      handle.removeEventListener('pointermove', move)
      handle.removeEventListener('pointerup', stop)
      handle.removeEventListener('pointercancel', stop)
    }
    handle.addEventListener('pointermove', move)
    handle.addEventListener('pointerup', stop)
    handle.addEventListener('pointercancel', stop)
  })
  handle.addEventListener('keydown', (event) => {
    if (event.key !== 'ArrowUp' && event.key !== 'ArrowDown') return
    event.preventDefault()
    setHeight(area.getBoundingClientRect().height + (event.key === 'ArrowUp' ? 24 : -24))
  })

  // ---- the rest of the form: reply/comment switch, recipients, sending ----
  form.addEventListener('change', (event) => {
    if (!(event.target instanceof HTMLInputElement) || event.target.name !== 'kind') return scheduleSave()
    // Reply and comment are separate drafts: park one, bring back the other.
    saveDraft({ kind: currentKind })
    drafts[currentKind] = htmlInput.value
    currentKind = kindOf()
    form.classList.toggle('composer-comment', currentKind === 'comment')
    form.classList.toggle('composer-message', currentKind !== 'comment')
    setContent(drafts[currentKind] ?? '')
    closePopover()
    sync()
    lastSaved = draftBody(currentKind).toString()
  })
  form.addEventListener('input', (event) => {
    if (event.target !== textarea && !area.contains(event.target)) scheduleSave()
  })
  form.addEventListener('htmx:confirm', (event) => {
    if (event.detail.elt !== form) return
    clearTimeout(saveTimer)
    sync()
    // A save still on its way could land after the send and bring the sent draft back.
    sending = true
    if (inFlight) {
      event.preventDefault()
      inFlight.finally(() => event.detail.issueRequest(true))
    }
  })
  form.addEventListener('htmx:validation:halted', () => {
    sending = false
  })
  form.addEventListener('htmx:afterRequest', (event) => {
    if (event.detail.elt === form && !event.detail.successful) sending = false
  })
  const onPageHide = () => {
    if (form.isConnected) saveDraft({ keepalive: true })
    else window.removeEventListener('pagehide', onPageHide)
  }
  window.addEventListener('pagehide', onPageHide)

  setContent(htmlInput.value || (textarea.value ? plainToHtml(textarea.value) : ''))
  // The pane was re-rendered around the composer: the server's copy may be a keystroke behind.
  const carriedHere = carried && carried.draftUrl === root.dataset.draftUrl && carried.kind === currentKind ? carried : null
  carried = null
  if (carriedHere) {
    setContent(carriedHere.html)
    if (carriedHere.focused) restoreSelection()
  }
  sync()
  lastSaved = draftBody(currentKind).toString()

  liveEditors.add({
    area,
    form,
    /** Before a swap that removes this editor (not its own send): save now and hand the text over. */
    leaving() {
      if (sending || !root.dataset.draftUrl) return
      sync()
      carried = { draftUrl: root.dataset.draftUrl, kind: currentKind, html: htmlInput.value, focused: document.activeElement === area }
      saveDraft({ keepalive: true })
    },
  })

  // Keyboard: Ctrl/Cmd+K makes a link; the toolbar is one tab stop with arrow keys inside (WAI-ARIA toolbar).
  area.addEventListener('keydown', (event) => {
    if ((event.ctrlKey || event.metaKey) && !event.altKey && event.key.toLowerCase() === 'k') {
      event.preventDefault()
      openLinkForm(toolbar.querySelector('[data-command=link]'))
    }
  })
  const toolButtons = () => [...toolbar.querySelectorAll('button')]
  for (const [index, button] of toolButtons().entries()) button.tabIndex = index === 0 ? 0 : -1
  toolbar.addEventListener('keydown', (event) => {
    const buttons = toolButtons()
    const index = buttons.indexOf(document.activeElement)
    if (index < 0) return
    const next = { ArrowRight: index + 1, ArrowLeft: index - 1, Home: 0, End: buttons.length - 1 }[event.key]
    if (next === undefined) return
    event.preventDefault()
    const target = buttons[(next + buttons.length) % buttons.length]
    for (const button of buttons) button.tabIndex = button === target ? 0 : -1
    target.focus()
  })
}

function enhanceAll(scope) {
  if (!(scope instanceof Element || scope instanceof Document)) return
  if (scope instanceof Element && scope.matches('[data-editor]')) enhance(scope)
  scope.querySelectorAll('[data-editor]').forEach(enhance)
}

document.addEventListener('htmx:load', (event) => enhanceAll(event.detail.elt))
document.addEventListener('mousedown', (event) => {
  if (popover && event.target instanceof Node && !popover.element.contains(event.target) && !popover.editor.toolbar.contains(event.target)) closePopover()
})
document.addEventListener('htmx:beforeSwap', (event) => {
  const target = event.detail.target
  if (popover && !popover.element.contains(target) && target?.contains?.(popover.editor.area)) closePopover()
  for (const editor of [...liveEditors]) {
    if (!editor.area.isConnected) liveEditors.delete(editor)
    // The composer's own send answers with a fresh composer: nothing to carry over then.
    else if (target?.contains?.(editor.area) && event.detail.requestConfig?.elt !== editor.form) editor.leaving()
  }
})
enhanceAll(document)
