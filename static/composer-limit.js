// The reply's length against the channel's limit (templates/composer.tsx renders
// `.composer-limit[data-max-length]` for a channel that declares `capabilities.maxLength`).
// Counts the plain text the form posts: static/editor.js keeps `textarea[name=text]` filled and
// fires `input` on it, and without the editor the agent types into that textarea. The server
// refuses a longer reply either way; this only lets the agent see it coming.

function update(form) {
  const limit = form.querySelector('.composer-limit[data-max-length]')
  const text = form.querySelector('textarea[name=text]')
  const count = limit?.querySelector('.composer-count')
  if (!limit || !text || !count) return
  const max = Number(limit.dataset.maxLength)
  const length = text.value.length
  count.textContent = `${length} / ${max}`
  count.classList.toggle('over', length > max)
}

document.addEventListener('input', (event) => {
  const target = event.target
  if (target instanceof HTMLTextAreaElement && target.name === 'text' && target.form) update(target.form)
})
// A composer swapped in (a fresh one, or one sent back with an error) starts from its own text.
document.addEventListener('htmx:load', (event) => {
  const scope = event.detail.elt
  if (!(scope instanceof Element)) return
  const forms = scope.matches('form') ? [scope] : [...scope.querySelectorAll('form')]
  for (const form of forms) update(form)
})
