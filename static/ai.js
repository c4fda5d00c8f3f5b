// AI assist panels (the sidebar's summary, the editor's "Write for me"): a provider failure comes
// back as 502 with the message to show. htmx does not swap 5xx responses by default (see the
// responseHandling in templates/layout.tsx), so inside an AI panel we let that message through
// instead of leaving a blank panel.
document.addEventListener('htmx:beforeSwap', (event) => {
  const { xhr, target } = event.detail
  if (xhr.status !== 502 || !target?.closest?.('[data-ai-panel]')) return
  event.detail.shouldSwap = true
  event.detail.isError = false
})

// While a summary is being written, the panel says so (a model can take seconds).
document.addEventListener('htmx:beforeRequest', (event) => {
  const target = event.detail.target
  if (!target?.matches?.('[data-ai-panel]')) return
  target.setAttribute('aria-busy', 'true')
})
document.addEventListener('htmx:afterRequest', (event) => {
  event.detail.target?.removeAttribute?.('aria-busy')
})
