// Switchboard's small front-end layer. The server renders every piece of HTML; this file only
// wires behaviour that HTML attributes cannot express. No build step: plain ES2022.
/* global htmx */

import { tr } from './i18n.js'

const threadSocketPath = /\/conversations\/[a-z0-9]+\/live/

// Resume a thread socket from the newest message on screen, not from when the page loaded:
// after a reconnect the room sends exactly what was missed.
const createWebSocket = htmx.createWebSocket
htmx.createWebSocket = (url) => {
  if (threadSocketPath.test(url)) {
    const seqs = [...document.querySelectorAll('#thread-messages [data-seq]')].map((el) => Number(el.dataset.seq))
    const target = new URL(url)
    target.searchParams.set('after', String(seqs.length ? Math.max(...seqs) : 0))
    url = target.toString()
  }
  return createWebSocket ? createWebSocket(url) : new WebSocket(url)
}

// htmx takes over a swapped-in form when the swap settles, a moment after the form (and its
// autofocused field) is on screen. A submit in between would go out natively, as a GET of the page
// with the form's fields in the address bar; it is handed to htmx instead.
document.addEventListener('submit', (event) => {
  const form = event.target
  if (event.defaultPrevented || !(form instanceof HTMLFormElement) || !form.matches('[hx-post], [hx-get], [hx-put], [hx-patch], [hx-delete]')) return
  event.preventDefault()
  htmx.process(form)
  htmx.trigger(form, 'submit')
})

// An update for a row, count or header that this page does not show (a row of another view, or
// one that the other answer already removed: an action's response and the live update both
// delete a row that left the list) is dropped instead of failing in htmx (htmx:oobErrorNoTarget).
function withoutOrphanUpdates(text) {
  if (typeof text !== 'string' || !text.includes('hx-swap-oob')) return text
  const template = document.createElement('template')
  template.innerHTML = text
  let dropped = false
  for (const item of [...template.content.children]) {
    const how = item.getAttribute('hx-swap-oob')
    if (item.id && (how === 'true' || how === 'delete' || how === 'outerHTML') && !document.getElementById(item.id)) {
      item.remove()
      dropped = true
    }
  }
  return dropped ? template.innerHTML : text
}
// For answers to requests: the element that asked may have been replaced meanwhile (a live header
// swaps the button that was pressed), and with it the extension, so this runs for every swap.
document.addEventListener('htmx:beforeSwap', (event) => {
  event.detail.serverResponse = withoutOrphanUpdates(event.detail.serverResponse)
})

// A message can reach the page twice (the POST's response and the room's broadcast, or a resume
// racing a broadcast). Drop an appended message that is already on screen.
// Likewise a thread header pushed by the room can be older than the one an action just returned:
// headers carry the conversation's newest sequence number, and an older one is dropped.
htmx.defineExtension('sb-live', {
  transformResponse(text) {
    text = withoutOrphanUpdates(text)
    if (!text.includes('beforeend:#thread-messages') && !text.includes('id="thread-header"')) return text
    const template = document.createElement('template')
    template.innerHTML = text
    for (const item of template.content.querySelectorAll('[hx-swap-oob="beforeend:#thread-messages"] > [id]')) {
      if (document.getElementById(item.id)) item.remove()
    }
    const incoming = template.content.querySelector('#thread-header[hx-swap-oob]')
    const current = document.getElementById('thread-header')
    if (incoming && current && Number(incoming.dataset.version) < Number(current.dataset.version)) incoming.remove()
    return template.innerHTML
  },
})

function currentConversationId() {
  const match = /\/c\/([a-z0-9]+)$/.exec(location.pathname)
  return match ? match[1] : null
}

function markActiveRow() {
  const activeId = currentConversationId()
  for (const row of document.querySelectorAll('.conversation-row')) {
    row.classList.toggle('active', row.dataset.conversationId === activeId)
  }
}

function scrollThreadToEnd(force) {
  const list = document.getElementById('thread-messages')
  if (!list) return
  const scroller = list.closest('.thread') ?? list
  const nearEnd = scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 160
  if (force || nearEnd) scroller.scrollTop = scroller.scrollHeight
}

function focusLinkedMessage() {
  const id = location.hash.slice(1)
  const target = id.startsWith('msg-') ? document.getElementById(id) : null
  if (!target) return false
  target.scrollIntoView({ block: 'center' })
  target.classList.add('linked')
  return true
}

// Two quick actions on a thread (a then e) can answer out of order: the pane each one returns
// carries the conversation's newest sequence number, and one older than the last pane swapped in
// is not swapped in (the newer answer already shows its effect). Compared with the last answer's
// number, not the header's: live updates move the header on (a line the close itself adds later,
// such as the survey's) without the action's other effects, and the action's answer must land.
let lastPane = { conversationId: null, version: -1 }
document.addEventListener('htmx:beforeSwap', (event) => {
  if (event.detail.target?.id !== 'thread' || !event.detail.shouldSwap) return
  const template = document.createElement('template')
  template.innerHTML = event.detail.serverResponse
  const conversationId = template.content.querySelector('.thread-layout')?.dataset.conversationId
  const version = Number(template.content.querySelector('#thread-header')?.dataset.version)
  if (!conversationId || Number.isNaN(version)) return
  if (conversationId === lastPane.conversationId && version < lastPane.version) {
    event.detail.shouldSwap = false
    return
  }
  lastPane = { conversationId, version }
})

document.addEventListener('htmx:pushedIntoHistory', markActiveRow)
document.addEventListener('htmx:historyRestore', markActiveRow)
// The agent's own message always comes into view (the composer shrinks as it is sent, so the
// thread may be further from its end than "near" by then); others' only when reading at the end.
let ownPostPending = false
document.addEventListener('htmx:beforeRequest', (event) => {
  if (event.detail.elt instanceof HTMLElement && event.detail.elt.matches('form.composer')) ownPostPending = true
})
document.addEventListener('htmx:oobAfterSwap', (event) => {
  if (event.detail.target?.id === 'conversation-rows') markActiveRow()
  if (event.detail.target?.id === 'thread-messages') {
    scrollThreadToEnd(ownPostPending)
    ownPostPending = false
  }
})
// A refused post (the composer comes back with its error) appends nothing: the next live message is someone else's.
document.addEventListener('htmx:afterSettle', () => {
  ownPostPending = false
})
document.addEventListener('htmx:afterSwap', (event) => {
  if (event.detail.target?.id === 'thread') {
    if (!focusLinkedMessage()) scrollThreadToEnd(true)
  }
})

// Ctrl/Cmd+Enter sends from the composer.
document.addEventListener('keydown', (event) => {
  if (event.key !== 'Enter' || !(event.ctrlKey || event.metaKey)) return
  const form = event.target instanceof HTMLElement ? event.target.closest('form.composer') : null
  if (form) {
    event.preventDefault()
    form.requestSubmit()
  }
})

document.addEventListener('DOMContentLoaded', () => {
  // A page answering a form POST (a new invitation's link, shown once) names its plain address, so
  // a reload asks for that page instead of sending the form again.
  const plain = document.querySelector('[data-replace-url]')?.getAttribute('data-replace-url')
  if (plain?.startsWith('/')) history.replaceState(history.state, '', plain)
  if (!focusLinkedMessage()) scrollThreadToEnd(true)
  // htmx has processed the page by now (its own handler ran first): the UI is live.
  document.documentElement.dataset.ready = 'true'
})

// A failed request shows a short notice instead of failing silently.
function showToast(message) {
  let region = document.getElementById('toasts')
  if (!region) {
    region = document.createElement('div')
    region.id = 'toasts'
    region.setAttribute('role', 'status')
    region.setAttribute('aria-live', 'polite')
    document.body.append(region)
  }
  const toast = document.createElement('div')
  toast.className = 'toast'
  toast.textContent = message
  region.append(toast)
  setTimeout(() => toast.remove(), 6000)
}

document.addEventListener('notice:show', (event) => showToast(event.detail.message))
document.addEventListener('htmx:responseError', (event) => {
  // The server already said it through the notice:show trigger.
  if ((event.detail.xhr.getResponseHeader('HX-Trigger') ?? '').includes('notice:show')) return
  const template = document.createElement('template')
  template.innerHTML = event.detail.xhr.responseText
  const text = template.content.textContent.trim()
  showToast(text && text.length < 200 ? text : tr('client.request_failed', `Request failed (${event.detail.xhr.status}).`, { status: event.detail.xhr.status }))
})
document.addEventListener('htmx:sendError', () => showToast(tr('client.offline', 'You seem to be offline. Check the connection and try again.')))

// ---- Selecting rows for bulk actions -------------------------------------------------------
// The selection survives live row updates: it is kept here by id and re-applied after swaps.

const selected = new Set()
let lastToggled = null

function rowCheckboxes() {
  return [...document.querySelectorAll('#conversation-rows .row-select')]
}

function syncSelection() {
  for (const box of rowCheckboxes()) box.checked = selected.has(box.value)
  const bar = document.getElementById('bulk')
  if (!bar) return
  for (const id of [...selected]) if (!rowCheckboxes().some((box) => box.value === id)) selected.delete(id)
  bar.hidden = selected.size === 0
  bar.querySelector('.bulk-count').textContent = tr('client.bulk.selected', `${selected.size} selected`, { count: selected.size })
}

document.addEventListener('click', (event) => {
  const box = event.target instanceof HTMLInputElement && event.target.classList.contains('row-select') ? event.target : null
  if (box) {
    const boxes = rowCheckboxes()
    if (event.shiftKey && lastToggled && boxes.includes(lastToggled)) {
      // Shift-click ticks (or unticks) the whole range between the last click and this one.
      const [from, to] = [boxes.indexOf(lastToggled), boxes.indexOf(box)].sort((a, b) => a - b)
      for (const other of boxes.slice(from, to + 1)) {
        other.checked = box.checked
        if (box.checked) selected.add(other.value)
        else selected.delete(other.value)
      }
    }
    if (box.checked) selected.add(box.value)
    else selected.delete(box.value)
    lastToggled = box
    syncSelection()
    return
  }
  if (event.target instanceof HTMLElement && event.target.closest('[data-bulk-clear]')) {
    selected.clear()
    syncSelection()
  }
  // A snippet to paste elsewhere (a channel's embed code): the text of the element the button names.
  const copyText = event.target instanceof HTMLElement ? event.target.closest('[data-copy-text]') : null
  if (copyText) {
    const text = document.getElementById(copyText.dataset.copyText)?.textContent ?? ''
    navigator.clipboard?.writeText(text).then(
      () => showToast(tr('client.copied', 'Copied.')),
      () => showToast(text),
    )
  }
  const copy = event.target instanceof HTMLElement ? event.target.closest('[data-copy-link]') : null
  if (copy) {
    const url = new URL(copy.dataset.copyLink, location.origin).toString()
    navigator.clipboard?.writeText(url).then(
      () => showToast(tr('client.link_copied', 'Link copied.')),
      () => showToast(url),
    )
    copy.closest('details')?.removeAttribute('open')
  }
})

document.addEventListener('bulk:done', (event) => {
  selected.clear()
  const { action, count } = event.detail
  const verb = { close: 'Closed', reopen: 'Reopened', trash: 'Moved to trash:', restore: 'Restored' }[action] ?? 'Updated'
  const key = action in { close: 1, reopen: 1, trash: 1, restore: 1 } ? action : 'other'
  showToast(tr(`client.bulk.${key}`, `${verb} ${count} conversation${count === 1 ? '' : 's'}.`, { count }))
})
document.addEventListener('htmx:afterSettle', syncSelection)
document.addEventListener('htmx:oobAfterSwap', syncSelection)
document.addEventListener('htmx:wsAfterMessage', syncSelection)

// ---- Keyboard ---------------------------------------------------------------------------------

const shortcuts = () => [
  ['j / k', tr('client.shortcuts.next', 'Next / previous conversation')],
  ['Enter', tr('client.shortcuts.open', 'Open the selected conversation')],
  ['e', tr('client.shortcuts.close_conversation', 'Close the open conversation')],
  ['#', tr('client.shortcuts.trash', 'Move the open conversation to trash')],
  ['a', tr('client.shortcuts.assign', 'Assign the open conversation to me')],
  ['/', tr('client.shortcuts.search', 'Search')],
  ['?', tr('client.shortcuts.help', 'Show these shortcuts')],
  ['Ctrl+Enter', tr('client.shortcuts.send', 'Send from the composer')],
]

function typingInField(event) {
  const target = event.target
  return target instanceof HTMLElement && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))
}

function moveFocus(step) {
  const links = [...document.querySelectorAll('#conversation-rows .row-link')]
  if (links.length === 0) return
  const current = links.indexOf(document.activeElement)
  const active = links.findIndex((link) => link.closest('.conversation-row')?.classList.contains('active'))
  const from = current >= 0 ? current : active
  const next = links[Math.min(Math.max(from + step, 0), links.length - 1)] ?? links[0]
  next.focus()
  next.scrollIntoView({ block: 'nearest' })
}

function toggleShortcutHelp() {
  let dialog = document.getElementById('shortcut-help')
  if (!dialog) {
    dialog = document.createElement('dialog')
    dialog.id = 'shortcut-help'
    dialog.className = 'shortcut-help'
    const title = document.createElement('h2')
    title.textContent = tr('client.shortcuts.title', 'Keyboard shortcuts')
    const list = document.createElement('dl')
    for (const [keys, what] of shortcuts()) {
      const dt = document.createElement('dt')
      dt.textContent = keys
      const dd = document.createElement('dd')
      dd.textContent = what
      list.append(dt, dd)
    }
    const close = document.createElement('button')
    close.className = 'button small'
    close.textContent = tr('client.shortcuts.close', 'Close')
    close.addEventListener('click', () => dialog.close())
    dialog.append(title, list, close)
    document.body.append(dialog)
  }
  if (dialog.open) dialog.close()
  else dialog.showModal()
}

function clickInThread(selector) {
  const control = document.querySelector(`#thread ${selector}`)
  if (!control) return
  // A key pressed just after the thread was swapped in (before htmx's settle has bound the new
  // buttons) would click a button that does nothing yet: bind it first (a no-op when it is bound).
  htmx.process(control)
  control.click()
}

document.addEventListener('keydown', (event) => {
  if (event.ctrlKey || event.metaKey || event.altKey || typingInField(event)) return
  switch (event.key) {
    case 'j':
      moveFocus(1)
      break
    case 'k':
      moveFocus(-1)
      break
    case '/': {
      const search = document.querySelector('#search input[name=q]')
      if (!search) return
      search.focus()
      search.select()
      break
    }
    case 'e':
      clickInThread('[data-shortcut="e"]')
      break
    case '#':
      clickInThread('[data-shortcut="#"]')
      break
    case 'a': {
      const owner = document.querySelector('#thread [data-owner-select]')
      const me = document.body.dataset.userId
      if (!owner || !me || owner.disabled || owner.value === me) return
      owner.value = me
      htmx.process(owner)
      owner.dispatchEvent(new Event('change', { bubbles: true }))
      break
    }
    case '?':
      toggleShortcutHelp()
      break
    default:
      return
  }
  event.preventDefault()
})

// ---- Live thread: typing and collision detection ----------------------------------------------

let threadSocket = null
let typingSentAt = 0
let typingStopTimer = 0
let typingClearTimer = 0

// Live elements say when their socket is open (data-live), for people reading the DOM and tests.
document.addEventListener('htmx:wsOpen', (event) => {
  event.detail.elt?.setAttribute?.('data-live', 'true')
  if (event.detail.elt?.classList?.contains('thread-layout')) threadSocket = event.detail.socketWrapper
})
document.addEventListener('htmx:wsClose', (event) => {
  event.detail.elt?.removeAttribute?.('data-live')
  if (event.detail.elt?.classList?.contains('thread-layout')) threadSocket = null
})

function sendTyping(typing) {
  if (!threadSocket) return false
  threadSocket.send(JSON.stringify({ type: 'typing', typing }))
  return true
}

// Tell the visitor and the other agents that a reply is being written (at most every 2 s).
document.addEventListener('input', (event) => {
  if (!(event.target instanceof HTMLTextAreaElement) || !event.target.closest('#composer')) return
  const now = Date.now()
  if (now - typingSentAt > 2000 && sendTyping(true)) typingSentAt = now
  clearTimeout(typingStopTimer)
  typingStopTimer = setTimeout(() => {
    typingSentAt = 0
    sendTyping(false)
  }, 3000)
})
document.addEventListener('htmx:beforeRequest', (event) => {
  if (event.detail.elt?.id === 'composer') {
    clearTimeout(typingStopTimer)
    typingSentAt = 0
    sendTyping(false)
  }
})

// Messages that arrive live have been seen: the collision check only warns about unseen replies.
document.addEventListener('htmx:oobAfterSwap', (event) => {
  if (event.detail.target?.id === 'thread-messages') {
    const seqs = [...document.querySelectorAll('#thread-messages [data-seq]')].map((el) => Number(el.dataset.seq))
    const seen = document.querySelector('#composer input[name=seenSeq]')
    if (seen && seqs.length) seen.value = String(Math.max(Number(seen.value) || 0, ...seqs))
  }
  if (event.detail.target?.id === 'thread-typing') {
    // A typing notice that is not refreshed fades after a few seconds (the writer may have left).
    clearTimeout(typingClearTimer)
    typingClearTimer = setTimeout(() => {
      const notice = document.getElementById('thread-typing')
      if (notice) notice.textContent = ''
    }, 6000)
  }
})

// ---- A compact composer ------------------------------------------------------------------------
// The composer shows one or two lines until it is used: focusing it (or a picker it opened) opens
// the toolbar and the fields; it folds again when the focus leaves it with nothing written.

function composerIsEmpty(form) {
  const area = form.querySelector('.editor-area')
  if (area) return area.classList.contains('is-empty')
  return !form.querySelector('textarea')?.value
}

function composerFocus(target) {
  const form = document.getElementById('composer')
  if (!form || !(target instanceof Element)) return
  if (form.contains(target) || target.closest('.editor-popover')) form.classList.add('is-active')
  else if (!document.querySelector('.editor-popover') && composerIsEmpty(form)) form.classList.remove('is-active')
}
// A press opens it on click, not on pointerdown: growing between press and release would move
// what is under the pointer (the Reply/Comment switch) and the click would land elsewhere.
let pointerPressed = false
document.addEventListener('pointerdown', () => (pointerPressed = true), true)
document.addEventListener('focusin', (event) => {
  if (!pointerPressed) composerFocus(event.target)
})
document.addEventListener('click', (event) => {
  pointerPressed = false
  composerFocus(event.target)
})
document.addEventListener('pointerup', (event) => {
  // A press that ends without a click (a drag, a selection) still settles the composer.
  setTimeout(() => {
    if (!pointerPressed) return
    pointerPressed = false
    composerFocus(event.target)
  })
})
