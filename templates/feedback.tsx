import type { FC } from 'hono/jsx'
import type { UserRole } from '../src/db/schema'
import { t } from '../src/i18n'
import { fullTime, isoTime, shortTime } from '../src/lib/time'
import {
  maxSurveyCommentLength,
  maxSurveyQuestionLength,
  scoreLabel,
  surveyScores,
  type ContactFeedbackEntry,
  type SurveySettings,
} from '../src/services/feedback'
import { Layout } from './layout'
import { SettingsNav } from './settings-nav'
import { conversationUrl } from './inbox'

// ---- The public answer page (/feedback/:token) ---------------------------------------------------

export interface SurveyPageProps {
  token: string
  question: string
  teamName: string | null
  /** Preselected: the link's ?score=, else the recorded answer. */
  score: number | null
  comment: string
  /** The recorded answer, when there is one. */
  answered: { score: number; changeableUntil: number } | null
  locked: boolean
  saved?: boolean
  error?: string
}

/** Stars for a 1–5 score, with the number for screen readers. */
export const Stars: FC<{ score: number }> = ({ score }) => (
  <span class="stars" role="img" aria-label={t('feedback.stars_label', { score })}>
    {'★'.repeat(score)}
    <span class="stars-off">{'★'.repeat(5 - score)}</span>
  </span>
)

export const SurveyPage: FC<SurveyPageProps> = (props) => (
  <Layout title={t('feedback.page_title')} bodyClass="survey-page">
    <main class="auth-card survey-card">
      {props.teamName && <p class="muted small">{props.teamName}</p>}
      <h1>{props.question}</h1>
      {props.error && (
        <p class="form-error" role="alert">
          {props.error}
        </p>
      )}
      {props.saved && (
        <p class="form-success" role="status">
          {t('feedback.thanks')}
        </p>
      )}
      {props.locked && props.answered ? (
        <>
          <p>
            <Stars score={props.answered.score} /> {props.answered.score}/5 · {scoreLabel(props.answered.score)}
          </p>
          {props.comment && <blockquote class="survey-comment">{props.comment}</blockquote>}
          <p class="muted">{t('feedback.locked')}</p>
        </>
      ) : (
        <form method="post" action={`/feedback/${props.token}`} class="survey-form stack">
          <fieldset class="survey-scores">
            <legend class="visually-hidden">{t('feedback.score_legend')}</legend>
            {surveyScores.map((score) => (
              <label class="survey-score">
                <input type="radio" name="score" value={String(score)} checked={props.score === score} required />
                <span class="survey-score-number">{score}</span>
                <span class="survey-score-label">{scoreLabel(score)}</span>
              </label>
            ))}
          </fieldset>
          <label>
            {t('feedback.comment_label')}
            <textarea name="comment" rows={4} maxlength={maxSurveyCommentLength}>
              {props.comment}
            </textarea>
          </label>
          <button type="submit" class="button primary">
            {props.answered ? t('feedback.submit_change') : t('feedback.submit')}
          </button>
          {props.answered && <p class="muted small">{t('feedback.changeable_until', { date: `${fullTime(props.answered.changeableUntil)} UTC` })}</p>}
        </form>
      )}
    </main>
  </Layout>
)

export const SurveyNotFoundPage: FC = () => (
  <Layout title={t('feedback.not_found_title')} bodyClass="survey-page">
    <main class="auth-card survey-card">
      <h1>{t('feedback.not_found_title')}</h1>
      <p>{t('feedback.not_found')}</p>
    </main>
  </Layout>
)

// ---- The sidebar card ---------------------------------------------------------------------------

const linkToConversation = (entry: ContactFeedbackEntry) => {
  if (!entry.conversationId || !entry.inboxId) return null
  const viewId = entry.folder === 'inbox' || !entry.folder ? (entry.status === 'open' ? 'open' : 'closed') : entry.folder
  return conversationUrl(entry.inboxId, viewId, entry.conversationId)
}

const EntryLink: FC<{ entry: ContactFeedbackEntry; currentConversationId: string }> = ({ entry, currentConversationId }) => {
  const href = linkToConversation(entry)
  const label = entry.conversationId === currentConversationId ? t('feedback.card.this_conversation') : (entry.subject ?? t('feedback.card.no_subject'))
  return href ? <a href={href}>{label}</a> : <span>{t('feedback.card.deleted_conversation')}</span>
}

export const FeedbackCard: FC<{
  conversationId: string
  hasContact: boolean
  answered: ContactFeedbackEntry[]
  pending: ContactFeedbackEntry[]
  average: number | null
  timeZone: string
}> = ({ conversationId, hasContact, answered, pending, average, timeZone }) => (
  <section class="card feedback-card" id="card-feedback" aria-labelledby="card-feedback-title">
    <h2 id="card-feedback-title">{t('feedback.card.title')}</h2>
    {!hasContact ? (
      <p class="muted small">{t('feedback.card.no_contact')}</p>
    ) : answered.length === 0 && pending.length === 0 ? (
      <p class="muted small">{t('feedback.card.none')}</p>
    ) : (
      <>
        {average !== null && (
          <p class="feedback-average">
            <Stars score={Math.round(average)} /> {t('feedback.card.average', { average: average.toFixed(1), count: answered.length })}
          </p>
        )}
        {answered.length > 0 && (
          <ul class="plain-list feedback-list">
            {answered.map((entry) => (
              <li class="feedback-entry">
                <div>
                  <Stars score={entry.score!} /> <strong>{entry.score}/5</strong> · {scoreLabel(entry.score!)}
                </div>
                {entry.comment && <blockquote class="feedback-comment">{entry.comment}</blockquote>}
                <div class="muted small">
                  <time datetime={isoTime(entry.answeredAt!)} title={fullTime(entry.answeredAt!, timeZone)}>
                    {shortTime(entry.answeredAt!, Date.now(), timeZone)}
                  </time>{' '}
                  · <EntryLink entry={entry} currentConversationId={conversationId} />
                </div>
              </li>
            ))}
          </ul>
        )}
        {pending.length > 0 && (
          <>
            <h4 class="feedback-pending-title">{t('feedback.card.pending_title')}</h4>
            <ul class="plain-list feedback-list">
              {pending.map((entry) => (
                <li class="feedback-entry feedback-pending">
                  <span class="muted small">
                    {t(entry.via === 'widget' ? 'feedback.card.pending_widget' : 'feedback.card.pending_email', {
                      when: shortTime(entry.sentAt, Date.now(), timeZone),
                    })}{' '}
                    · <EntryLink entry={entry} currentConversationId={conversationId} />
                  </span>
                </li>
              ))}
            </ul>
          </>
        )}
      </>
    )}
  </section>
)

// ---- Settings (/settings/feedback) --------------------------------------------------------------

export const SurveySettingsForm: FC<{ settings: SurveySettings; saved?: boolean; error?: string; questionValue?: string }> = ({
  settings,
  saved,
  error,
  questionValue,
}) => (
  <form id="survey-settings" class="card stack" method="post" action="/settings/feedback" hx-post="/settings/feedback" hx-target="this" hx-swap="outerHTML">
    <h2>{t('feedback.settings.form_title')}</h2>
    {error && (
      <p class="form-error" role="alert">
        {error}
      </p>
    )}
    {saved && (
      <p class="form-success" role="status">
        {t('common.saved')}
      </p>
    )}
    <label class="checkbox">
      <input type="checkbox" name="enabled" value="1" checked={settings.enabled} /> {t('feedback.settings.enabled')}
    </label>
    <label>
      {t('feedback.settings.question')}
      <input
        name="question"
        maxlength={maxSurveyQuestionLength}
        value={questionValue ?? settings.question ?? ''}
        placeholder={t('feedback.question_default')}
      />
    </label>
    <p class="muted small">{t('feedback.settings.help')}</p>
    <button type="submit" class="button primary">
      {t('common.save')}
    </button>
  </form>
)

export const SurveySettingsPage: FC<{ appName: string; role: UserRole; userId: string; settings: SurveySettings }> = ({ appName, role, userId, settings }) => (
  <Layout title={`${t('feedback.settings.title')} · ${appName}`} bodyClass="settings-page" userId={userId}>
    <main class="settings">
      <a href="/" class="back-link">
        {t('common.back_to_inbox')}
      </a>
      <SettingsNav role={role} current="/settings/feedback" />
      <h1>{t('feedback.settings.title')}</h1>
      <SurveySettingsForm settings={settings} />
    </main>
  </Layout>
)
