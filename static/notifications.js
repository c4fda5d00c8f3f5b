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
