import { Hono, type Context } from 'hono'
import { HTTPException } from 'hono/http-exception'
import type { AppEnv } from '../env'
import { InputError } from '../lib/errors'
import { t } from '../i18n'
import { getConversation } from '../services/conversations'
import { placeholderValuesFor, renderPlaceholdersHtml, renderPlaceholdersText } from '../services/placeholders'
import { searchSnippets, searchTemplates } from '../services/snippets'
import { articlePath, searchPublishedArticles } from '../services/articles'
import { meetingLinksFor } from '../services/meeting-links'
import { documentSharePath, searchDocuments, uploadDocument, type Document } from '../services/documents'
import { httpUrl, linkCardHtml, linkHtml } from '../services/link-cards'
import { assertUploadLength, uploadedFile } from './content-kinds'
import { DocumentUploadForm, LinkCardPicker, PickerList, SearchPicker, type PickerItem } from '../../templates/insert'
import { hostOf } from '../host'

/**
 * The editor's Insert pickers (see the picker contract in docs/architecture.md). Each is scoped to
 * the signed-in user's account and to a conversation of it (another account's conversation is a
 * 404), because snippets and templates are filled in for that conversation's contact.
 */
export const insertRoutes = new Hono<AppEnv>()

async function ownConversation(c: Context<AppEnv>) {
  const detail = await getConversation(c.var.db, c.var.accountId, c.req.param('id') ?? '')
  if (!detail) throw new HTTPException(404, { message: t('content.error.no_conversation') })
  return detail
}

async function placeholderContext(c: Context<AppEnv>) {
  const detail = await ownConversation(c)
  const values = await placeholderValuesFor(c.var.db, { contact: detail.contact, agent: c.var.user, conversation: detail.conversation })
  return { values, fallback: t('content.placeholders.firstname_fallback') }
}

const query = (c: Context<AppEnv>) => (c.req.query('q') ?? '').slice(0, 200)
/**
 * The list alone, without the search box: for the search box's own requests (`list=1`) and for
 * the editor's `#` trigger, which always sends `q` (the toolbar's Insert buttons never do).
 */
const listOnly = (c: Context<AppEnv>) => c.req.query('list') === '1' || c.req.query('q') !== undefined
const pickerUrl = (c: Context<AppEnv>, kind: string) => `/conversations/${c.req.param('id')}/insert/${kind}`
const absolute = (c: Context<AppEnv>, path: string) => new URL(path, c.req.url).href

function searchResponse(c: Context<AppEnv>, kind: string, items: PickerItem[], empty: string) {
  if (listOnly(c)) return c.html(<PickerList items={items} empty={empty} />)
  return c.html(<SearchPicker kind={kind} url={pickerUrl(c, kind)} q={query(c)} items={items} empty={empty} />)
}

insertRoutes.get('/:id/insert/snippets', async (c) => {
  const [{ values, fallback }, found] = await Promise.all([placeholderContext(c), searchSnippets(c.var.db, c.var.accountId, query(c))])
  const items = found.map((snippet) => ({ label: snippet.name, detail: `#${snippet.shortcut}`, html: renderPlaceholdersHtml(snippet.body, values, fallback) }))
  return searchResponse(c, 'snippets', items, t('content.picker.no_snippets'))
})

insertRoutes.get('/:id/insert/templates', async (c) => {
  const [{ values, fallback }, found] = await Promise.all([placeholderContext(c), searchTemplates(c.var.db, c.var.accountId, query(c))])
  const items = found.map((template) => {
    const subject = renderPlaceholdersText(template.subject, values, fallback)
    return { label: template.name, detail: subject, subject, html: renderPlaceholdersHtml(template.body, values, fallback) }
  })
  return searchResponse(c, 'templates', items, t('content.picker.no_templates'))
})

insertRoutes.get('/:id/insert/articles', async (c) => {
  await ownConversation(c)
  const found = await searchPublishedArticles(c.var.db, c.var.accountId, query(c))
  const kindLabel = t('content.card.article')
  const items = found.map((article) => ({
    label: article.title,
    detail: articlePath(article),
    html: linkCardHtml(kindLabel, absolute(c, articlePath(article)), article.title),
  }))
  return searchResponse(c, 'articles', items, t('content.picker.no_articles'))
})

insertRoutes.get('/:id/insert/meetings', async (c) => {
  await ownConversation(c)
  const links = await meetingLinksFor(c.var.db, c.var.accountId, c.var.user.id)
  const items = links.map(({ link }) => ({
    label: link.name,
    detail: link.userId === null ? t('content.meetings.team') : (httpUrl(link.url)?.host ?? ''),
    html: linkHtml(link.url, link.name),
  }))
  return c.html(
    <div class="picker picker-meetings" data-picker="meetings">
      <PickerList items={items} empty={t('content.picker.no_meetings')} />
      <p class="picker-footer">
        <a href="/settings/meetings" target="_blank" rel="noopener">
          {t('content.picker.manage_meetings')}
        </a>
      </p>
    </div>,
  )
})

const documentItem = (c: Context<AppEnv>, document: Document): PickerItem => ({
  label: document.name,
  detail: document.contentType,
  html: linkCardHtml(t('content.card.document'), absolute(c, documentSharePath(document)), document.name),
})

async function documentsPicker(c: Context<AppEnv>, options: { status?: 200 | 201 | 422; error?: string; uploaded?: Document } = {}) {
  const found = await searchDocuments(c.var.db, c.var.accountId, query(c))
  const items = found.map((document) => documentItem(c, document))
  const empty = t('content.picker.no_documents')
  if (listOnly(c)) return c.html(<PickerList items={items} empty={empty} />)
  return c.html(
    <SearchPicker kind="documents" url={pickerUrl(c, 'documents')} q={query(c)} items={items} empty={empty}>
      <DocumentUploadForm url={pickerUrl(c, 'documents')} error={options.error} uploaded={options.uploaded?.name} />
    </SearchPicker>,
    options.status ?? 200,
  )
}

insertRoutes.get('/:id/insert/documents', async (c) => {
  await ownConversation(c)
  return documentsPicker(c)
})

insertRoutes.post('/:id/insert/documents', async (c) => {
  await ownConversation(c)
  try {
    assertUploadLength(c)
    const file = await uploadedFile((await c.req.parseBody()).file)
    const uploaded = await uploadDocument(c.var.db, hostOf(c.env).blobs, c.var.user, file)
    // The new document first, so one click inserts what was just uploaded.
    return documentsPicker(c, { status: 201, uploaded })
  } catch (error) {
    if (error instanceof InputError) return documentsPicker(c, { status: 422, error: error.message })
    throw error
  }
})

const linkKinds = { video: 'content.card.video', quote: 'content.card.quote' } as const

insertRoutes.get('/:id/insert/link', async (c) => {
  await ownConversation(c)
  const url = pickerUrl(c, 'link')
  const kind = c.req.query('kind') === 'quote' ? 'quote' : 'video'
  const raw = { kind, url: (c.req.query('url') ?? '').slice(0, 2000), title: (c.req.query('title') ?? '').trim().slice(0, 200) }
  if (c.req.query('url') === undefined) return c.html(<LinkCardPicker url={url} />)
  const target = httpUrl(raw.url)
  if (!target) return c.html(<LinkCardPicker url={url} values={raw} error={t('content.error.http_only')} />, 422)
  const title = raw.title || target.host
  const item = { label: title, detail: target.host, html: linkCardHtml(t(linkKinds[kind]), target.href, title) }
  return c.html(<LinkCardPicker url={url} values={raw} item={item} />)
})
