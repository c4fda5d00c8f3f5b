// Switchboard chat widget. Embed with:
//   <script src="https://<your switchboard>/widget.js" data-channel="<chat channel id>" async></script>
// Vanilla, no build, no dependencies. It lives in a shadow root so the host page's styles and
// ours never mix, renders every message as text (never HTML), and keeps the visitor's signed
// token in localStorage so a returning visitor sees their conversation again.
// Messages go through one outbox per channel and visitor, kept in localStorage: they are sent in
// the order typed, one at a time (the next only after the room acknowledged the one before, which
// it does once the message is stored), resent after a reconnect or a reload, and a message the
// room refused as too fast is sent again after the delay it names. Each carries a client id, so a
// resend whose first ack was lost is stored once.
;(() => {
  const script = document.currentScript
  if (!script?.dataset.channel) return
  const channelId = script.dataset.channel
  const base = new URL(script.src).origin
  const storageKey = `switchboard:visitor:${channelId}`
  const profileKey = `switchboard:profile:${channelId}`
  // An ack that never comes (a frame lost on a half-dead connection): the head goes again.
  const ackTimeoutMs = 10_000

  // English until the session answers with the texts in the channel's or the visitor's language.
  const strings = {
    open: 'Open chat',
    close: 'Close chat',
    unread: 'unread messages',
    panel: 'Chat',
    title: 'Chat with us',
    messages: 'Messages',
    name: 'Your name',
    email_placeholder: 'Email (so we can reply if you leave)',
    email_label: 'Your email',
    start: 'Start chatting',
    skip: 'Skip',
    intro: 'Tell us who you are (optional).',
    message_placeholder: 'Write a message…',
    message_label: 'Message',
    send: 'Send',
    attach_label: 'Send a file',
    attach_title: 'Send a file (up to 10 MB)',
    sending: 'Sending…',
    sending_file: 'Sending {name}…',
    choose: 'Choose an answer',
    away_until: 'We are away until {time}.',
    away: 'We are away right now.',
    available: 'We typically reply in a few minutes.',
    leave_message: 'Leave a message and your email, and we will reply by email.',
    typing: '{name} is typing…',
    reconnecting: 'Reconnecting…',
    file_too_big: 'Files can be at most 10 MB.',
    file_failed: 'The file was not sent: {error}',
    unavailable: 'Chat is unavailable right now.',
    feedback: 'Feedback',
    survey_comment: 'Add a comment (optional)',
    survey_comment_label: 'Comment',
    survey_send: 'Send feedback',
    survey_thanks: 'Thank you for your feedback!',
  }
  const say = (key, params = {}) => String(strings[key] ?? key).replace(/\{(\w+)\}/g, (whole, name) => (name in params ? String(params[name]) : whole))
  let timeLocale = []

  const state = {
    token: null,
    lastSeq: 0,
    socket: null,
    retry: 0,
    reconnectTimer: 0,
    connecting: false,
    greeted: false,
    open: false,
    unread: 0,
    typingTimer: 0,
    lastTypingSentAt: 0,
    seen: new Set(),
    /** The client id sent and not yet acknowledged: only the outbox's head is ever in flight. */
    inFlight: null,
    ackTimer: 0,
    /** A refusal ("too fast") holds the outbox until then (ms). */
    holdUntil: 0,
    holdTimer: 0,
  }

  // ---- Storage --------------------------------------------------------------------------------
  // localStorage can throw (disabled, full, a sandboxed frame): the widget then keeps working in memory.
  const memory = new Map()
  const load = (key) => {
    try {
      return localStorage.getItem(key)
    } catch {
      return memory.get(key) ?? null
    }
  }
  const save = (key, value) => {
    memory.set(key, value)
    try {
      localStorage.setItem(key, value)
    } catch {
      // kept in memory
    }
  }
  const forget = (key) => {
    memory.delete(key)
    try {
      localStorage.removeItem(key)
    } catch {
      // nothing stored
    }
  }

  /** The visitor a token names (its payload is plain JSON; only the server checks the signature). */
  function visitorOf(token) {
    try {
      const payload = token.split('.')[0].replace(/-/g, '+').replace(/_/g, '/')
      const visitor = JSON.parse(atob(payload + '='.repeat((4 - (payload.length % 4)) % 4))).v
      return typeof visitor === 'string' && /^[a-z0-9]{1,64}$/.test(visitor) ? visitor : null
    } catch {
      return null
    }
  }
  /** The newest token: another tab may have rotated ours (which revokes the one we hold). */
  const currentToken = () => load(storageKey) || state.token
  const outboxKey = (visitor) => `switchboard:outbox:${channelId}:${visitor || 'new'}`
  let outboxVisitor = visitorOf(load(storageKey) || '')

  /** The messages typed and not yet stored, oldest first; `seq` numbers them in typing order. */
  function readOutbox(key = outboxKey(outboxVisitor)) {
    try {
      const box = JSON.parse(load(key) || 'null')
      if (box && Array.isArray(box.items) && Number.isInteger(box.seq)) return box
    } catch {
      // unreadable: start afresh
    }
    return { seq: 0, items: [] }
  }
  const writeOutbox = (box) => save(outboxKey(outboxVisitor), JSON.stringify(box))

  function enqueue(text) {
    const box = readOutbox()
    box.seq += 1
    // The sequence number, then randomness: two tabs adding at the same moment never share an id.
    const item = { clientId: `${box.seq.toString(36)}-${Math.random().toString(36).slice(2, 12)}`, text, at: Date.now() }
    box.items.push(item)
    writeOutbox(box)
    return item
  }

  function dequeue(clientId) {
    const box = readOutbox()
    const left = box.items.filter((item) => item.clientId !== clientId)
    if (left.length !== box.items.length) writeOutbox({ ...box, items: left })
  }

  /** The session named another visitor (first visit, or the old token was refused): their outbox takes over what was queued. */
  function adoptOutbox(visitor) {
    if (visitor === outboxVisitor) return
    const previous = readOutbox()
    const previousKey = outboxKey(outboxVisitor)
    outboxVisitor = visitor
    if (previous.items.length === 0) return
    const box = readOutbox()
    writeOutbox({ seq: Math.max(box.seq, previous.seq), items: [...previous.items, ...box.items] })
    forget(previousKey)
  }

  // ---- DOM ------------------------------------------------------------------------------------
  const host = document.createElement('div')
  host.setAttribute('data-switchboard-widget', '')
  const root = host.attachShadow({ mode: 'open' })
  const el = (tag, attrs = {}, text) => {
    const node = document.createElement(tag)
    for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, value)
    if (text !== undefined) node.textContent = text
    return node
  }
  root.append(el('link', { rel: 'stylesheet', href: `${base}/widget.css` }))
  const launcher = el('button', { class: 'launcher', type: 'button', 'aria-label': say('open'), 'aria-expanded': 'false' })
  // A speech bubble drawn as SVG (no emoji font needed).
  const icon = document.createElementNS('http://www.w3.org/2000/svg', 'svg')
  icon.setAttribute('viewBox', '0 0 24 24')
  icon.setAttribute('aria-hidden', 'true')
  icon.setAttribute('class', 'launcher-icon')
  const bubble = document.createElementNS('http://www.w3.org/2000/svg', 'path')
  bubble.setAttribute('d', 'M4 5h16v11H9l-5 4z')
  icon.append(bubble)
  launcher.append(icon)
  const badge = el('span', { class: 'badge', hidden: '', 'aria-label': say('unread') })
  launcher.append(badge)
  const panel = el('section', { class: 'panel', role: 'dialog', 'aria-label': say('panel'), hidden: '' })
  const header = el('header', { class: 'header' })
  const title = el('h2', { class: 'title' }, say('title'))
  const status = el('p', { class: 'status' }, '')
  const close = el('button', { class: 'close', type: 'button', 'aria-label': say('close') }, '×')
  header.append(title, status, close)
  // The messages are a list inside a live log region (an <ol> itself may not take the log role).
  const log = el('ol', { class: 'log' })
  const logRegion = el('div', { class: 'log-region', role: 'log', 'aria-live': 'polite', 'aria-label': say('messages') })
  logRegion.append(log)
  const typing = el('p', { class: 'typing', 'aria-live': 'polite' }, '')
  const notice = el('p', { class: 'notice', role: 'alert', hidden: '' })
  const prechat = el('form', { class: 'prechat', hidden: '' })
  const nameInput = el('input', { name: 'name', autocomplete: 'name', placeholder: say('name'), maxlength: '120', 'aria-label': say('name') })
  const emailInput = el('input', {
    name: 'email',
    type: 'email',
    autocomplete: 'email',
    placeholder: say('email_placeholder'),
    maxlength: '254',
    'aria-label': say('email_label'),
  })
  const prechatSave = el('button', { type: 'submit', class: 'primary' }, say('start'))
  const prechatSkip = el('button', { type: 'button', class: 'link' }, say('skip'))
  const prechatIntro = el('p', { class: 'prechat-intro' }, say('intro'))
  prechat.append(prechatIntro, nameInput, emailInput, prechatSave, prechatSkip)
  const form = el('form', { class: 'composer' })
  const input = el('textarea', { rows: '2', maxlength: '4000', placeholder: say('message_placeholder'), 'aria-label': say('message_label') })
  const send = el('button', { type: 'submit', class: 'primary' }, say('send'))
  const attach = el('button', { type: 'button', class: 'attach', 'aria-label': say('attach_label'), title: say('attach_title') }, '+')
  const fileInput = el('input', { type: 'file', class: 'file-input', hidden: '', 'aria-hidden': 'true', tabindex: '-1' })
  form.append(attach, fileInput, input, send)
  panel.append(header, logRegion, typing, notice, prechat, form)
  root.append(launcher, panel)

  /** Puts the session's texts on the fixed parts of the widget (built before the session answered). */
  function relabel(locale) {
    host.setAttribute('lang', locale)
    timeLocale = [locale === 'nb' ? 'nb-NO' : 'en-GB']
    launcher.setAttribute('aria-label', state.open ? say('close') : say('open'))
    badge.setAttribute('aria-label', say('unread'))
    panel.setAttribute('aria-label', say('panel'))
    close.setAttribute('aria-label', say('close'))
    log.setAttribute('aria-label', say('messages'))
    nameInput.placeholder = say('name')
    nameInput.setAttribute('aria-label', say('name'))
    emailInput.placeholder = say('email_placeholder')
    emailInput.setAttribute('aria-label', say('email_label'))
    prechatSave.textContent = say('start')
    prechatSkip.textContent = say('skip')
    prechatIntro.textContent = say('intro')
    input.placeholder = say('message_placeholder')
    input.setAttribute('aria-label', say('message_label'))
    send.textContent = say('send')
    attach.setAttribute('aria-label', say('attach_label'))
    attach.title = say('attach_title')
  }

  // ---- Rendering --------------------------------------------------------------------------------
  const timeOf = (ms) => new Date(ms).toLocaleTimeString(timeLocale, { hour: '2-digit', minute: '2-digit' })

  function render(message, pendingId) {
    const key = pendingId ? `pending:${pendingId}` : `seq:${message.seq}`
    if (!pendingId && state.seen.has(key)) return
    state.seen.add(key)
    const item = el('li', { class: `message from-${message.from}`, 'data-key': key })
    if (message.author) item.append(el('span', { class: 'author' }, message.author))
    item.append(el('span', { class: 'text' }, message.text))
    for (const file of message.files ?? []) {
      const fileUrl = () => `${base}/widget/${channelId}/files/${encodeURIComponent(file.id)}?token=${encodeURIComponent(currentToken())}`
      const link = el('a', { class: 'file', href: fileUrl(), rel: 'noopener' }, `📎 ${file.filename}`)
      link.setAttribute('download', file.filename)
      // The token may have been rotated since (by another tab): the link takes the newest.
      link.addEventListener('click', () => link.setAttribute('href', fileUrl()))
      item.append(link)
    }
    item.append(el('time', { class: 'time' }, pendingId ? say('sending') : timeOf(message.at)))
    // Keep the log in sequence order even when a resume overlaps live messages; what is still
    // being sent stays below everything stored.
    const next = pendingId ? undefined : [...log.children].find((other) => Number(other.dataset.seq) > message.seq || other.dataset.key?.startsWith('pending:'))
    if (!pendingId) item.dataset.seq = String(message.seq)
    if (next && !pendingId) log.insertBefore(item, next)
    else log.append(item)
    // A bot's quick replies belong to its newest message only.
    if (!pendingId && !next?.dataset.seq) {
      for (const old of log.querySelectorAll('.quick-replies')) old.remove()
      if (message.buttons?.length) {
        const choices = el('div', { class: 'quick-replies', role: 'group', 'aria-label': say('choose') })
        for (const label of message.buttons) {
          const button = el('button', { type: 'button', class: 'quick-reply' }, label)
          button.addEventListener('click', () => {
            choices.remove()
            submitText(label)
          })
          choices.append(button)
        }
        item.append(choices)
      }
    }
    log.scrollTop = log.scrollHeight
    if (!pendingId && message.from === 'agent' && !state.open) {
      state.unread += 1
      badge.textContent = String(state.unread)
      badge.hidden = false
    }
  }

  function setNotice(text, reason) {
    notice.textContent = text || ''
    notice.hidden = !text
    if (reason) notice.dataset.reason = reason
    else delete notice.dataset.reason
  }

  // ---- Satisfaction survey (sent by the room when an agent closes the chat) ------------------------
  function showSurvey(frame) {
    root.querySelector('.survey')?.remove()
    const box = el('li', { class: 'survey', 'aria-label': say('feedback') })
    box.append(el('p', { class: 'survey-question' }, frame.question))
    const scores = el('div', { class: 'survey-scores' })
    const comment = el('textarea', { rows: '2', maxlength: '2000', placeholder: say('survey_comment'), 'aria-label': say('survey_comment_label') })
    const submit = el('button', { type: 'button', class: 'primary', disabled: '' }, say('survey_send'))
    let chosen = 0
    for (const choice of frame.choices ?? []) {
      const button = el(
        'button',
        { type: 'button', class: 'survey-score', title: choice.label, 'aria-label': `${choice.score} – ${choice.label}`, 'aria-pressed': 'false' },
        String(choice.score),
      )
      button.addEventListener('click', () => {
        chosen = choice.score
        for (const other of scores.children) other.setAttribute('aria-pressed', String(other === button))
        submit.disabled = false
      })
      scores.append(button)
    }
    submit.addEventListener('click', () => {
      if (!chosen || state.socket?.readyState !== WebSocket.OPEN) return
      const text = comment.value.trim()
      state.socket.send(JSON.stringify({ type: 'survey', token: frame.token, score: chosen, ...(text ? { comment: text } : {}) }))
      submit.disabled = true
    })
    box.append(scores, comment, submit)
    log.append(box)
    log.scrollTop = log.scrollHeight
    if (!state.open) {
      state.unread += 1
      badge.textContent = String(state.unread)
      badge.hidden = false
    }
  }

  // ---- Session and socket ---------------------------------------------------------------------
  /**
   * Resumes the visit with the newest token this browser holds (the server rotates it, which
   * revokes the old one: every tab takes the new one from localStorage before using it).
   */
  async function startSession() {
    const saved = load(storageKey)
    const response = await fetch(`${base}/widget/${channelId}/session`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(saved ? { token: saved } : {}),
    })
    if (!response.ok) throw new Error(`session ${response.status}`)
    const session = await response.json()
    state.token = session.token
    save(storageKey, session.token) // rotated on every visit
    adoptOutbox(visitorOf(session.token))
    if (state.greeted) return
    state.greeted = true
    // Only known keys, as plain text: the strings object never becomes markup.
    if (session.strings && typeof session.strings === 'object') {
      for (const key of Object.keys(strings)) if (typeof session.strings[key] === 'string') strings[key] = session.strings[key]
      relabel(session.locale === 'nb' ? 'nb' : 'en')
    }
    title.textContent = session.teamName
    const away = session.availability.backAtText ? say('away_until', { time: session.availability.backAtText }) : say('away')
    // The channel's own away message, when it has one, instead of the default "leave a message".
    status.textContent = session.availability.available ? say('available') : `${away} ${session.awayMessage || say('leave_message')}`
    if (!session.availability.available || (!session.returning && !load(profileKey))) prechat.hidden = false
    if (!session.availability.available) emailInput.required = true
    if (!log.querySelector('li[data-seq]') && session.greeting) log.prepend(el('li', { class: 'message from-agent greeting' }, session.greeting))
  }

  /** Session, then socket; while the server cannot be reached, again with back-off. */
  async function reconnect() {
    clearTimeout(state.reconnectTimer)
    state.reconnectTimer = 0
    // One attempt at a time (the back-off timer and the browser's "online" may both call this).
    if (state.socket || state.connecting) return
    state.connecting = true
    try {
      await startSession()
      connect()
    } catch {
      if (!state.greeted) setNotice(say('unavailable'))
      scheduleReconnect()
    } finally {
      state.connecting = false
    }
  }

  function scheduleReconnect() {
    if (state.reconnectTimer) return
    // Back off exponentially with jitter, up to 30 s, so a restart of the server is not stampeded.
    const delayMs = Math.min(30_000, 1000 * 2 ** state.retry) * (0.5 + Math.random() / 2)
    state.retry += 1
    if (state.retry > 1 && state.greeted) setNotice(say('reconnecting'))
    state.reconnectTimer = setTimeout(reconnect, delayMs)
  }

  function connect() {
    const url = new URL(`${base}/widget/${channelId}/ws`)
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:'
    url.searchParams.set('token', state.token)
    url.searchParams.set('after', String(state.lastSeq))
    const socket = new WebSocket(url)
    state.socket = socket
    socket.addEventListener('open', () => {
      state.retry = 0
      setNotice('')
      const profile = JSON.parse(load(profileKey) || 'null')
      if (profile) socket.send(JSON.stringify({ type: 'profile', ...profile }))
      // The outbox goes after the history frame: what it shows as stored is not sent again.
    })
    socket.addEventListener('message', (event) => {
      let frame
      try {
        frame = JSON.parse(event.data)
      } catch {
        return
      }
      if (frame.type === 'history') {
        for (const message of frame.messages) {
          if (message.clientId) delivered(message.clientId)
          render(message)
        }
        state.lastSeq = Math.max(state.lastSeq, frame.lastSeq || 0)
        sendNext()
      } else if (frame.type === 'message') {
        if (frame.message.clientId) delivered(frame.message.clientId)
        render(frame.message)
        state.lastSeq = Math.max(state.lastSeq, frame.message.seq)
        if (frame.message.from === 'agent') typing.textContent = ''
      } else if (frame.type === 'ack') {
        if (notice.dataset.reason === 'too_fast') setNotice('')
        delivered(frame.clientId)
      } else if (frame.type === 'typing') {
        typing.textContent = frame.typing ? say('typing', { name: frame.name }) : ''
      } else if (frame.type === 'replaced') {
        const item = root.querySelector(`[data-seq="${frame.message.seq}"] .text`)
        if (item) item.textContent = frame.message.text
      } else if (frame.type === 'survey') {
        showSurvey(frame)
      } else if (frame.type === 'survey:saved') {
        const survey = root.querySelector('.survey')
        if (survey) survey.replaceChildren(el('p', { class: 'survey-thanks' }, say('survey_thanks')))
      } else if (frame.type === 'survey:error') {
        setNotice(frame.message)
      } else if (frame.type === 'error') {
        setNotice(frame.message, frame.code === 'rate_limited' ? 'too_fast' : undefined)
        // Refused or failed: the same message goes again after the delay the room names (or a
        // moment), and nothing behind it overtakes it.
        if (state.inFlight && (!frame.clientId || frame.clientId === state.inFlight)) holdOutbox(frame.retryAfterMs || 1000)
      }
    })
    // A socket that fails to open may report only an error; one that never opens is given up on.
    const dropped = () => {
      clearTimeout(openTimer)
      if (state.socket !== socket) return
      state.socket = null
      state.inFlight = null
      clearTimeout(state.ackTimer)
      if (socket.readyState !== WebSocket.CLOSED) socket.close()
      scheduleReconnect()
    }
    const openTimer = setTimeout(() => socket.readyState === WebSocket.CONNECTING && dropped(), ackTimeoutMs)
    socket.addEventListener('open', () => clearTimeout(openTimer))
    socket.addEventListener('close', dropped)
    socket.addEventListener('error', dropped)
  }

  /** The room has the message (acked, echoed, or in the history): it leaves the outbox, and the next one goes. */
  function delivered(clientId) {
    dequeue(clientId)
    root.querySelector(`[data-key="pending:${CSS.escape(clientId)}"]`)?.remove()
    if (state.inFlight === clientId) {
      state.inFlight = null
      clearTimeout(state.ackTimer)
    }
    sendNext()
  }

  /** Sends the outbox's head, unless a message is in flight, the room asked to wait, or there is no socket. */
  function sendNext() {
    if (state.inFlight || Date.now() < state.holdUntil || state.socket?.readyState !== WebSocket.OPEN) return
    const head = readOutbox().items[0]
    if (!head) return
    // Queued in another tab and shown there: this tab shows it too while it sends it.
    if (!root.querySelector(`[data-key="pending:${CSS.escape(head.clientId)}"]`)) showPending(head)
    state.inFlight = head.clientId
    state.socket.send(JSON.stringify({ type: 'message', clientId: head.clientId, text: head.text }))
    clearTimeout(state.ackTimer)
    state.ackTimer = setTimeout(() => {
      state.inFlight = null
      sendNext()
    }, ackTimeoutMs)
  }

  function holdOutbox(delayMs) {
    state.inFlight = null
    clearTimeout(state.ackTimer)
    state.holdUntil = Date.now() + delayMs
    clearTimeout(state.holdTimer)
    state.holdTimer = setTimeout(sendNext, delayMs)
  }

  const showPending = (item) => render({ from: 'visitor', author: null, text: item.text, at: item.at, seq: Infinity }, item.clientId)

  function sendTyping(isTyping) {
    if (state.socket?.readyState !== WebSocket.OPEN) return
    state.socket.send(JSON.stringify({ type: 'typing', typing: isTyping }))
  }

  // ---- Interaction --------------------------------------------------------------------------
  function setOpen(open) {
    state.open = open
    panel.hidden = !open
    launcher.setAttribute('aria-expanded', String(open))
    launcher.setAttribute('aria-label', open ? say('close') : say('open'))
    if (open) {
      state.unread = 0
      badge.hidden = true
      ;(prechat.hidden ? input : nameInput).focus()
    } else launcher.focus()
  }

  launcher.addEventListener('click', () => setOpen(!state.open))
  close.addEventListener('click', () => setOpen(false))
  panel.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') setOpen(false)
  })

  function saveProfile(event) {
    event.preventDefault()
    if (emailInput.required && !emailInput.checkValidity()) return emailInput.reportValidity()
    const profile = { name: nameInput.value.trim() || undefined, email: emailInput.value.trim() || undefined }
    save(profileKey, JSON.stringify(profile))
    if (state.socket?.readyState === WebSocket.OPEN) state.socket.send(JSON.stringify({ type: 'profile', ...profile }))
    prechat.hidden = true
    input.focus()
  }
  prechat.addEventListener('submit', saveProfile)
  prechatSkip.addEventListener('click', () => {
    save(profileKey, JSON.stringify({}))
    prechat.hidden = true
    input.focus()
  })

  function submitText(text) {
    showPending(enqueue(text.slice(0, 4000)))
    clearTimeout(state.typingTimer)
    // Sending ends "typing"; the next keystroke announces it again at once.
    state.lastTypingSentAt = 0
    sendTyping(false)
    sendNext()
  }

  attach.addEventListener('click', () => fileInput.click())
  fileInput.addEventListener('change', async () => {
    const file = fileInput.files?.[0]
    fileInput.value = ''
    if (!file) return
    if (file.size > 10 * 1024 * 1024) return setNotice(say('file_too_big'))
    const clientId = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 10)}`
    render({ from: 'visitor', author: null, text: say('sending_file', { name: file.name }), at: Date.now(), seq: Infinity }, clientId)
    const body = new FormData()
    body.append('file', file)
    body.append('clientId', clientId)
    try {
      const response = await fetch(`${base}/widget/${channelId}/upload?token=${encodeURIComponent(currentToken())}`, { method: 'POST', body })
      if (!response.ok) throw new Error((await response.json().catch(() => null))?.error ?? `upload failed (${response.status})`)
      setNotice('')
    } catch (error) {
      setNotice(say('file_failed', { error: error.message }))
    } finally {
      root.querySelector(`[data-key="pending:${CSS.escape(clientId)}"]`)?.remove()
    }
  })

  form.addEventListener('submit', (event) => {
    event.preventDefault()
    const text = input.value.trim()
    if (!text) return
    input.value = ''
    submitText(text)
  })
  input.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.shiftKey) {
      event.preventDefault()
      form.requestSubmit()
    }
  })
  input.addEventListener('input', () => {
    const now = Date.now()
    if (now - state.lastTypingSentAt > 2000) {
      state.lastTypingSentAt = now
      sendTyping(true)
    }
    clearTimeout(state.typingTimer)
    state.typingTimer = setTimeout(() => {
      state.lastTypingSentAt = 0
      sendTyping(false)
    }, 3000)
  })

  document.body.append(host)
  // What was typed before a reload (also offline) shows at once, as still being sent.
  for (const item of readOutbox().items) showPending(item)
  // Back online: try now instead of at the end of the back-off.
  window.addEventListener('online', () => {
    state.retry = 0
    if (!state.socket) reconnect()
  })
  // Gone offline: a socket may linger half-dead for minutes; drop it, and reconnect when online.
  window.addEventListener('offline', () => state.socket?.close())
  reconnect()
})()
