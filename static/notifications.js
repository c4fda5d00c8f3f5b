// The notification bell (templates/notifications.tsx): a <details> panel that closes like a menu,
// on a click outside it or on Escape. Its count and list are swapped in by the server (live over
// the inbox socket), so nothing here keeps state of its own.
function openBell() {
  return document.querySelector('#notification-bell[open]')
}

document.addEventListener('click', (event) => {
  const bell = openBell()
  if (bell && !bell.contains(event.target)) bell.removeAttribute('open')
})

document.addEventListener('keydown', (event) => {
  const bell = openBell()
  if (event.key !== 'Escape' || !bell) return
  bell.removeAttribute('open')
  bell.querySelector('summary')?.focus()
})

// Pushes sent while the inbox socket was down (a network blip, a restarted hub) are lost, so a
// socket that reconnects fetches the bell once. An open panel is left alone; the next push fixes it.
const openedOnce = new WeakSet()
document.addEventListener('htmx:wsOpen', (event) => {
  const element = event.detail.elt
  if (!element?.classList?.contains('list-inner')) return
  if (!openedOnce.has(element)) {
    openedOnce.add(element)
    return
  }
  const bell = document.getElementById('notification-bell')
  if (bell && !bell.open && window.htmx) window.htmx.ajax('GET', '/notifications/bell', { target: '#notification-bell', swap: 'outerHTML' })
})
