// The panes around a thread: the left navigation and the right contact sidebar. On a wide screen
// they collapse and expand in place, and the choice is remembered in this browser; on a narrower
// one (see "Layouts by screen width" in app.css) they slide over the list and thread and close
// again on Escape, a click outside, or when a view is chosen. Also closes the ticket's "View more"
// slide-over. No build step: plain ES2022.

const storageKey = (side) => `switchboard:pane:${side}`
const paneOf = (side) => document.getElementById(side === 'left' ? 'nav-pane' : 'contact-pane')
// The widths below which a pane slides over instead of standing beside the others (app.css).
const slideOver = {
  left: window.matchMedia('(max-width: 1359px)'),
  right: window.matchMedia('(max-width: 1199px)'),
}
const openKey = (side) => (side === 'left' ? 'leftOpen' : 'rightOpen')

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

/** Whether a pane is on screen now. */
function isShown(side) {
  if (slideOver[side].matches) return document.documentElement.dataset[openKey(side)] === 'true'
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

function setOpen(side, open) {
  if (open) document.documentElement.dataset[openKey(side)] = 'true'
  else delete document.documentElement.dataset[openKey(side)]
}

function syncToggles() {
  for (const button of document.querySelectorAll('[data-toggle-pane]')) {
    button.setAttribute('aria-expanded', String(isShown(button.dataset.togglePane)))
  }
}

/** Closes the slide-overs; the focus goes back to the button that opened one, if it was inside. */
function closeSlideOvers(except) {
  for (const side of ['left', 'right']) {
    if (side === except || !document.documentElement.dataset[openKey(side)]) continue
    const hadFocus = paneOf(side)?.contains(document.activeElement)
    setOpen(side, false)
    if (hadFocus) document.querySelector(`[data-toggle-pane="${side}"]:not(#${side === 'left' ? 'nav-pane' : 'contact-pane'} *)`)?.focus()
  }
  syncToggles()
}

for (const side of ['left', 'right']) apply(side, stored(side))
syncToggles()

document.addEventListener('click', (event) => {
  const toggle = event.target.closest('[data-toggle-pane]')
  if (toggle) {
    const side = toggle.dataset.togglePane
    if (slideOver[side].matches) {
      if (isShown(side)) {
        closeSlideOvers() // the focus goes back to the opening button if it was in the pane
        return
      }
      closeSlideOvers(side)
      setOpen(side, true)
      syncToggles()
      // The pane's first control takes the focus, so a keyboard user lands inside it.
      paneOf(side)?.querySelector('a[href], button:not([data-toggle-pane]), summary, select, input')?.focus()
      return
    }
    const next = isShown(side) ? 'collapsed' : 'expanded'
    apply(side, next)
    remember(side, next)
    syncToggles()
    return
  }
  if (event.target.closest('[data-close-panel]')) closePanel()
  // A click outside an open slide-over closes it; choosing a view in the navigation does too.
  const inPane = (side) => paneOf(side)?.contains(event.target)
  if (document.documentElement.dataset.leftOpen && (!inPane('left') || event.target.closest('.view-link'))) closeSlideOvers()
  if (document.documentElement.dataset.rightOpen && !inPane('right') && !event.target.closest('.slide-over, .editor-popover')) closeSlideOvers()
})

function closePanel() {
  const slot = document.getElementById('sidebar-panel')
  if (slot?.firstElementChild) {
    slot.replaceChildren()
    document.querySelector('#card-ticket .view-more')?.focus()
  }
}

document.addEventListener('keydown', (event) => {
  if (event.key !== 'Escape') return
  if (document.getElementById('ticket-panel')) closePanel()
  else if (document.documentElement.dataset.leftOpen || document.documentElement.dataset.rightOpen) closeSlideOvers()
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
  // Another thread opened: the previous one's sidebar does not slide over the new one.
  if (event.detail.target?.id === 'thread') setOpen('right', false)
  syncToggles()
  if (event.detail.target?.id === 'sidebar-panel') document.querySelector('#ticket-panel h2 a')?.focus()
})
window.addEventListener('resize', syncToggles)

export {}
