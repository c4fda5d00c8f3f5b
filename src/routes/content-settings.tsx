import { Hono, type Context } from 'hono'
import { HTTPException } from 'hono/http-exception'
import type { AppEnv } from '../env'
import { InputError } from '../lib/errors'
import { t } from '../i18n'
import { NotAllowedError } from '../services/content-access'
import { ContentEditPage, ContentForm, ContentListPage, ContentRow, contentSettingsPath, type ContentKindId } from '../../templates/content-settings'
import { assertUploadLength, editFields, kindIds, kinds, type Values } from './content-kinds'

/**
 * Settings pages for what agents insert into replies. Every signed-in user may open them and add
 * content; the creator and admins edit or delete an item (services/content-access.ts). Meeting
 * links: each user manages their own, admins also the team's. The kinds themselves are described
 * in content-kinds.ts.
 */
export const contentSettingsRoutes = new Hono<AppEnv>()

/** The kind a request is for: the second path segment, which the routes below only register for known kinds. */
const kindOf = (c: Context<AppEnv>) => c.req.path.split('/')[2] as ContentKindId
const appName = (c: Context<AppEnv>) => c.env.APP_NAME ?? 'Switchboard'
const isHtmx = (c: Context<AppEnv>) => c.req.header('HX-Request') === 'true'
/** What the form keeps when it comes back with an error: the text fields as entered. */
const keptValues = (body: Record<string, unknown>): Values =>
  Object.fromEntries(
    Object.entries(body)
      .filter(([, value]) => typeof value === 'string')
      .map(([key, value]) => [key, (value as string).slice(0, 50_000)]),
  )

async function readBody(c: Context<AppEnv>) {
  if (kindOf(c) === 'documents') assertUploadLength(c)
  return (await c.req.parseBody()) as Record<string, unknown>
}

async function showList(c: Context<AppEnv>) {
  const kind = kindOf(c)
  return c.html(
    <ContentListPage appName={appName(c)} role={c.var.user.role} kind={kind} fields={kinds[kind].fields(c.var.user)} rows={await kinds[kind].rows(c)} />,
  )
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
    return c.html(
      <ContentListPage
        appName={appName(c)}
        role={c.var.user.role}
        kind={kind}
        fields={fields}
        rows={await config.rows(c)}
        values={values}
        error={error.message}
      />,
      status,
    )
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
  return c.html(
    <ContentEditPage
      appName={appName(c)}
      role={c.var.user.role}
      kind={kind}
      fields={editFields(kind, c.var.user)}
      itemId={c.req.param('id') ?? ''}
      values={item.values}
    />,
  )
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
  contentSettingsRoutes.get(`/${kind}`, showList)
  contentSettingsRoutes.post(`/${kind}`, create)
  contentSettingsRoutes.get(`/${kind}/:id`, showEdit)
  contentSettingsRoutes.post(`/${kind}/:id`, update)
  contentSettingsRoutes.post(`/${kind}/:id/delete`, remove)
}
