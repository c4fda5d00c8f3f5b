import type { Context } from 'hono'
import { z } from 'zod'
import type { AppEnv } from '../env'
import type { SessionUser } from '../auth/session'
import { InputError } from '../lib/errors'
import { richTextToPlain } from '../lib/rich-text'
import { toPreview } from '../lib/text'
import { t } from '../i18n'
import { canManage, isAdmin, type ContentActor } from '../services/content-access'
import {
  createSnippet,
  createTemplate,
  deleteSnippet,
  deleteTemplate,
  getSnippet,
  getTemplate,
  listSnippets,
  listTemplates,
  updateSnippet,
  updateTemplate,
} from '../services/snippets'
import { articlePath, createArticle, deleteArticle, getArticle, listArticles, updateArticle } from '../services/articles'
import { canManageMeetingLink, createMeetingLink, deleteMeetingLink, getMeetingLink, meetingLinksFor, updateMeetingLink } from '../services/meeting-links'
import { deleteDocument, documentMaxBytes, documentSharePath, getDocument, listDocuments, renameDocument, uploadDocument } from '../services/documents'
import type { ContentKindId, ContentRowView, FieldSpec } from '../../templates/content-settings'
import { hostOf } from '../host'

/**
 * The five kinds of content the settings pages manage, each described once: its form fields,
 * its table rows, and how a form becomes a service call (zod at the edge, the service decides
 * permissions and uniqueness). routes/content-settings.tsx turns these into pages.
 */
export const kindIds: ContentKindId[] = ['snippets', 'templates', 'articles', 'meetings', 'documents']

export type Values = Record<string, string>

export interface KindConfig {
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
const nameField = (key = 'content.field.name') =>
  z
    .string()
    .trim()
    .min(1, t('content.error.name_required'))
    .max(120, t('content.error.too_long', { field: t(key) }))
const bodyField = () => z.string().max(50_000, t('content.error.body_too_long'))

function parse<T extends z.ZodTypeAny>(schema: T, body: Record<string, unknown>): z.infer<T> {
  const result = schema.safeParse(body)
  if (!result.success) throw new InputError(result.error.issues[0]?.message ?? t('content.error.check_form'))
  return result.data
}

const snippetRow = (
  actor: ContentActor,
  snippet: { id: string; name: string; shortcut: string; body: string; createdBy: string | null; authorName?: string | null },
): ContentRowView => ({
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

const templateRow = (
  actor: ContentActor,
  row: { id: string; name: string; subject: string; createdBy: string | null; authorName?: string | null },
): ContentRowView => ({
  id: row.id,
  title: row.name,
  detail: row.subject,
  meta: row.authorName === undefined ? actor.name : byline(row.authorName),
  canManage: canManage(actor, row.createdBy),
})
const templateSchema = () =>
  z.object({ name: nameField(), subject: z.string().max(250, t('content.error.too_long', { field: t('content.field.subject') })), body: bodyField() })

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

const articleRow = (
  actor: ContentActor,
  row: { id: string; accountId: string; title: string; slug: string; published: boolean; createdBy: string | null; authorName?: string | null },
): ContentRowView => ({
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
    return (
      row && {
        values: { title: row.title, slug: row.slug, body: row.body, published: row.published ? '1' : '' },
        canManage: canManage(actorOf(c), row.createdBy),
      }
    )
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
const documentRow = (
  actor: ContentActor,
  row: { id: string; name: string; contentType: string; sizeBytes: number; shareToken: string; uploadedBy: string | null; uploaderName?: string | null },
): ContentRowView => ({
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
    return documentRow(actorOf(c), await uploadDocument(c.var.db, hostOf(c.env).blobs, actorOf(c), { ...file, name: name || file.name }))
  },
  update: async (c, id, body) =>
    void (await renameDocument(c.var.db, actorOf(c), id, parse(z.object({ name: nameField('content.field.document_name') }), body).name)),
  remove: (c, id) => deleteDocument(c.var.db, hostOf(c.env).blobs, actorOf(c), id),
}

export const kinds: Record<ContentKindId, KindConfig> = { snippets, templates, articles, meetings, documents }

/** Editing a document renames it; the bytes stay. */
export const editFields = (kind: ContentKindId, actor: SessionUser): FieldSpec[] =>
  kind === 'documents' ? [{ name: 'name', labelKey: 'content.field.document_name', kind: 'text', maxlength: 200, required: true }] : kinds[kind].fields(actor)
