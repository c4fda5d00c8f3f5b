// Attachments in the composer and the new-email form: the file input is shown as an "Attach"
// button (app.css), the chosen files are listed with a remove button each, and files dropped on
// the form or pasted into it are added to the same input. The form posts the input as before.
// No build step: plain ES2022.

import { tr } from './i18n.js'

const inputSelector = 'input[type=file][name=attachments]'

function formInput(form) {
  return form?.querySelector(inputSelector) ?? null
}

/** Replaces the input's files (an input's FileList is read-only; a DataTransfer builds a new one). */
function setFiles(input, files) {
  const transfer = new DataTransfer()
  for (const file of files) transfer.items.add(file)
  input.files = transfer.files
  render(input)
}

function addFiles(input, files) {
  setFiles(input, [...input.files, ...files])
}

function listFor(input) {
  const label = input.closest('label') ?? input
  let list = label.nextElementSibling?.classList.contains('attach-list') ? label.nextElementSibling : null
  if (!list) {
    list = document.createElement('ul')
    list.className = 'attach-list'
    list.setAttribute('aria-live', 'polite')
    label.after(list)
  }
  return list
}

function render(input) {
  const list = listFor(input)
  list.replaceChildren()
  ;[...input.files].forEach((file, index) => {
    const item = document.createElement('li')
    item.className = 'attach-item'
    const name = document.createElement('span')
    name.textContent = file.name
    const remove = document.createElement('button')
    remove.type = 'button'
    remove.className = 'icon-button attach-remove'
    remove.textContent = '×'
    remove.setAttribute('aria-label', tr('client.attach.remove', `Remove ${file.name}`, { name: file.name }))
    remove.addEventListener('click', () => {
      setFiles(
        input,
        [...input.files].filter((_, position) => position !== index),
      )
      input.focus()
    })
    item.append(name, remove)
    list.append(item)
  })
}

document.addEventListener('change', (event) => {
  if (event.target instanceof HTMLInputElement && event.target.matches(inputSelector)) render(event.target)
})

const hasFiles = (transfer) => Boolean(transfer && [...transfer.types].includes('Files'))

// Dropping files anywhere on the form attaches them (captured before the editor's own drop,
// which inserts text). A form without an attachments input leaves the drop to the editor.
document.addEventListener(
  'dragover',
  (event) => {
    const form = event.target instanceof Element ? event.target.closest('form') : null
    if (!hasFiles(event.dataTransfer) || !formInput(form)) return
    event.preventDefault()
    form.classList.add('is-dropping')
  },
  true,
)
document.addEventListener(
  'dragleave',
  (event) => {
    const form = event.target instanceof Element ? event.target.closest('form') : null
    if (form && !form.contains(event.relatedTarget)) form.classList.remove('is-dropping')
  },
  true,
)
document.addEventListener(
  'drop',
  (event) => {
    const form = event.target instanceof Element ? event.target.closest('form') : null
    const input = formInput(form)
    if (!input || !event.dataTransfer?.files.length) return
    event.preventDefault()
    event.stopPropagation()
    form.classList.remove('is-dropping')
    form.classList.add('is-active')
    addFiles(input, event.dataTransfer.files)
  },
  true,
)
// Pasting a file (a screenshot) into the form attaches it; pasted text still goes to the editor.
document.addEventListener(
  'paste',
  (event) => {
    const form = event.target instanceof Element ? event.target.closest('form') : null
    const input = formInput(form)
    if (!input || !event.clipboardData?.files.length) return
    event.preventDefault()
    event.stopPropagation()
    addFiles(input, event.clipboardData.files)
  },
  true,
)
