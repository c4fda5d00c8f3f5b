import type { ThreadMessage } from '../services/messages'
import { questionOf, scoreLabel, surveyScores, type WidgetSurvey } from '../services/feedback'
import { t, withLocale, type Locale } from '../i18n'
import type { VisitorMessage } from './visitor-protocol'

/** The survey as the widget shows it, in the widget's language: the question (the account's own, or the default) and five labelled choices. */
export function surveyFrame(survey: WidgetSurvey, locale: Locale) {
  return withLocale(locale, () =>
    JSON.stringify({
      type: 'survey',
      token: survey.token,
      question: questionOf(survey),
      choices: surveyScores.map((score) => ({ score, label: scoreLabel(score) })),
    }),
  )
}

/** What a visitor may see of a message: messages only (no comments or activity), never hidden text. */
export function forVisitor(message: ThreadMessage, locale: Locale): VisitorMessage | null {
  if (message.kind !== 'message') return null
  return {
    id: message.id,
    seq: message.seq,
    from: message.direction === 'in' ? 'visitor' : 'agent',
    // The widget's own id for a visitor's message, so it can swap its "Sending…" copy for this one.
    clientId: message.direction === 'in' && message.externalId?.includes(':') ? message.externalId.slice(message.externalId.indexOf(':') + 1) : undefined,
    author: message.direction === 'in' ? null : (message.authorUserName ?? message.authorName),
    ...(Array.isArray(message.metadata?.buttons) ? { buttons: (message.metadata.buttons as unknown[]).map(String) } : {}),
    ...(Array.isArray(message.metadata?.attachments) && !message.hiddenAt
      ? {
          files: (message.metadata.attachments as { id: string; filename: string; contentType: string; sizeBytes: number }[]).map(
            ({ id, filename, contentType, sizeBytes }) => ({
              id,
              filename,
              contentType,
              sizeBytes,
            }),
          ),
        }
      : {}),
    text: message.hiddenAt ? t('widget.removed', undefined, locale) : message.text,
    at: message.createdAt,
  }
}
