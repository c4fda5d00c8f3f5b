import { Hono, type Context } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { z } from 'zod'
import type { AppEnv } from '../env'
import { requireSession } from '../auth/middleware'
import type { SessionUser } from '../auth/session'
import { InputError } from '../lib/errors'
import { richTextToPlain } from '../lib/rich-text'
import { toPreview } from '../lib/text'
import { t } from '../i18n'
import { canManage, isAdmin, NotAllowedError, type ContentActor } from '../services/content-access'
import { createSnippet, createTemplate, deleteSnippet, deleteTemplate, getSnippet, getTemplate, listSnippets, listTemplates, updateSnippet, updateTemplate } from '../services/snippets'
import { articlePath, createArticle, deleteArticle, getArticle, listArticles, updateArticle } from '../services/articles'
import { canManageMeetingLink, createMeetingLink, deleteMeetingLink, getMeetingLink, meetingLinksFor, updateMeetingLink } from '../services/meeting-links'
import { deleteDocument, documentMaxBytes, documentSharePath, getDocument, listDocuments, renameDocument, uploadDocument } from '../services/documents'
import { ContentEditPage, ContentForm, ContentListPage, ContentRow, contentSettingsPath, type ContentKindId, type ContentRowView, type FieldSpec } from '../../templates/content-settings'

/**
 * Settings pages for what agents insert into replies. Every signed-in user may open them and add
 * content; the creator and admins edit or delete an item (services/content-access.ts). Meeting
 * links: each user manages their own, admins also the team's.
 */
export const contentSettingsRoutes = new Hono<AppEnv>()
const kindIds: ContentKindId[] = ['snippets', 'templates', 'articles', 'meetings', 'documents']
for (const kind of kindIds) {
  contentSettingsRoutes.use(`/settings/${kind}`, requireSession)
  contentSettingsRoutes.use(`/settings/${kind}/*`, requireSession)
}

type Values = Record<string, string>

interface KindConfig {
  fields(actor: ContentActor): FieldSpec[]
  rows(c: Context<AppEnv>): Promise<ContentRowView[]>
  /** The item's form values when the actor may edit it; null when there is no such item. */
  load(c: Context<AppEnv>, id: string): Promise<{ values: Values; canManage: boolean } | null>
  create(c: Context<AppEnv>, body: Record<string, unknown>): Promise<ContentRowView>
  update(c: Context<AppEnv>, id: string, body: Record<string, unknown>): Promise<void>
  remove(c: Context<AppEnv>, id: string): Promise<void>
}

const text = (value: unknown) => (typeof value === 'string' ? value : '')
const checkbox = (value: unknown) => (value === '1' || value === 'on' ? '1' : '')
const actorOf = (c: Context<AppEnv>): ContentActor => c.var.user
const byline = (name: string | null) => name ?? t('content.removed_user')

// Built per request so the messages are in the request's language.
const nameField = (key = 'content.field.name') => z.string().trim().min(1, t('content.error.name_required')).max(120, t('content.error.too_long', { field: t(key) }))
const bodyField = () => z.string().max(50_000, t('content.error.body_too_long'))

function parse<T extends z.ZodTypeAny>(schema: T, body: Record<string, unknown>): z.infer<T> {
  const result = schema.safeParse(body)
  if (!result.success) throw new InputError(result.error.issues[0]?.message ?? t('content.error.check_form'))
  return result.data
}

const snippetRow = (actor: ContentActor, snippet: { id: string; name: string; shortcut: string; body: string; createdBy: string | null; authorName?: string | null }): ContentRowView => ({
  id: snippet.id,
  title: snippet.name,
  detail: `#${snippet.shortcut} · ${toPreview(richTextToPlain(snippet.body), 100)}`,
  meta: snippet.authorName === undefined ? actor.name : byline(snippet.authorName),
  canManage: canManage(actor, snippet.createdBy),
})

const snippets: KindConfig = {
  fields: () => [
    { name: 'name', labelKey: 'content.field.name', kind: 'text', maxlength: 120, required: true },
    { name: 'shortcut', labelKey: 'content.field.shortcut', kind: 'text', maxlength: 40, required: true, prefix: '#', hintKey: 'content.hint.shortcut' },
    { name: 'body', labelKey: 'content.field.body', kind: 'textarea', maxlength: 50_000, required: true, hintKey: 'content.hint.body' },
  ],
  rows: async (c) => (await listSnippets(c.var.db, c.var.accountId)).map((row) => snippetRow(actorOf(c), row)),
  async load(c, id) {
    const row = await getSnippet(c.var.db, c.var.accountId, id)
    return row && { values: { name: row.name, shortcut: row.shortcut, body: row.body }, canManage: canManage(actorOf(c), row.createdBy) }
  },
  async create(c, body) {
    const input = parse(z.object({ name: nameField(), shortcut: z.string().max(41), body: bodyField() }), body)
    return snippetRow(actorOf(c), await createSnippet(c.var.db, actorOf(c), input))
  },
  async update(c, id, body) {
    await updateSnippet(c.var.db, actorOf(c), id, parse(z.object({ name: nameField(), shortcut: z.string().max(41), body: bodyField() }), body))
  },
  remove: (c, id) => deleteSnippet(c.var.db, actorOf(c), id),
}

const templateRow = (actor: ContentActor, row: { id: string; name: string; subject: string; createdBy: string | null; authorName?: string | null }): ContentRowView => ({
  id: row.id,
  title: row.name,
  detail: row.subject,
  meta: row.authorName === undefined ? actor.name : byline(row.authorName),
  canManage: canManage(actor, row.createdBy),
})
const templateSchema = () => z.object({ name: nameField(), subject: z.string().max(250, t('content.error.too_long', { field: t('content.field.subject') })), body: bodyField() })

const templates: KindConfig = {
  fields: () => [
    { name: 'name', labelKey: 'content.field.name', kind: 'text', maxlength: 120, required: true },
    { name: 'subject', labelKey: 'content.field.subject', kind: 'text', maxlength: 250 },
    { name: 'body', labelKey: 'content.field.body', kind: 'textarea', maxlength: 50_000, required: true, hintKey: 'content.hint.body' },
  ],
  rows: async (c) => (await listTemplates(c.var.db, c.var.accountId)).map((row) => templateRow(actorOf(c), row)),
  async load(c, id) {
    const row = await getTemplate(c.var.db, c.var.accountId, id)
    return row && { values: { name: row.name, subject: row.subject, body: row.body }, canManage: canManage(actorOf(c), row.createdBy) }
  },
  create: async (c, body) => templateRow(actorOf(c), await createTemplate(c.var.db, actorOf(c), parse(templateSchema(), body))),
  update: async (c, id, body) => void (await updateTemplate(c.var.db, actorOf(c), id, parse(templateSchema(), body))),
  remove: (c, id) => deleteTemplate(c.var.db, actorOf(c), id),
}

const articleRow = (actor: ContentActor, row: { id: string; accountId: string; title: string; slug: string; published: boolean; createdBy: string | null; authorName?: string | null }): ContentRowView => ({
  id: row.id,
  title: row.title,
  detail: `${articlePath(row)} · ${row.published ? t('content.articles.published') : t('content.articles.draft')}`,
  meta: row.authorName === undefined ? actor.name : byline(row.authorName),
  canManage: canManage(actor, row.createdBy),
  viewHref: row.published ? articlePath(row) : undefined,
})
const articleSchema = () =>
  z.object({
    title: nameField('content.field.title'),
    slug: z.string().max(80, t('content.error.slug_format')).default(''),
    body: bodyField(),
  })
const articleInput = (body: Record<string, unknown>) => ({ ...parse(articleSchema(), body), published: checkbox(body.published) === '1' })

const articles: KindConfig = {
  fields: () => [
    { name: 'title', labelKey: 'content.field.title', kind: 'text', maxlength: 120, required: true },
    { name: 'slug', labelKey: 'content.field.slug', kind: 'text', maxlength: 80, hintKey: 'content.hint.slug' },
    { name: 'body', labelKey: 'content.field.body', kind: 'textarea', maxlength: 50_000, required: true },
    { name: 'published', labelKey: 'content.field.published', kind: 'checkbox', hintKey: 'content.hint.published' },
  ],
  rows: async (c) => (await listArticles(c.var.db, c.var.accountId)).map((row) => articleRow(actorOf(c), row)),
  async load(c, id) {
    const row = await getArticle(c.var.db, c.var.accountId, id)
    return row && { values: { title: row.title, slug: row.slug, body: row.body, published: row.published ? '1' : '' }, canManage: canManage(actorOf(c), row.createdBy) }
  },
  create: async (c, body) => articleRow(actorOf(c), await createArticle(c.var.db, actorOf(c), articleInput(body))),
  update: async (c, id, body) => void (await updateArticle(c.var.db, actorOf(c), id, articleInput(body))),
  remove: (c, id) => deleteArticle(c.var.db, actorOf(c), id),
}

const meetingRow = (actor: ContentActor, row: { id: string; name: string; url: string; userId: string | null }, ownerName: string | null): ContentRowView => ({
  id: row.id,
  title: row.name,
  detail: row.url,
  meta: row.userId === null ? t('content.meetings.team') : byline(ownerName),
  canManage: canManageMeetingLink(actor, row),
  viewHref: row.url,
})
const meetingInput = (body: Record<string, unknown>) => ({
  ...parse(z.object({ name: nameField(), url: z.string().trim().min(1, t('content.error.https_only')).max(2000, t('content.error.https_only')) }), body),
  team: checkbox(body.team) === '1',
})

const meetings: KindConfig = {
  fields: (actor) => [
    { name: 'name', labelKey: 'content.field.name', kind: 'text', maxlength: 120, required: true },
    { name: 'url', labelKey: 'content.field.url', kind: 'url', maxlength: 2000, required: true, hintKey: 'content.hint.meeting_url' },
    ...(isAdmin(actor) ? [{ name: 'team', labelKey: 'content.field.team', kind: 'checkbox' as const, hintKey: 'content.hint.team' }] : []),
  ],
  rows: async (c) => (await meetingLinksFor(c.var.db, c.var.accountId, c.var.user.id)).map((row) => meetingRow(actorOf(c), row.link, row.ownerName)),
  async load(c, id) {
    const row = await getMeetingLink(c.var.db, c.var.accountId, id)
    // Another user's own link is theirs alone: not even visible here.
    if (!row || (row.userId !== null && row.userId !== c.var.user.id)) return null
    return { values: { name: row.name, url: row.url, team: row.userId === null ? '1' : '' }, canManage: canManageMeetingLink(actorOf(c), row) }
  },
  create: async (c, body) => meetingRow(actorOf(c), await createMeetingLink(c.var.db, actorOf(c), meetingInput(body)), c.var.user.name),
  update: async (c, id, body) => void (await updateMeetingLink(c.var.db, actorOf(c), id, meetingInput(body))),
  remove: (c, id) => deleteMeetingLink(c.var.db, actorOf(c), id),
}

const formatSize = (bytes: number) =>
  bytes < 1024 ? `${bytes} B` : bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(1)} KB` : `${(bytes / 1024 / 1024).toFixed(1)} MB`
const documentRow = (actor: ContentActor, row: { id: string; name: string; contentType: string; sizeBytes: number; shareToken: string; uploadedBy: string | null; uploaderName?: string | null }): ContentRowView => ({
  id: row.id,
  title: row.name,
  detail: `${row.contentType} · ${formatSize(row.sizeBytes)}`,
  meta: row.uploaderName === undefined ? actor.name : byline(row.uploaderName),
  canManage: canManage(actor, row.uploadedBy),
  viewHref: documentSharePath(row),
})

/** A file from a multipart form, refused before it is read when it is too big or missing. */
export async function uploadedFile(value: unknown) {
  if (!(value instanceof File) || value.size === 0) throw new InputError(t('content.error.file_required'))
  if (value.size > documentMaxBytes) throw new InputError(t('content.error.file_too_large'))
  return { name: value.name, type: value.type, size: value.size, bytes: await value.arrayBuffer() }
}

/** Refuses an upload whose declared length is already over the limit, before parsing the body. */
export function assertUploadLength(c: Context<AppEnv>) {
  const length = Number(c.req.header('Content-Length') ?? 0)
  // Multipart framing adds a little; anything past a megabyte of it is not our document.
  if (length > documentMaxBytes + 1024 * 1024) throw new InputError(t('content.error.file_too_large'))
}

const documents: KindConfig = {
  fields: () => [
    { name: 'file', labelKey: 'content.field.file', kind: 'file', required: true, hintKey: 'content.hint.file' },
    { name: 'name', labelKey: 'content.field.document_name', kind: 'text', maxlength: 200, hintKey: 'content.hint.document_name' },
  ],
  rows: async (c) => (await listDocuments(c.var.db, c.var.accountId)).map((row) => documentRow(actorOf(c), row)),
  async load(c, id) {
    const row = await getDocument(c.var.db, c.var.accountId, id)
    return row && { values: { name: row.name }, canManage: canManage(actorOf(c), row.uploadedBy) }
  },
  async create(c, body) {
    const file = await uploadedFile(body.file)
    const name = text(body.name).trim().slice(0, 200)
    return documentRow(actorOf(c), await uploadDocument(c.var.db, c.env.ATTACHMENTS, actorOf(c), { ...file, name: name || file.name }))
  },
  update: async (c, id, body) => void (await renameDocument(c.var.db, actorOf(c), id, parse(z.object({ name: nameField('content.field.document_name') }), body).name)),
  remove: (c, id) => deleteDocument(c.var.db, c.env.ATTACHMENTS, actorOf(c), id),
}

const kinds: Record<ContentKindId, KindConfig> = { snippets, templates, articles, meetings, documents }
/** The kind a request is for: the second path segment, which the routes below only register for known kinds. */
const kindOf = (c: Context<AppEnv>) => c.req.path.split('/')[2] as ContentKindId
const editFields = (kind: ContentKindId, actor: SessionUser) =>
  kind === 'documents' ? [{ name: 'name', labelKey: 'content.field.document_name', kind: 'text' as const, maxlength: 200, required: true }] : kinds[kind].fields(actor)
const appName = (c: Context<AppEnv>) => c.env.APP_NAME ?? 'Switchboard'
const isHtmx = (c: Context<AppEnv>) => c.req.header('HX-Request') === 'true'
/** What the form keeps when it comes back with an error: the text fields as entered. */
const keptValues = (body: Record<string, unknown>): Values =>
  Object.fromEntries(Object.entries(body).filter(([, value]) => typeof value === 'string').map(([key, value]) => [key, (value as string).slice(0, 50_000)]))

async function readBody(c: Context<AppEnv>) {
  if (kindOf(c) === 'documents') assertUploadLength(c)
  return (await c.req.parseBody()) as Record<string, unknown>
}

async function showList(c: Context<AppEnv>) {
  const kind = kindOf(c)
  return c.html(<ContentListPage appName={appName(c)} role={c.var.user.role} kind={kind} fields={kinds[kind].fields(c.var.user)} rows={await kinds[kind].rows(c)} />)
}

async function create(c: Context<AppEnv>) {
  const kind = kindOf(c)
  const config = kinds[kind]
  const fields = config.fields(c.var.user)
  let body: Record<string, unknown> = {}
  try {
    body = await readBody(c)
    const row = await config.create(c, body)
    if (!isHtmx(c)) return c.redirect(contentSettingsPath(kind), 303)
    return c.html(
      <>
        <ContentForm kind={kind} fields={fields} saved />
        {/* A <tbody> after a <form> would be dropped by the HTML parser; inside a template it parses, and htmx swaps it out of band. */}
        <template>
          <tbody hx-swap-oob={`afterbegin:#${kind}-rows`}>
            <ContentRow kind={kind} row={row} />
          </tbody>
        </template>
      </>,
      201,
    )
  } catch (error) {
    if (!(error instanceof InputError || error instanceof NotAllowedError)) throw error
    const status = error instanceof NotAllowedError ? 403 : 422
    const values = keptValues(body)
    if (isHtmx(c)) return c.html(<ContentForm kind={kind} fields={fields} values={values} error={error.message} />, status)
    return c.html(<ContentListPage appName={appName(c)} role={c.var.user.role} kind={kind} fields={fields} rows={await config.rows(c)} values={values} error={error.message} />, status)
  }
}

async function loadOr404(c: Context<AppEnv>) {
  const item = await kinds[kindOf(c)].load(c, c.req.param('id') ?? '')
  if (!item) throw new HTTPException(404, { message: t('content.error.gone') })
  return item
}

async function showEdit(c: Context<AppEnv>) {
  const kind = kindOf(c)
  const item = await loadOr404(c)
  if (!item.canManage) throw new HTTPException(403, { message: t('content.error.not_yours') })
  return c.html(<ContentEditPage appName={appName(c)} role={c.var.user.role} kind={kind} fields={editFields(kind, c.var.user)} itemId={c.req.param('id') ?? ''} values={item.values} />)
}

async function update(c: Context<AppEnv>) {
  const kind = kindOf(c)
  const id = c.req.param('id') ?? ''
  await loadOr404(c)
  const fields = editFields(kind, c.var.user)
  const body = (await c.req.parseBody()) as Record<string, unknown>
  const render = (status: 200 | 403 | 422, values: Values, error?: string) =>
    isHtmx(c)
      ? c.html(<ContentForm kind={kind} fields={fields} itemId={id} values={values} error={error} saved={status === 200} />, status)
      : c.html(<ContentEditPage appName={appName(c)} role={c.var.user.role} kind={kind} fields={fields} itemId={id} values={values} error={error} />, status)
  try {
    await kinds[kind].update(c, id, body)
  } catch (error) {
    if (error instanceof NotAllowedError) return render(403, keptValues(body), error.message)
    if (error instanceof InputError) return render(422, keptValues(body), error.message)
    throw error
  }
  if (!isHtmx(c)) return c.redirect(contentSettingsPath(kind), 303)
  return render(200, (await loadOr404(c)).values)
}

async function remove(c: Context<AppEnv>) {
  const kind = kindOf(c)
  try {
    await kinds[kind].remove(c, c.req.param('id') ?? '')
  } catch (error) {
    if (error instanceof NotAllowedError) throw new HTTPException(403, { message: error.message })
    throw error
  }
  return isHtmx(c) ? c.html('') : c.redirect(contentSettingsPath(kind), 303)
}

for (const kind of kindIds) {
  contentSettingsRoutes.get(`/settings/${kind}`, showList)
  contentSettingsRoutes.post(`/settings/${kind}`, create)
  contentSettingsRoutes.get(`/settings/${kind}/:id`, showEdit)
  contentSettingsRoutes.post(`/settings/${kind}/:id`, update)
  contentSettingsRoutes.post(`/settings/${kind}/:id/delete`, remove)
}
