// The panes around a thread: the left navigation and the right contact sidebar collapse and
// expand, and the choice is remembered in this browser. Also closes the ticket's "View more"
// slide-over. No build step: plain ES2022.

const storageKey = (side) => `switchboard:pane:${side}`
const paneOf = (side) => document.getElementById(side === 'left' ? 'nav-pane' : 'contact-pane')

function stored(side) {
  try {
    return localStorage.getItem(storageKey(side))
  } catch {
    return null // storage disabled: the CSS defaults apply
  }
}

function remember(side, state) {
  try {
    localStorage.setItem(storageKey(side), state)
  } catch {
    // Not remembered; it still applies to this page.
  }
}

/** Whether a pane is on screen now (CSS decides the default, e.g. the contact pane at ≤1100 px). */
function isShown(side) {
  const pane = paneOf(side)
  if (!pane) return stored(side) !== 'collapsed'
  if (side === 'left') return document.documentElement.dataset.leftPane !== 'collapsed'
  return getComputedStyle(pane).display !== 'none'
}

function apply(side, state) {
  const key = side === 'left' ? 'leftPane' : 'rightPane'
  if (state) document.documentElement.dataset[key] = state
  else delete document.documentElement.dataset[key]
}

function syncToggles() {
  for (const button of document.querySelectorAll('[data-toggle-pane]')) {
    button.setAttribute('aria-expanded', String(isShown(button.dataset.togglePane)))
  }
}

for (const side of ['left', 'right']) apply(side, stored(side))
syncToggles()

document.addEventListener('click', (event) => {
  const toggle = event.target.closest('[data-toggle-pane]')
  if (toggle) {
    const side = toggle.dataset.togglePane
    const next = isShown(side) ? 'collapsed' : 'expanded'
    apply(side, next)
    remember(side, next)
    syncToggles()
    return
  }
  if (event.target.closest('[data-close-panel]')) closePanel()
})

function closePanel() {
  const slot = document.getElementById('sidebar-panel')
  if (slot && slot.firstElementChild) {
    slot.replaceChildren()
    document.querySelector('#card-ticket .view-more')?.focus()
  }
}

document.addEventListener('keydown', (event) => {
  if (event.key === 'Escape' && document.getElementById('ticket-panel')) closePanel()
})

// Inline property editing: after Save or Cancel the re-rendered value gets the focus back, so a
// keyboard user stays where they were.
let returnFocusTo = null
document.addEventListener('htmx:beforeRequest', (event) => {
  const form = event.detail.elt.closest?.('.prop-form')
  if (form) returnFocusTo = { property: form.dataset.property, target: event.detail.target?.id }
})
document.addEventListener('htmx:afterSettle', (event) => {
  if (!returnFocusTo || event.detail.target?.id !== returnFocusTo.target) return
  const { property, target } = returnFocusTo
  returnFocusTo = null
  const container = document.getElementById(target)
  if (container && !container.querySelector('.prop-form')) {
    container.querySelector(`.prop-value[data-property="${CSS.escape(property)}"]`)?.focus()
  }
})

// New thread panes arrive with fresh toggle buttons; the panel moves focus to itself on open.
document.addEventListener('htmx:afterSettle', (event) => {
  syncToggles()
  if (event.detail.target?.id === 'sidebar-panel') document.querySelector('#ticket-panel h2 a')?.focus()
})
window.addEventListener('resize', syncToggles)

export {}
