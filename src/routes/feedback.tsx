import { Hono, type Context } from 'hono'
import { HTTPException } from 'hono/http-exception'
import type { AppEnv } from '../env'
import { requireRole } from '../auth/middleware'
import { notifySafely } from '../channels/pipeline'
import { t } from '../i18n'
import { durableObjectNotifier } from '../rooms/notifier'
import { getConversation } from '../services/conversations'
import {
  answerSurvey,
  contactFeedback,
  findSurvey,
  getSurveySettings,
  saveSurveySettings,
  sendSurveyOnClose,
  surveyAnswerInput,
  surveyChangeWindowMs,
  surveyLocked,
  surveySettingsInput,
  type SurveyLive,
} from '../services/feedback'
import { FeedbackCard, SurveyNotFoundPage, SurveyPage, SurveySettingsForm, SurveySettingsPage } from '../../templates/feedback'
import { hostOf } from '../host'

/**
 * Past feedback: the public answer page a survey link opens (no session: the token is the key),
 * the sidebar's "Past feedback" card, and the survey settings. The survey itself is sent by
 * `surveysAfterClose`, which the close route calls.
 */
export const feedbackRoutes = new Hono<AppEnv>()

/** Sends the survey of each conversation an agent just closed (single close only; see the close route). */
export async function surveysAfterClose(c: Context<AppEnv>, conversationIds: string[]) {
  const { db, accountId } = c.var
  const room = (conversationId: string) => hostOf(c.env).rooms.conversation(conversationId)
  const live: SurveyLive = {
    visitorConnected: (conversationId) => room(conversationId).visitorConnected(),
    offer: (conversationId, survey) => room(conversationId).offerSurvey(survey),
  }
  const baseUrl = new URL(c.req.url).origin
  for (const conversationId of conversationIds) {
    try {
      const outcome = await sendSurveyOnClose(db, c.env, live, { accountId, conversationId, baseUrl })
      const detail = outcome.messageId ? await getConversation(db, accountId, conversationId) : null
      if (detail && outcome.messageId) {
        await notifySafely(durableObjectNotifier(c.env), { accountId, inboxId: detail.conversation.inboxId, conversationId, messageId: outcome.messageId })
      }
    } catch (error) {
      console.error('survey not sent', conversationId, String(error))
    }
  }
}

// ---- Public answer page --------------------------------------------------------------------------

const tokenOf = (c: Context<AppEnv>) => c.req.param('token') ?? ''

async function surveyPage(
  c: Context<AppEnv>,
  token: string,
  extra: { score?: number | null; comment?: string; saved?: boolean; error?: string } = {},
  status: 200 | 409 | 422 = 200,
) {
  const found = await findSurvey(c.var.db, token)
  // Links in mail are visited by scanners and previews: never cache, never index.
  c.header('Cache-Control', 'no-store')
  c.header('X-Robots-Tag', 'noindex')
  if (!found) return c.html(<SurveyNotFoundPage />, 404)
  const { survey } = found
  const answered =
    survey.score !== null && survey.answeredAt !== null ? { score: survey.score, changeableUntil: survey.answeredAt + surveyChangeWindowMs } : null
  return c.html(
    <SurveyPage
      token={token}
      question={found.question}
      teamName={found.teamName}
      score={extra.score !== undefined ? extra.score : survey.score}
      comment={extra.comment ?? survey.comment ?? ''}
      answered={answered}
      locked={surveyLocked(survey)}
      saved={extra.saved}
      error={extra.error}
    />,
    status,
  )
}

/** GET shows the choice from the link preselected; it records nothing (mail scanners follow links). */
feedbackRoutes.get('/feedback/:token', (c) => {
  const requested = Number(c.req.query('score'))
  return surveyPage(c, tokenOf(c), Number.isInteger(requested) && requested >= 1 && requested <= 5 ? { score: requested } : {})
})

feedbackRoutes.post('/feedback/:token', async (c) => {
  const token = tokenOf(c)
  const body = await c.req.parseBody()
  const comment = typeof body.comment === 'string' ? body.comment : ''
  const parsed = surveyAnswerInput.safeParse({ score: typeof body.score === 'string' && body.score !== '' ? body.score : undefined, comment })
  if (!parsed.success) {
    const problem = parsed.error.issues[0]?.path[0] === 'comment' ? t('feedback.error.comment_too_long', { max: 2000 }) : t('feedback.error.score')
    const score = Number(body.score)
    return surveyPage(
      c,
      token,
      { score: Number.isInteger(score) && score >= 1 && score <= 5 ? score : null, comment: comment.slice(0, 2000), error: problem },
      422,
    )
  }
  const outcome = await answerSurvey(c.var.db, token, parsed.data)
  if (outcome.status === 'unknown') return surveyPage(c, token)
  if (outcome.status === 'locked') return surveyPage(c, token, { error: t('feedback.error.locked') }, 409)
  return surveyPage(c, token, { saved: true })
})

// ---- Sidebar card --------------------------------------------------------------------------------

/** The card under /conversations/:id/cards/feedback. */
export const feedbackCardRoutes = new Hono<AppEnv>()
feedbackCardRoutes.get('/:id/cards/feedback', async (c) => {
  const { db, accountId, user } = c.var
  const detail = await getConversation(db, accountId, c.req.param('id'))
  if (!detail) throw new HTTPException(404, { message: t('feedback.card.missing_conversation') })
  const contactId = detail.contact?.id
  const entries = contactId ? await contactFeedback(db, accountId, contactId) : { answered: [], pending: [], average: null }
  return c.html(<FeedbackCard conversationId={detail.conversation.id} hasContact={Boolean(contactId)} {...entries} timeZone={user.timeZone} />)
})

// ---- Settings ------------------------------------------------------------------------------------

/** The survey settings under /settings/feedback: admins only. */
export const feedbackSettingsRoutes = new Hono<AppEnv>()
feedbackSettingsRoutes.use('/feedback', requireRole('admin', 'super_admin'))
feedbackSettingsRoutes.get('/feedback', async (c) => {
  const settings = await getSurveySettings(c.var.db, c.var.accountId)
  return c.html(<SurveySettingsPage appName={c.env.APP_NAME ?? 'Switchboard'} role={c.var.user.role} userId={c.var.user.id} settings={settings} />)
})

feedbackSettingsRoutes.post('/feedback', async (c) => {
  const body = await c.req.parseBody()
  const question = typeof body.question === 'string' ? body.question : ''
  const enabled = body.enabled === '1' || body.enabled === 'on'
  const parsed = surveySettingsInput.safeParse({ enabled, question })
  if (!parsed.success) {
    return c.html(
      <SurveySettingsForm
        settings={{ enabled, question: null }}
        questionValue={question.slice(0, 1000)}
        error={t('feedback.settings.error_question', { max: 300 })}
      />,
      422,
    )
  }
  const settings = await saveSurveySettings(c.var.db, c.var.accountId, { enabled, question })
  const form = <SurveySettingsForm settings={settings} saved />
  if (c.req.header('HX-Request')) return c.html(form)
  return c.redirect('/settings/feedback', 303)
})
