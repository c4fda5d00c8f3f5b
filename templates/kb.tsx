import { raw } from 'hono/html'
import type { FC } from 'hono/jsx'
import { currentLocale, t } from '../src/i18n'
import { sanitizeRichText } from '../src/lib/rich-text'

/**
 * A published knowledge-base article for anyone with the link: no login, no app chrome, no
 * scripts. The body was sanitised when it was saved; it is sanitised again here, so a row
 * written any other way still cannot carry markup we do not allow.
 */
export const ArticlePage: FC<{ accountName: string; title: string; body: string; updatedAt: number }> = ({ accountName, title, body, updatedAt }) => (
  <>
    {raw('<!doctype html>')}
    <html lang={currentLocale()}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="robots" content="noindex" />
        <title>{`${title} · ${accountName}`}</title>
        <link rel="stylesheet" href="/app.css" />
      </head>
      <body class="kb-page">
        <header class="kb-header">{accountName}</header>
        <main class="kb-article">
          <h1>{title}</h1>
          <div class="kb-body">{raw(sanitizeRichText(body))}</div>
          <p class="muted small">{t('content.kb.updated', { date: new Date(updatedAt).toISOString().slice(0, 10) })}</p>
        </main>
      </body>
    </html>
  </>
)
