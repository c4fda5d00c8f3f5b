import { raw } from 'hono/html'
import type { Child, FC } from 'hono/jsx'
import { clientStrings, currentLocale, localeNames, locales, t } from '../src/i18n'

// No eval and no injected styles (the CSP forbids both); validation errors (422) and conflicts
// (409) are swapped in like successes, so forms can show what went wrong.
const htmxConfig = JSON.stringify({
  allowEval: false,
  includeIndicatorStyles: false,
  responseHandling: [
    { code: '204', swap: false },
    { code: '[23]..', swap: true },
    { code: '40[39]|422', swap: true, error: false },
    { code: '[45]..', swap: false, error: true },
  ],
})

export const Layout: FC<{ title: string; bodyClass?: string; userId?: string; children?: Child }> = ({ title, bodyClass, userId, children }) => (
  <>
    {raw('<!doctype html>')}
    <html lang={currentLocale()}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="color-scheme" content="light" />
        <title>{title}</title>
        <meta name="htmx-config" content={htmxConfig} />
        <meta name="sb-strings" content={JSON.stringify(clientStrings())} />
        <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
        <link rel="stylesheet" href="/app.css" />
        <script src="/vendor/htmx.min.js" defer></script>
        <script src="/vendor/htmx-ext-ws.js" defer></script>
        <script src="/app.js" type="module"></script>
        <script src="/notifications.js" type="module"></script>
        <script src="/ai.js" type="module"></script>
        <script src="/editor.js" type="module"></script>
        <script src="/sidebar.js" type="module"></script>
        <script src="/attach.js" type="module"></script>
        <script src="/composer-limit.js" type="module"></script>
      </head>
      <body class={bodyClass} data-user-id={userId}>
        {children}
      </body>
    </html>
  </>
)

/** A small fragment a page can show when an HTMX request fails. */
export const ErrorNotice: FC<{ message: string }> = ({ message }) => (
  <div class="error-notice" role="alert">
    {message}
  </div>
)

/** The line above a form after a submit: what went wrong, or that it was saved. */
/** The UI languages as a select's options, each named in its own language. */
export const LocaleOptions: FC<{ selected: string }> = ({ selected }) => (
  <>
    {locales.map((locale) => (
      <option value={locale} selected={locale === selected} lang={locale}>
        {localeNames[locale]}
      </option>
    ))}
  </>
)

export const FormNotices: FC<{ error?: string; saved?: boolean }> = ({ error, saved }) => (
  <>
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
  </>
)
