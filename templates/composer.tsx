import type { FC } from 'hono/jsx'
import { channelNameOf, findPlugin } from '../src/channels/registry'
import { sendsRichText } from '../src/channels/capabilities'
import { t } from '../src/i18n'
import { richTextToPlain } from '../src/lib/rich-text'
import type { DraftsByKind } from '../src/services/drafts'

/** The reply/comment form under a thread. */
export interface ComposerProps {
  conversationId: string
  canReply: boolean
  error?: string
  kind?: 'message' | 'comment'
  /** What the agent wrote as plain text (a form posted without the editor), kept when the server sends the form back. */
  text?: string
  /** What the agent wrote in the editor, already sanitised, kept when the server sends the form back. */
  html?: string
  /** The newest message the agent has seen; a reply someone else sent after it asks for a confirm. */
  seenSeq?: number
  /** The agent was warned about another reply and sends anyway. */
  confirmed?: boolean
  /** The conversation's channel: its own composer fields (recipients, attachments) when it has any. */
  pluginId?: string
  /** What the agent entered in those fields, kept when the server sends the form back. */
  fieldValues?: Record<string, string>
  /** Another channel of the inbox this reply may go out through instead (services/handoff.ts). */
  handoff?: { channelId: string; pluginId: string; address: string }
  /** The channel the agent chose to send through: the handoff's id, or empty for the conversation's own. */
  via?: string
  /** The agent's own saved drafts for this conversation (a fresh composer starts from them). */
  drafts?: DraftsByKind
  /** Why no reply can go (the channel's messaging window closed, no address to answer): shown above the editor. */
  replyClosed?: string
  /** Problems that belong to one field (`text`, or one of the channel's own fields), shown beside it. */
  fieldErrors?: Record<string, string>
}

/** What static/editor.js shows in the browser, in the agent's language. */
function editorStrings() {
  return JSON.stringify({
    placeholderReply: t('composer.placeholder_reply'),
    placeholderComment: t('composer.placeholder_comment'),
    label: t('editor.label'),
    resize: t('editor.resize'),
    linkAddress: t('editor.link_address'),
    linkAdd: t('editor.link_add'),
    linkInvalid: t('editor.link_invalid'),
    loading: t('editor.loading'),
    loadFailed: t('editor.load_failed'),
    nothingFound: t('editor.nothing_found'),
    close: t('editor.close'),
    snippets: t('editor.snippets'),
    mentions: t('editor.mentions'),
    draftSaved: t('editor.draft_saved'),
    draftFailed: t('editor.draft_failed'),
  })
}

const ToolButton: FC<{ command: string; label: string; symbol: string; pressable?: boolean }> = ({ command, label, symbol, pressable }) => (
  // Named by its hidden text, not aria-label: the visible symbol ("1≡") is not part of the name.
  <button type="button" class="editor-button" data-command={command} title={label} aria-pressed={pressable ? 'false' : undefined}>
    <span aria-hidden="true">{symbol}</span>
    <span class="visually-hidden">{label}</span>
  </button>
)

const InsertButton: FC<{ url: string; label: string }> = ({ url, label }) => (
  <button type="button" class="editor-button editor-insert-button" data-picker-url={url} aria-haspopup="dialog">
    {label}
  </button>
)

/**
 * The rich-text editor's server half: the toolbar (hidden until static/editor.js takes over), the
 * plain textarea that works without JavaScript, and the editor's starting HTML. The script
 * replaces the textarea with a contenteditable area and keeps `html` and `text` filled in for the
 * form; the server sanitises `html` whatever the browser did.
 */
export const RichEditor: FC<{ conversationId?: string; html: string; text: string; kind: 'message' | 'comment'; drafts?: DraftsByKind; rows?: number }> = ({
  conversationId,
  html,
  text,
  kind,
  drafts = {},
  rows = 3,
}) => {
  // Without a conversation (a new email) there is nothing to fill placeholders from and nowhere
  // to keep a draft: the editor formats, pastes and sends, and that is all.
  const base = conversationId ? `/conversations/${conversationId}` : null
  return (
    <div
      class="editor"
      data-editor
      data-draft-url={base ? `${base}/draft` : undefined}
      data-snippet-url={base ? `${base}/insert/snippets` : undefined}
      data-mention-url={base ? `${base}/mentions` : undefined}
      data-strings={editorStrings()}
      data-drafts={JSON.stringify({ reply: drafts.reply?.html ?? '', comment: drafts.comment?.html ?? '' })}
    >
      <div class="editor-toolbar" role="toolbar" aria-label={t('editor.toolbar')} hidden>
        <span class="editor-group editor-format">
          <ToolButton command="bold" label={t('editor.bold')} symbol="B" pressable />
          <ToolButton command="italic" label={t('editor.italic')} symbol="I" pressable />
          <ToolButton command="underline" label={t('editor.underline')} symbol="U" pressable />
        </span>
        <span class="editor-group editor-format">
          <ToolButton command="insertUnorderedList" label={t('editor.bullets')} symbol="•≡" pressable />
          <ToolButton command="insertOrderedList" label={t('editor.numbers')} symbol="1≡" pressable />
        </span>
        <span class="editor-group editor-format">
          <ToolButton command="link" label={t('editor.link')} symbol={t('editor.link')} />
          <ToolButton command="code" label={t('editor.code')} symbol="</>" pressable />
          <ToolButton command="codeBlock" label={t('editor.code_block')} symbol="{ }" />
        </span>
        {base && (
          <fieldset class="editor-group editor-inserts" aria-label={t('editor.insert')}>
            <InsertButton url={`${base}/insert/snippets`} label={t('editor.insert_snippet')} />
            <InsertButton url={`${base}/insert/templates`} label={t('editor.insert_template')} />
            <InsertButton url={`${base}/insert/articles`} label={t('editor.insert_article')} />
            <InsertButton url={`${base}/insert/meetings`} label={t('editor.insert_meeting')} />
            <InsertButton url={`${base}/insert/documents`} label={t('editor.insert_document')} />
            <InsertButton url={`${base}/insert/link`} label={t('editor.insert_link_card')} />
            <InsertButton url={`${base}/ai/write`} label={t('editor.write_for_me')} />
          </fieldset>
        )}
      </div>
      <textarea
        name="text"
        rows={rows}
        maxlength={20000}
        aria-label={t('editor.label')}
        placeholder={kind === 'comment' ? t('composer.placeholder_comment') : t('composer.placeholder_reply')}
      >
        {text}
      </textarea>
      {/* Named by the script: a browser without it posts only the textarea. */}
      <input type="hidden" data-editor-html value={html} />
    </div>
  )
}

export const Composer: FC<ComposerProps> = ({
  conversationId,
  canReply,
  error,
  kind,
  text,
  html,
  seenSeq,
  confirmed,
  pluginId,
  fieldValues,
  handoff,
  via,
  drafts = {},
  replyClosed,
  fieldErrors = {},
}) => {
  const preferred = kind ?? (drafts.reply ? 'message' : drafts.comment ? 'comment' : 'message')
  const selected = canReply ? preferred : 'comment'
  const plugin = canReply && pluginId ? findPlugin(pluginId) : undefined
  const Fields = plugin?.ui.ComposerFields
  // A channel that carries files but draws no fields of its own (Messenger) gets a plain file picker.
  const plainAttach = Boolean(plugin?.capabilities.attachments && !Fields)
  // A channel with no way back of its own (a web form) is always answered through the handoff.
  const onlyByHandoff = Boolean(plugin?.capabilities.replyByEmail && !plugin.capabilities.outbound)
  // A reply on a plain-text channel offers no formatting (comments keep it); its length limit is shown.
  const plainReply = plugin ? !sendsRichText(plugin.capabilities) : false
  const maxLength = plugin?.capabilities.maxLength
  // A fresh composer starts from the agent's draft of the selected kind, recipients included.
  const draft = html === undefined && text === undefined ? drafts[selected === 'message' ? 'reply' : 'comment'] : undefined
  const draftFields = draft && selected === 'message' && Object.keys(draft.fields).length > 0 ? draft.fields : undefined
  const startHtml = html ?? draft?.html ?? ''
  const startText = text ?? (startHtml ? richTextToPlain(startHtml) : '')
  const sendVia = via ?? draft?.fields.via ?? ''
  return (
    <form
      id="composer"
      class={`composer composer-${selected}${plainReply ? ' composer-plain' : ''}`}
      data-reply-max-length={maxLength ? String(maxLength) : undefined}
      hx-post={`/conversations/${conversationId}/messages`}
      hx-target="this"
      hx-swap="outerHTML"
      hx-encoding={Fields || plainAttach ? 'multipart/form-data' : undefined}
    >
      <div class="composer-tabs" role="radiogroup" aria-label={t('composer.kind_label')}>
        {canReply && (
          <label class="tab">
            <input type="radio" name="kind" value="message" checked={selected === 'message'} /> {t('composer.reply')}
          </label>
        )}
        <label class="tab">
          <input type="radio" name="kind" value="comment" checked={selected === 'comment'} /> {t('composer.comment')}
        </label>
      </div>
      {replyClosed && (
        <p class="composer-closed form-warning" role="status" data-reply-closed>
          {replyClosed}
        </p>
      )}
      {error && (
        <p class={confirmed ? 'form-warning' : 'form-error'} role="alert">
          {error}
        </p>
      )}
      <input type="hidden" name="seenSeq" value={String(seenSeq ?? 0)} />
      {confirmed && <input type="hidden" name="confirmed" value="1" />}
      {Fields && <Fields conversationId={conversationId} values={fieldValues ?? draftFields} errors={fieldErrors} />}
      {plainAttach && (
        <label class="attach-button composer-attach">
          {t('email.compose.attach')}
          <input type="file" name="attachments" multiple class="attach-input" />
        </label>
      )}
      {canReply && handoff && onlyByHandoff && <p class="composer-via muted small">{t('composer.reply_by_email', { address: handoff.address })}</p>}
      {canReply && handoff && !onlyByHandoff && (
        <label class="via">
          {t('composer.via')}
          <select name="via">
            <option value="" selected={sendVia !== handoff.channelId}>
              {t('composer.via_here', { channel: pluginId ? channelNameOf(pluginId) : '' })}
            </option>
            <option value={handoff.channelId} selected={sendVia === handoff.channelId}>
              {t('composer.via_handoff', { channel: channelNameOf(handoff.pluginId), address: handoff.address })}
            </option>
          </select>
        </label>
      )}
      <RichEditor conversationId={conversationId} html={startHtml} text={startText} kind={selected} drafts={drafts} />
      {fieldErrors.text && (
        <p class="field-error" id="composer-error-text" data-field="text" role="alert">
          {fieldErrors.text}
        </p>
      )}
      {maxLength && (
        // static/composer-limit.js counts as the agent types; the server refuses more either way.
        <p class="composer-limit muted small" data-max-length={String(maxLength)}>
          {t('composer.max_length', { max: String(maxLength) })}{' '}
          <output class={`composer-count${startText.length > maxLength ? ' over' : ''}`} aria-live="polite">
            {startText.length} / {maxLength}
          </output>
        </p>
      )}
      <div class="composer-actions">
        <span class="editor-status muted small" role="status" aria-live="polite"></span>
        <button type="submit" class="button primary">
          {confirmed ? t('composer.send_anyway') : t('composer.send')}
        </button>
      </div>
    </form>
  )
}
