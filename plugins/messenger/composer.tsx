import type { FC } from 'hono/jsx'
import { z } from 'zod'
import { currentLocale, t, type ComposerFieldsProps } from '../../src/channels/types'

/** Meta's limits: at most 13 quick replies, each title at most 20 characters. */
export const quickReplyLimits = { count: 13, titleLength: 20 }

/**
 * What a Messenger reply carries besides its text: quick replies (buttons the customer taps
 * instead of typing; their answer comes back as a message). Written as one line, comma-separated.
 */
export const messengerReplyOptions = z.object({
  quickReplies: z
    .string()
    .max(400)
    .optional()
    .transform((value) =>
      (value ?? '')
        .split(',')
        .map((title) => title.trim())
        .filter(Boolean),
    )
    .refine((titles) => titles.length <= quickReplyLimits.count, `At most ${quickReplyLimits.count} quick replies.`)
    .refine(
      (titles) => titles.every((title) => [...title].length <= quickReplyLimits.titleLength),
      `Each quick reply is at most ${quickReplyLimits.titleLength} characters.`,
    ),
})

/** Quick replies as the Send API takes them (`payload` is what comes back as the postback's payload). */
export function quickRepliesOf(options: unknown): { content_type: 'text'; title: string; payload: string }[] {
  // `send` gets the options as stored: already parsed by `messengerReplyOptions` (a list).
  const stored = z.object({ quickReplies: z.array(z.string().min(1).max(80)).max(quickReplyLimits.count) }).safeParse(options ?? {})
  if (!stored.success) return []
  return stored.data.quickReplies.map((title) => ({ content_type: 'text', title, payload: `QR:${title}` }))
}

const words = {
  en: { label: 'Quick replies (comma-separated, optional)', placeholder: 'Yes, No, Talk to a person' },
  nb: { label: 'Hurtigsvar (kommaseparert, valgfritt)', placeholder: 'Ja, Nei, Snakk med en person' },
}

/** The quick-replies line and a file picker (a Messenger reply may carry pictures and files). */
export const MessengerComposerFields: FC<ComposerFieldsProps> = ({ values, errors = {} }) => {
  const say = words[currentLocale() === 'nb' ? 'nb' : 'en']
  return (
    <div class="composer-fields">
      <label>
        {say.label}
        <input
          name="quickReplies"
          value={values?.quickReplies ?? ''}
          maxlength={400}
          placeholder={say.placeholder}
          aria-invalid={errors.quickReplies ? 'true' : undefined}
          aria-describedby={errors.quickReplies ? 'composer-error-quickReplies' : undefined}
        />
      </label>
      {errors.quickReplies && (
        <p class="field-error" id="composer-error-quickReplies" data-field="quickReplies" role="alert">
          {errors.quickReplies}
        </p>
      )}
      <label class="attach-button composer-attach">
        {t('email.compose.attach')}
        <input type="file" name="attachments" multiple class="attach-input" />
      </label>
    </div>
  )
}
