import type { FC } from 'hono/jsx'
import { findPlugin } from '../src/channels/registry'

/** The reply/comment form under a thread. */
export interface ComposerProps {
  conversationId: string
  canReply: boolean
  error?: string
  kind?: 'message' | 'comment'
  /** What the agent wrote, kept when the server sends the form back. */
  text?: string
  /** The newest message the agent has seen; a reply someone else sent after it asks for a confirm. */
  seenSeq?: number
  /** The agent was warned about another reply and sends anyway. */
  confirmed?: boolean
  /** The conversation's channel: its own composer fields (recipients, attachments) when it has any. */
  pluginId?: string
  /** What the agent entered in those fields, kept when the server sends the form back. */
  fieldValues?: Record<string, string>
  /** A chat whose visitor has an email address can be answered by email instead. */
  emailSwitchAddress?: string
  via?: 'chat' | 'email'
}

export const Composer: FC<ComposerProps> = ({ conversationId, canReply, error, kind, text, seenSeq, confirmed, pluginId, fieldValues, emailSwitchAddress, via }) => {
  const selected = canReply ? (kind ?? 'message') : 'comment'
  const Fields = canReply && pluginId ? findPlugin(pluginId)?.ui.ComposerFields : undefined
  return (
    <form
      id="composer"
      class={`composer composer-${selected}`}
      hx-post={`/conversations/${conversationId}/messages`}
      hx-target="this"
      hx-swap="outerHTML"
      hx-encoding={Fields ? 'multipart/form-data' : undefined}
    >
      <div class="composer-tabs" role="radiogroup" aria-label="Message type">
        {canReply && (
          <label class="tab">
            <input type="radio" name="kind" value="message" checked={selected === 'message'} /> Reply
          </label>
        )}
        <label class="tab">
          <input type="radio" name="kind" value="comment" checked={selected === 'comment'} /> Comment
        </label>
      </div>
      {error && (
        <p class={confirmed ? 'form-warning' : 'form-error'} role="alert">
          {error}
        </p>
      )}
      <input type="hidden" name="seenSeq" value={String(seenSeq ?? 0)} />
      {confirmed && <input type="hidden" name="confirmed" value="1" />}
      {Fields && <Fields conversationId={conversationId} values={fieldValues} />}
      {canReply && emailSwitchAddress && (
        <label class="via">
          Send as
          <select name="via">
            <option value="chat" selected={via !== 'email'}>
              Chat message
            </option>
            <option value="email" selected={via === 'email'}>
              Email to {emailSwitchAddress}
            </option>
          </select>
        </label>
      )}
      <textarea name="text" rows={3} required maxlength={20000} placeholder="Write a message… (Ctrl+Enter sends)">
        {text ?? ''}
      </textarea>
      <div class="composer-actions">
        <button type="submit" class="button primary">
          {confirmed ? 'Send anyway' : 'Send'}
        </button>
      </div>
    </form>
  )
}

