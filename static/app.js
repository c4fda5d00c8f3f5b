// Switchboard's small front-end layer. The server renders every piece of HTML; this file only
// wires behaviour that HTML attributes cannot express. No build step: plain ES2022.
/* global htmx */

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

// A message can reach the page twice (the POST's response and the room's broadcast, or a resume
// racing a broadcast). Drop an appended message that is already on screen.
htmx.defineExtension('sb-live', {
  transformResponse(text) {
    if (!text.includes('beforeend:#thread-messages')) return text
    const template = document.createElement('template')
    template.innerHTML = text
    for (const item of template.content.querySelectorAll('[hx-swap-oob="beforeend:#thread-messages"] > [id]')) {
      if (document.getElementById(item.id)) item.remove()
    }
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

document.addEventListener('htmx:pushedIntoHistory', markActiveRow)
document.addEventListener('htmx:historyRestore', markActiveRow)
document.addEventListener('htmx:oobAfterSwap', (event) => {
  if (event.detail.target?.id === 'conversation-rows') markActiveRow()
  if (event.detail.target?.id === 'thread-messages') scrollThreadToEnd(false)
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
  if (!focusLinkedMessage()) scrollThreadToEnd(true)
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

document.addEventListener('htmx:responseError', (event) => {
  const template = document.createElement('template')
  template.innerHTML = event.detail.xhr.responseText
  const text = template.content.textContent.trim()
  showToast(text && text.length < 200 ? text : `Request failed (${event.detail.xhr.status}).`)
})
document.addEventListener('htmx:sendError', () => showToast('You seem to be offline. Check the connection and try again.'))
