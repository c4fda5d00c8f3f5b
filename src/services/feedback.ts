import { and, desc, eq, isNull, sql } from 'drizzle-orm'
import { z } from 'zod'
import type { Db } from '../db/client'
import { accountSettings, contacts, conversations, feedback, inboxes, messages } from '../db/schema'
import type { Bindings } from '../env'
import { hostOf } from '../host'
import { findPlugin } from '../channels/registry'
import { t, withLocale } from '../i18n'
import { newId, newSecret } from '../lib/ids'
import { escapeHtml } from '../lib/sanitize-html'
import { emailChannelFor } from './email-outbound'
import { appendMessage, type Message } from './messages'
import { queueDelivery } from './outbound'

/**
 * The one-question satisfaction survey sent when an agent closes a conversation: in the chat
 * widget when the visitor is still there, else by email with five answer links. Each survey is a
 * `feedback` row with an unguessable token; the answer page and the widget record against it.
 */

export const surveyScores = [1, 2, 3, 4, 5] as const
export const maxSurveyCommentLength = 2000
export const maxSurveyQuestionLength = 300
/** After the first answer, the customer may change it for this long; then it is locked. */
export const surveyChangeWindowMs = 7 * 24 * 60 * 60 * 1000
/** A widget survey the visitor did not see (they left) is offered again when they come back within this time. */
export const widgetSurveyReofferMs = 7 * 24 * 60 * 60 * 1000

export type Survey = typeof feedback.$inferSelect

export interface SurveySettings {
  enabled: boolean
  /** The account's own question; null means the default one. */
  question: string | null
}

/** The account's survey settings; a missing row means the defaults (enabled, default question). */
export async function getSurveySettings(db: Db, accountId: string): Promise<SurveySettings> {
  const [row] = await db
    .select({ enabled: accountSettings.surveyEnabled, question: accountSettings.surveyQuestion })
    .from(accountSettings)
    .where(eq(accountSettings.accountId, accountId))
    .limit(1)
  return { enabled: row?.enabled ?? true, question: row?.question?.trim() || null }
}

export const surveySettingsInput = z.object({
  enabled: z.boolean(),
  question: z
    .string()
    .trim()
    .max(maxSurveyQuestionLength, `The question can have at most ${maxSurveyQuestionLength} characters.`)
    .transform((value) => value || null),
})

export async function saveSurveySettings(db: Db, accountId: string, input: z.input<typeof surveySettingsInput>, nowMs = Date.now()) {
  const settings = surveySettingsInput.parse(input)
  await db
    .insert(accountSettings)
    .values({ accountId, surveyEnabled: settings.enabled, surveyQuestion: settings.question, updatedAt: nowMs })
    .onConflictDoUpdate({ target: accountSettings.accountId, set: { surveyEnabled: settings.enabled, surveyQuestion: settings.question, updatedAt: nowMs } })
  return settings
}

/** The question as the customer reads it. */
export const questionOf = (settings: Pick<SurveySettings, 'question'>) => settings.question ?? t('feedback.question_default')

export const scoreLabel = (score: number) => t(`feedback.score.${score}`)

/**
 * Records a survey for a conversation unless one exists: one INSERT … WHERE NOT EXISTS, so two
 * closes racing each other still send one survey. Null when one was already there.
 */
export async function createSurvey(
  db: Db,
  input: { accountId: string; conversationId: string; contactId: string; via: Survey['via']; nowMs?: number },
): Promise<Survey | null> {
  const id = newId()
  const token = `${newSecret()}${newSecret()}`
  await db.run(sql`
    insert into ${feedback} (id, account_id, conversation_id, contact_id, via, token, sent_at)
    select ${id}, ${input.accountId}, ${input.conversationId}, ${input.contactId}, ${input.via}, ${token}, ${input.nowMs ?? Date.now()}
    where not exists (select 1 from ${feedback} where ${feedback.conversationId} = ${input.conversationId})`)
  const [row] = await db.select().from(feedback).where(eq(feedback.token, token)).limit(1)
  return row ?? null
}

/** A survey by its token, with what its answer page shows. */
export async function findSurvey(db: Db, token: string) {
  if (!/^[a-z0-9]{16,64}$/.test(token)) return null
  const [row] = await db
    .select({ survey: feedback, inboxName: inboxes.name, question: accountSettings.surveyQuestion })
    .from(feedback)
    .leftJoin(conversations, eq(conversations.id, feedback.conversationId))
    .leftJoin(inboxes, eq(inboxes.id, conversations.inboxId))
    .leftJoin(accountSettings, eq(accountSettings.accountId, feedback.accountId))
    .where(eq(feedback.token, token))
    .limit(1)
  if (!row) return null
  return { survey: row.survey, teamName: row.inboxName, question: questionOf({ question: row.question?.trim() || null }) }
}

/** Whether an answered survey can still be changed. */
export const surveyLocked = (survey: Pick<Survey, 'answeredAt'>, nowMs = Date.now()) =>
  survey.answeredAt !== null && nowMs - survey.answeredAt > surveyChangeWindowMs

export const surveyAnswerInput = z.object({
  score: z.coerce
    .number({ message: 'Choose a score from 1 to 5.' })
    .int('Choose a score from 1 to 5.')
    .min(1, 'Choose a score from 1 to 5.')
    .max(5, 'Choose a score from 1 to 5.'),
  comment: z
    .string()
    .max(maxSurveyCommentLength, `The comment can have at most ${maxSurveyCommentLength} characters.`)
    .default('')
    .transform((value) => value.replace(/\r\n?/g, '\n').trim() || null),
})

export type AnswerOutcome = { status: 'saved'; survey: Survey } | { status: 'locked'; survey: Survey } | { status: 'unknown' }

/**
 * Records (or changes) an answer. The first answer's time is kept: it starts the change window,
 * and the update itself refuses once the window is over, so a late POST cannot slip through.
 */
export async function answerSurvey(
  db: Db,
  token: string,
  answer: z.output<typeof surveyAnswerInput>,
  options: { conversationId?: string; nowMs?: number } = {},
): Promise<AnswerOutcome> {
  const nowMs = options.nowMs ?? Date.now()
  const [existing] = await db.select().from(feedback).where(eq(feedback.token, token)).limit(1)
  if (!existing || (options.conversationId !== undefined && existing.conversationId !== options.conversationId)) return { status: 'unknown' }
  const [updated] = await db
    .update(feedback)
    .set({ score: answer.score, comment: answer.comment, answeredAt: sql`coalesce(${feedback.answeredAt}, ${nowMs})` })
    .where(and(eq(feedback.id, existing.id), sql`(${feedback.answeredAt} is null or ${feedback.answeredAt} >= ${nowMs - surveyChangeWindowMs})`))
    .returning()
  return updated ? { status: 'saved', survey: updated } : { status: 'locked', survey: existing }
}

/** A widget survey the visitor has not answered yet (offered again when they reconnect). */
export async function pendingWidgetSurvey(db: Db, accountId: string, conversationId: string, nowMs = Date.now()) {
  const [row] = await db
    .select({ token: feedback.token, question: accountSettings.surveyQuestion })
    .from(feedback)
    .leftJoin(accountSettings, eq(accountSettings.accountId, feedback.accountId))
    .where(
      and(
        eq(feedback.accountId, accountId),
        eq(feedback.conversationId, conversationId),
        eq(feedback.via, 'widget'),
        isNull(feedback.answeredAt),
        sql`${feedback.sentAt} > ${nowMs - widgetSurveyReofferMs}`,
      ),
    )
    .limit(1)
  return row ? ({ token: row.token, question: row.question?.trim() || null } satisfies WidgetSurvey) : null
}

export interface ContactFeedbackEntry {
  id: string
  conversationId: string | null
  inboxId: string | null
  subject: string | null
  status: string | null
  folder: string | null
  via: Survey['via']
  score: number | null
  comment: string | null
  sentAt: number
  answeredAt: number | null
}

/** A contact's surveys, newest first: the answered ones, their average, and those still waiting. */
export async function contactFeedback(db: Db, accountId: string, contactId: string, limit = 50) {
  const rows: ContactFeedbackEntry[] = await db
    .select({
      id: feedback.id,
      conversationId: feedback.conversationId,
      inboxId: conversations.inboxId,
      subject: conversations.subject,
      status: conversations.status,
      folder: conversations.folder,
      via: feedback.via,
      score: feedback.score,
      comment: feedback.comment,
      sentAt: feedback.sentAt,
      answeredAt: feedback.answeredAt,
    })
    .from(feedback)
    .leftJoin(conversations, eq(conversations.id, feedback.conversationId))
    .where(and(eq(feedback.accountId, accountId), eq(feedback.contactId, contactId)))
    .orderBy(desc(feedback.sentAt))
    .limit(limit)
  const answered = rows.filter((row) => row.score !== null)
  const pending = rows.filter((row) => row.score === null)
  const average = answered.length > 0 ? answered.reduce((sum, row) => sum + row.score!, 0) / answered.length : null
  return { answered, pending, average }
}

// ---- Sending ---------------------------------------------------------------------------------

/** The survey mail: the question and five links, each preselecting a score on the answer page. */
export function surveyMail(input: { question: string; teamName: string; answerUrl: string; locale?: string | null }) {
  return withLocale(input.locale ?? 'en', () => {
    const intro = t('feedback.mail.intro', { team: input.teamName })
    const links = surveyScores.map((score) => ({ score, label: `${score} – ${scoreLabel(score)}`, url: `${input.answerUrl}?score=${score}` }))
    const text = [intro, '', input.question, '', ...links.map((link) => `${link.label}: ${link.url}`), '', t('feedback.mail.footer')].join('\n')
    const html =
      `<p>${escapeHtml(intro)}</p><p><strong>${escapeHtml(input.question)}</strong></p>` +
      `<table role="presentation" cellpadding="0" cellspacing="0"><tr>${links
        .map(
          (link) =>
            `<td style="padding:0 6px 0 0"><a href="${escapeHtml(link.url)}" style="display:inline-block;padding:8px 12px;border:1px solid #c8ccd4;border-radius:6px;color:#1f2937;text-decoration:none">${escapeHtml(link.label)}</a></td>`,
        )
        .join('')}</tr></table><p style="color:#555">${escapeHtml(t('feedback.mail.footer'))}</p>`
    return { subject: t('feedback.mail.subject', { team: input.teamName }), text, html }
  })
}

/**
 * Emails the survey through the inbox's email channel and the delivery queue, like a transcript:
 * an automatic outbound message of the conversation (`Auto-Submitted: auto-generated`) that
 * starts a thread of its own at the customer's end.
 */
export async function sendSurveyEmail(
  db: Db,
  env: Pick<Bindings, 'OUTBOUND'>,
  input: { survey: Survey; to: string; question: string; baseUrl: string; nowMs?: number; locale?: string | null },
): Promise<Message> {
  const conversationId = input.survey.conversationId!
  const [conversation] = await db
    .select({ inboxName: inboxes.name })
    .from(conversations)
    .innerJoin(inboxes, eq(inboxes.id, conversations.inboxId))
    .where(and(eq(conversations.accountId, input.survey.accountId), eq(conversations.id, conversationId)))
    .limit(1)
  const channel = await emailChannelFor(db, input.survey.accountId, conversationId)
  if (!conversation || !channel) throw new Error('This inbox has no email channel to send the survey from.')
  const mail = surveyMail({
    question: input.question,
    teamName: conversation.inboxName,
    answerUrl: `${input.baseUrl.replace(/\/$/, '')}/feedback/${input.survey.token}`,
    locale: input.locale,
  })
  const message = await appendMessage(db, {
    accountId: input.survey.accountId,
    conversationId,
    channelId: channel.id,
    direction: 'out',
    kind: 'message',
    authorUserId: null,
    authorName: conversation.inboxName,
    text: withLocale('en', () => t('feedback.mail.thread_line', { address: input.to })),
    automated: true,
    metadata: {
      survey: true,
      startsThread: true,
      autoSubmitted: 'auto-generated',
      subject: mail.subject,
      replyOptions: { to: [{ address: input.to }], cc: [], bcc: [] },
      sendBody: { text: mail.text, html: mail.html },
    },
    createdAt: input.nowMs ?? Date.now(),
  })
  if (!message) throw new Error('The survey could not be saved.')
  await queueDelivery(db, hostOf(env).jobs, { accountId: input.survey.accountId, messageId: message.id })
  return message
}

/**
 * A survey as the widget gets it: the account's own question, or null for the default one, which
 * the room asks in the widget's language.
 */
export interface WidgetSurvey {
  token: string
  question: string | null
}

/** How the live layer reaches a chat visitor; the route passes the conversation's room. */
export interface SurveyLive {
  visitorConnected(conversationId: string): Promise<boolean>
  /** Shows the survey in the widget; false when no visitor socket took it. */
  offer(conversationId: string, survey: WidgetSurvey): Promise<boolean>
}

export type SurveyOutcome = { conversationId: string; sent: 'widget' | 'email' | null; reason?: string; messageId?: number }

/**
 * After an agent closed a conversation: send its survey, unless surveys are off, one was sent
 * already, the conversation is not in the inbox (spam, filtered, trash) or not closed, or the
 * contact is blocked. A chat whose visitor is connected gets it in the widget; otherwise a contact
 * with an address that does not bounce gets it by email. Failures never undo the close.
 */
export async function sendSurveyOnClose(
  db: Db,
  env: Pick<Bindings, 'OUTBOUND'>,
  live: SurveyLive,
  input: { accountId: string; conversationId: string; baseUrl: string; nowMs?: number },
): Promise<SurveyOutcome> {
  const { accountId, conversationId } = input
  const skip = (reason: string): SurveyOutcome => ({ conversationId, sent: null, reason })
  const settings = await getSurveySettings(db, accountId)
  if (!settings.enabled) return skip('disabled')
  const [row] = await db
    .select({ conversation: conversations, contact: contacts })
    .from(conversations)
    .leftJoin(contacts, eq(contacts.id, conversations.contactId))
    .where(and(eq(conversations.accountId, accountId), eq(conversations.id, conversationId)))
    .limit(1)
  if (!row) return skip('missing')
  if (row.conversation.status !== 'closed') return skip('not closed')
  // Spam, Filtered and Trash never get one; nor does Sent: there the contact has not answered us yet.
  if (row.conversation.folder !== 'inbox') return skip(`in ${row.conversation.folder}`)
  if (!row.contact) return skip('no contact')
  if (row.contact.blocked) return skip('blocked')
  // A thread of machine mail only (notifications, auto-replies) has nobody to ask.
  const [wrote] = await db
    .select({ id: messages.id })
    .from(messages)
    .where(and(eq(messages.conversationId, conversationId), eq(messages.direction, 'in'), eq(messages.kind, 'message'), eq(messages.automated, false)))
    .limit(1)
  if (!wrote) return skip('contact never wrote')
  const [already] = await db.select({ id: feedback.id }).from(feedback).where(eq(feedback.conversationId, conversationId)).limit(1)
  if (already) return skip('already sent')
  // Mail asks in the contact's language (the chat widget's, when known), the widget in its own;
  // a question the account wrote is theirs.
  const locale = row.contact.locale
  const question = withLocale(locale, () => questionOf(settings))
  const base = { accountId, conversationId, contactId: row.contact.id, nowMs: input.nowMs }

  const isChat = findPlugin(row.conversation.pluginId)?.capabilities.realtime === true
  if (isChat && (await live.visitorConnected(conversationId))) {
    const survey = await createSurvey(db, { ...base, via: 'widget' })
    if (!survey) return skip('already sent')
    if (await live.offer(conversationId, { token: survey.token, question: settings.question })) return { conversationId, sent: 'widget' }
    // The visitor left between the two calls: email when we can, else it waits for their return.
    if (!row.contact.email || row.contact.bouncingAt) return { conversationId, sent: 'widget', reason: 'offered on return' }
    await db.update(feedback).set({ via: 'email' }).where(eq(feedback.id, survey.id))
    const message = await sendSurveyEmail(db, env, { survey, to: row.contact.email, question, baseUrl: input.baseUrl, nowMs: input.nowMs, locale })
    return { conversationId, sent: 'email', messageId: message.id }
  }
  if (!row.contact.email) return skip('no address')
  if (row.contact.bouncingAt) return skip('bouncing')
  if (!(await emailChannelFor(db, accountId, conversationId))) return skip('no email channel')
  const survey = await createSurvey(db, { ...base, via: 'email' })
  if (!survey) return skip('already sent')
  const message = await sendSurveyEmail(db, env, { survey, to: row.contact.email, question, baseUrl: input.baseUrl, nowMs: input.nowMs, locale })
  return { conversationId, sent: 'email', messageId: message.id }
}
