import { Hono } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { eq } from 'drizzle-orm'
import type { AppEnv } from '../env'
import { accounts } from '../db/schema'
import { t } from '../i18n'
import { publishedArticle } from '../services/articles'
import { attachmentDisposition, documentByShareToken, downloadContentType } from '../services/documents'
import { ArticlePage } from '../../templates/kb'
import { hostOf } from '../host'

/**
 * The two public GETs of the content library: a published article (/kb/<account>/<slug>) and a
 * shared document (/d/<token>). Neither needs a session; neither changes anything.
 */
export const kbRoutes = new Hono<AppEnv>()

kbRoutes.get('/kb/:accountId/:slug', async (c) => {
  const { accountId, slug } = c.req.param()
  const article = /^[a-z0-9]{1,40}$/.test(accountId) ? await publishedArticle(c.var.db, accountId, slug) : null
  if (!article) throw new HTTPException(404, { message: t('content.error.no_article') })
  const [account] = await c.var.db.select({ name: accounts.name }).from(accounts).where(eq(accounts.id, accountId)).limit(1)
  c.header('Cache-Control', 'public, max-age=60')
  return c.html(<ArticlePage accountName={account?.name ?? ''} title={article.title} body={article.body} updatedAt={article.updatedAt} />)
})

kbRoutes.get('/d/:shareToken', async (c) => {
  const document = await documentByShareToken(c.var.db, c.req.param('shareToken'))
  const object = document ? await hostOf(c.env).blobs.get(document.r2Key) : null
  if (!document || !object) throw new HTTPException(404, { message: t('content.error.no_document') })
  // Always a download, never a page; the app's CSP (script-src 'self') still applies on top.
  return new Response(object.body, {
    headers: {
      'Content-Type': downloadContentType(document.contentType),
      'Content-Disposition': attachmentDisposition(document.name),
      'Content-Length': String(object.size),
      'X-Content-Type-Options': 'nosniff',
      'Cache-Control': 'private, no-store',
    },
  })
})
