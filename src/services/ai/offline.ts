import { t } from '../../i18n'
import { quotedHistoryStart } from '../../lib/quoted-text'
import { escapeHtml } from '../../lib/sanitize-html'
import { sanitizeRichText } from '../../lib/rich-text'
import type { AiDraft, AiMessage, AiProvider, AiSummary, AiThread, DraftInput, SummaryInput } from './provider'

/**
 * The offline provider: no model, no network. The summary is extractive — it picks sentences
 * the thread actually contains (TF-IDF against the whole thread, plus what agents look for:
 * questions, order numbers, the opening request, the latest word) and attributes each to its
 * speaker. The draft is assembled from the agent's own prompt, the customer's last question and
 * an optional snippet. Both are deterministic and labelled as what they are.
 */

// ---- Text clean-up ---------------------------------------------------------------------------

const capitalize = (text: string) => text.charAt(0).toLocaleUpperCase() + text.slice(1)

const signOff =
  /^(?:-{2,}\s*|(?:best|kind|warm|warmest)(?:\s+regards|\s+wishes)?[,!.]?|regards[,!.]?|cheers[,!.]?|thanks[,!.]?|thank you[,!.]?|many thanks[,!.]?|br[,.]?|mvh[,.]?|hilsen[,.]?|(?:med )?vennlig hilsen[,.]?|sent from my .*)$/i
// A greeting is the greeting word and at most a few name words ("Hi Maja,", "Good morning team!").
const greetingOnly = /^(?:hi|hello|hey|dear|hei|hallo|good (?:morning|afternoon|evening))(?:\s+[\p{L}'-]+){0,3}\s*[,!.]?$/iu
const greetingPrefix = /^(?:hi|hello|hey|dear|hei|hallo)(?:\s+[\p{L}'-]+)?\s*[,!]\s+/iu
const thanksOnly = /^(?:thanks|thank you|many thanks|cheers|takk|tusen takk)(?: (?:so much|a lot|again))?[\s!.,🙂😊]*$/iu

/** A message's own new text: quoted history and the signature cut off. */
export function ownText(text: string): string {
  const quoted = quotedHistoryStart(text)
  const lines = (quoted === null ? text : text.slice(0, quoted)).replace(/\r\n?/g, '\n').split('\n')
  // A sign-off near the end ("Best,", "-- ", "Sent from my iPhone") ends the message.
  for (let index = Math.max(1, lines.length - 5); index < lines.length; index++) {
    const line = lines[index]!.trim()
    if (line === '--' || (line.length <= 40 && signOff.test(line))) return lines.slice(0, index).join('\n').trim()
  }
  return lines.join('\n').trim()
}

const abbreviations = /(?:\b(?:e\.g|i\.e|etc|mr|mrs|ms|dr|no|nr|approx|ca|vs|st|inc|ltd|jr|sr|fig)|\b\p{L})\.$/iu

/** Sentences of a text: lines, then sentence ends, never splitting "e.g.", "No. 5" or "1.96". */
export function sentencesOf(text: string): string[] {
  const result: string[] = []
  for (const line of text.split(/\n+/)) {
    const flat = line.replace(/\s+/g, ' ').trim()
    if (!flat) continue
    const parts = flat.split(/(?<=[.!?…])\s+(?=["“‘(]?[\p{Lu}\p{N}])/u)
    let current = ''
    for (const part of parts) {
      current = current ? `${current} ${part}` : part
      if (!abbreviations.test(current)) {
        result.push(current)
        current = ''
      }
    }
    if (current) result.push(current)
  }
  return result
}

const stopwords = new Set(
  (
    'a an the and or but if then so of to in on at for from by with about as into over after before is are was were be been being am do does did ' +
    'have has had i me my we our us you your yours he him his she her they them their it its this that these those there here what which who whom ' +
    'can could will would shall should may might must not no yes just also very too any some all more most other such only own same than ' +
    'please thanks thank hi hello hey dear regards ok okay get got one would like need want know let im ive dont cant its thats ' +
    // Norwegian (bokmål) function words
    'og i på til for med av er var som det den de en et jeg du vi dere han hun meg deg oss seg sin sitt sine har hadde kan vil skal må ' +
    'ikke om fra eller men så da når hva hvem hvor hvordan at å hei takk'
  ).split(/\s+/),
)

function tokensOf(sentence: string): string[] {
  return (sentence.toLowerCase().match(/[\p{L}\p{N}][\p{L}\p{N}#'-]*/gu) ?? []).filter((token) => token.length > 1 && !stopwords.has(token))
}

/** Order numbers, invoice ids, codes: a word with a digit in it of 3+ characters, or #123. */
const identifier = /(?:#\d+|\b(?=[\p{L}\d-]*\d)[\p{L}\d][\p{L}\d-]{2,}\b)/u
/** Amounts: 15%, €5,000, 499 kr, $20. */
const amount = /(?:[€$£]\s?\d|\d(?:[\d.,]*\d)?\s?(?:%|€|\$|£|kr\b|nok\b|sek\b|eur\b|usd\b))/iu

// ---- Speakers --------------------------------------------------------------------------------

const firstNameOf = (name: string | null | undefined) => {
  const trimmed = (name ?? '').trim()
  if (!trimmed || trimmed.includes('@')) return null
  return trimmed.split(/\s+/)[0] ?? null
}

export function speakerOf(message: AiMessage): string {
  const name = firstNameOf(message.name)
  const base =
    message.from === 'customer'
      ? t('ai.speaker.customer')
      : message.from === 'agent'
        ? name
          ? t('ai.speaker.agent_named', { name })
          : t('ai.speaker.agent')
        : message.name
          ? t('ai.speaker.bot_named', { name: message.name })
          : t('ai.speaker.bot')
  return message.kind === 'comment' ? t('ai.speaker.note', { speaker: base }) : base
}

/** The facts line above a summary: who, over which channel, the status and how much was said. */
export function summaryHeader(thread: AiThread): string {
  const who = thread.contact?.name ?? thread.contact?.email ?? t('ai.summary.unknown_contact')
  const messageCount = thread.messages.filter((message) => message.kind === 'message').length
  const noteCount = thread.messages.length - messageCount
  const parts = [
    thread.contact?.name && thread.contact.email ? `${who} <${thread.contact.email}>` : who,
    thread.channel,
    thread.status === 'closed' ? t('ai.summary.status_closed') : t('ai.summary.status_open'),
    noteCount > 0
      ? `${t('ai.summary.messages', { count: messageCount })}, ${t('ai.summary.notes', { count: noteCount })}`
      : t('ai.summary.messages', { count: messageCount }),
  ]
  if (thread.assignee) parts.push(t('ai.summary.owner', { name: thread.assignee }))
  return parts.join(' · ')
}

// ---- Summary ---------------------------------------------------------------------------------

interface Candidate {
  messageIndex: number
  order: number
  text: string
  tokens: string[]
  score: number
}

/** How many sentences a summary keeps: about a third of the thread, at least 5, at most 8. */
export function summaryLength(sentenceCount: number): number {
  return Math.min(sentenceCount, Math.max(5, Math.min(8, Math.ceil(sentenceCount / 3))))
}

/**
 * The extractive summary: each message's own text (no quoted history, greeting or signature)
 * split into sentences, scored, the best kept in the order they were said and attributed to
 * their speaker. Internal notes take part, labelled as notes: a summary is for agents.
 */
export function summarizeThread(thread: AiThread): { header: string; lines: string[] } {
  const candidates: Candidate[] = []
  thread.messages.forEach((message, messageIndex) => {
    for (const raw of sentencesOf(ownText(message.text))) {
      const sentence = capitalize(raw.replace(greetingPrefix, '').trim())
      if (!sentence || greetingOnly.test(sentence) || thanksOnly.test(sentence) || signOff.test(sentence)) continue
      candidates.push({ messageIndex, order: candidates.length, text: sentence, tokens: tokensOf(sentence), score: 0 })
    }
  })
  const header = summaryHeader(thread)
  if (candidates.length === 0) return { header, lines: [] }

  // TF-IDF over the thread's sentences; each sentence is scored by its cosine to the thread as a whole.
  const documentFrequency = new Map<string, number>()
  for (const candidate of candidates) for (const token of new Set(candidate.tokens)) documentFrequency.set(token, (documentFrequency.get(token) ?? 0) + 1)
  const idf = (token: string) => Math.log(1 + candidates.length / (documentFrequency.get(token) ?? 1))
  const vectorOf = (tokens: string[]) => {
    const vector = new Map<string, number>()
    for (const token of tokens) vector.set(token, (vector.get(token) ?? 0) + idf(token))
    return vector
  }
  const centroid = vectorOf(candidates.flatMap((candidate) => candidate.tokens))
  const norm = (vector: Map<string, number>) => Math.sqrt([...vector.values()].reduce((sum, value) => sum + value * value, 0))
  const centroidNorm = norm(centroid) || 1
  const firstCustomer = candidates.find((candidate) => thread.messages[candidate.messageIndex]!.from === 'customer')
  const lastMessageIndex = Math.max(...candidates.map((candidate) => candidate.messageIndex))

  for (const candidate of candidates) {
    const message = thread.messages[candidate.messageIndex]!
    const vector = vectorOf(candidate.tokens)
    let dot = 0
    for (const [token, weight] of vector) dot += weight * (centroid.get(token) ?? 0)
    let score = dot / ((norm(vector) || 1) * centroidNorm)
    if (candidate.text.endsWith('?')) score += message.from === 'customer' ? 0.4 : 0.1
    if (identifier.test(candidate.text) || amount.test(candidate.text)) score += 0.2
    else if (/\d/.test(candidate.text)) score += 0.05
    if (candidate === firstCustomer) score += 0.25
    if (candidate.messageIndex === lastMessageIndex) score += 0.1
    if (candidate.tokens.length < 2) score -= 0.25
    candidate.score = score
  }

  const keep = summaryLength(candidates.length)
  const picked = [...candidates]
    .sort((a, b) => b.score - a.score || a.order - b.order)
    .slice(0, keep)
    .sort((a, b) => a.order - b.order)
  // Sentences of one message stay on one line, after their speaker.
  const lines: string[] = []
  let previous = -1
  for (const candidate of picked) {
    if (candidate.messageIndex === previous) lines[lines.length - 1] += ` ${candidate.text}`
    else lines.push(`${speakerOf(thread.messages[candidate.messageIndex]!)}: ${candidate.text}`)
    previous = candidate.messageIndex
  }
  return { header, lines }
}

// ---- Draft -----------------------------------------------------------------------------------

const endSentence = (text: string, mark = '.') => (/[.!?…]$/.test(text) ? text : `${text}${mark}`)

/** The agent writes about the customer in the third person; the reply speaks to them. */
function toSecondPerson(text: string): string {
  return text
    .replace(/\bthe customer's\b/gi, 'your')
    .replace(/\bthe customer\b/gi, 'you')
    .replace(/\btheirs\b/gi, 'yours')
    .replace(/\btheir\b/gi, 'your')
    .replace(/\bthem\b/gi, 'you')
    .replace(/\bthey are\b/gi, 'you are')
    .replace(/\bthey\b/gi, 'you')
}

const addressee = '(?:them |him |her |the customer )?'

/** One clause of the agent's prompt, turned into a sentence addressed to the customer. */
export function expandInstruction(clause: string): string {
  const text = clause.trim().replace(/[.!]+$/, '')
  const rules: [RegExp, (match: RegExpMatchArray) => string][] = [
    [/^(?:say )?yes$/i, () => t('ai.draft.yes')],
    [/^(?:say no|no|decline(?: politely)?)$/i, () => t('ai.draft.no')],
    [/^apologi[sz]e(?: for (.+))?$/i, (m) => (m[1] ? t('ai.draft.sorry_for', { what: toSecondPerson(m[1]) }) : t('ai.draft.sorry'))],
    [/^thank (?:them|him|her|the customer)(?: for (.+))?$/i, (m) => (m[1] ? t('ai.draft.thanks_for', { what: toSecondPerson(m[1]) }) : t('ai.draft.thanks'))],
    [new RegExp(`^ask ${addressee}(?:for|to send(?: us| me)?) (.+)$`, 'i'), (m) => t('ai.draft.ask_for', { what: toSecondPerson(m[1]!) })],
    [new RegExp(`^ask ${addressee}(?:whether|if) (.+)$`, 'i'), (m) => t('ai.draft.ask_whether', { what: toSecondPerson(m[1]!) })],
    [new RegExp(`^ask ${addressee}to (.+)$`, 'i'), (m) => t('ai.draft.ask_to', { what: toSecondPerson(m[1]!) })],
    [new RegExp(`^ask ${addressee}(.+)$`, 'i'), (m) => endSentence(capitalize(toSecondPerson(m[1]!)), '?')],
    [new RegExp(`^offer ${addressee}(.+)$`, 'i'), (m) => t('ai.draft.offer', { what: toSecondPerson(m[1]!) })],
    [/^confirm (?:that )?(.+)$/i, (m) => t('ai.draft.confirm', { what: toSecondPerson(m[1]!) })],
    [/^(?:promise|we will|we'll) (?:that )?(?:we will |we'll )?(.+)$/i, (m) => t('ai.draft.we_will', { what: toSecondPerson(m[1]!) })],
    [
      new RegExp(
        `^(?:say|tell ${addressee}|let (?:them|him|her|the customer) know|explain(?: to ${addressee.trim()})?|mention|inform ${addressee})\\s*(?:that\\s+)?(.+)$`,
        'i',
      ),
      (m) => endSentence(capitalize(toSecondPerson(m[1]!.trim()))),
    ],
  ]
  for (const [pattern, render] of rules) {
    const match = text.match(pattern)
    if (match) return render(match)
  }
  return endSentence(capitalize(toSecondPerson(text)))
}

const instructionVerbs = "say|tell|let|explain|mention|inform|apologi[sz]e|thank|ask|offer|confirm|promise|we will|we'll"

/** The prompt's clauses: lines, semicolons, sentences, commas, and "… and <instruction> …". */
export function clausesOf(prompt: string): string[] {
  return prompt
    .split(new RegExp(`\\n+|;\\s*|(?<=[.!?])\\s+|,\\s*|\\s+and\\s+(?=(?:then\\s+)?(?:${instructionVerbs})\\b)`, 'i'))
    .map((clause) =>
      clause
        .trim()
        .replace(/^(?:and\s+)?(?:then\s+)?/i, '')
        .trim(),
    )
    .filter((clause) => /[\p{L}\p{N}]/u.test(clause))
    .slice(0, 12)
}

/** What the customer last asked (their newest question), or what their last message was about. */
export function customerTopic(thread: AiThread): { kind: 'question' | 'topic'; text: string } | null {
  const last = [...thread.messages].reverse().find((message) => message.from === 'customer' && message.kind === 'message')
  if (!last) return null
  const sentences = sentencesOf(ownText(last.text))
    .map((sentence) => sentence.replace(greetingPrefix, '').trim())
    .filter((sentence) => sentence && !greetingOnly.test(sentence) && !thanksOnly.test(sentence))
  const question = [...sentences].reverse().find((sentence) => sentence.endsWith('?'))
  const cut = (text: string) => (text.length > 160 ? `${text.slice(0, 159).trimEnd()}…` : text)
  if (question) return { kind: 'question', text: cut(question) }
  const topic = thread.subject?.replace(/^(?:re|fwd?|sv|vs|aw):\s*/i, '').trim() || sentences[0]
  return topic ? { kind: 'topic', text: cut(topic.replace(/[.!]+$/, '')) } : null
}

const pick = (key: string, variant: number, count: number) => `${key}.${((variant % count) + count) % count}`

/**
 * "Write for me" without a model: a greeting with the contact's first name, a line that restates
 * what the customer last asked, the agent's prompt expanded clause by clause, the chosen snippet,
 * and a sign-off with the agent's first name. Rich text, sanitised.
 */
export function draftReply(input: DraftInput): string {
  const variant = input.variant ?? 0
  const contactFirst = firstNameOf(input.thread.contact?.name)
  const agentFirst = firstNameOf(input.agent.name) ?? input.agent.name
  const paragraphs: string[] = []
  paragraphs.push(
    escapeHtml(contactFirst ? t(pick('ai.draft.greeting', variant, 3), { name: contactFirst }) : t(pick('ai.draft.greeting_anonymous', variant, 3))),
  )
  const topic = customerTopic(input.thread)
  if (topic) paragraphs.push(escapeHtml(t(pick(topic.kind === 'question' ? 'ai.draft.ack_question' : 'ai.draft.ack_topic', variant, 2), { text: topic.text })))
  const body = clausesOf(input.prompt).map(expandInstruction)
  if (body.length > 0) paragraphs.push(escapeHtml(body.join(' ')))
  const pieces = paragraphs.map((paragraph) => `<p>${paragraph}</p>`)
  if (input.snippet?.html) pieces.push(input.snippet.html)
  pieces.push(`<p>${escapeHtml(t(pick('ai.draft.signoff', variant, 3)))}<br>${escapeHtml(agentFirst)}</p>`)
  return sanitizeRichText(pieces.join(''))
}

export const offlineProvider: AiProvider = {
  id: 'offline',
  get label() {
    return t('ai.provider.offline')
  },
  kind: 'offline',
  async summarize(input: SummaryInput): Promise<AiSummary> {
    const { header, lines } = summarizeThread(input.thread)
    return { header, lines, meta: { providerId: 'offline', kind: 'offline', label: t('ai.summary.label_offline') } }
  },
  async draft(input: DraftInput): Promise<AiDraft> {
    return { html: draftReply(input), meta: { providerId: 'offline', kind: 'offline', label: t('ai.draft.label_offline') } }
  },
}
