import type { Child, FC } from 'hono/jsx'
import { Layout, LocaleOptions } from './layout'
import { currentLocale, t } from '../src/i18n'
import { passwordMinLength } from '../src/auth/password'

/** Errors by field name (`form` for the whole form), shown next to their field. */
export type FieldErrors = Record<string, string>

export const FieldMessage: FC<{ errors?: FieldErrors; field: string }> = ({ errors, field }) =>
  errors?.[field] ? (
    <span class="field-error" id={`error-${field}`} role="alert">
      {errors[field]}
    </span>
  ) : null

const AuthCard: FC<{ title: string; appName: string; children?: Child }> = ({ title, appName, children }) => (
  <Layout title={`${title} · ${appName}`} bodyClass="auth-page">
    <main class="auth-card">
      <div class="brand brand-large">
        <span class="brand-mark" aria-hidden="true">
          S
        </span>
        {appName}
      </div>
      {children}
    </main>
  </Layout>
)

const PasswordField: FC<{ errors?: FieldErrors; label?: string }> = ({ errors, label }) => (
  <label>
    {label ?? t('login.password')}
    <input
      type="password"
      name="password"
      required
      minlength={passwordMinLength}
      maxlength={256}
      autocomplete="new-password"
      aria-invalid={errors?.password ? 'true' : undefined}
      aria-describedby={errors?.password ? 'error-password' : undefined}
    />
    <span class="muted small">{t('setup.password_hint', { min: passwordMinLength })}</span>
    <FieldMessage errors={errors} field="password" />
  </label>
)

export const SetupPage: FC<{ appName: string; values?: Record<string, string>; errors?: FieldErrors; closed?: boolean }> = ({
  appName,
  values,
  errors,
  closed,
}) => (
  <AuthCard title={t('setup.title')} appName={appName}>
    <h1>{t('setup.heading')}</h1>
    {closed ? (
      <>
        <p class="form-error" role="alert">
          {t('setup.error.done')}
        </p>
        <p>
          <a href="/login">{t('setup.to_login')}</a>
        </p>
      </>
    ) : (
      <form method="post" action="/setup" class="stack">
        <p class="muted">{t('setup.intro')}</p>
        <FieldMessage errors={errors} field="form" />
        <label>
          {t('setup.workspace_name')}
          <input name="workspaceName" required maxlength={120} autofocus value={values?.workspaceName ?? ''} />
          <FieldMessage errors={errors} field="workspaceName" />
        </label>
        <label>
          {t('setup.your_name')}
          <input name="name" required maxlength={120} autocomplete="name" value={values?.name ?? ''} />
          <FieldMessage errors={errors} field="name" />
        </label>
        <label>
          {t('login.email')}
          <input name="email" type="email" required maxlength={254} autocomplete="username" value={values?.email ?? ''} />
          <FieldMessage errors={errors} field="email" />
        </label>
        <PasswordField errors={errors} />
        <label>
          {t('setup.language')}
          <select name="locale">
            <LocaleOptions selected={values?.locale ?? currentLocale()} />
          </select>
        </label>
        <button type="submit" class="button primary">
          {t('setup.submit')}
        </button>
      </form>
    )}
  </AuthCard>
)

/** After setup: on to "Connect a channel" for the first inbox. */
export const ConnectChannelPage: FC<{ appName: string; inboxId: string; inboxName: string }> = ({ appName, inboxId, inboxName }) => (
  <AuthCard title={t('setup.connect.title')} appName={appName}>
    <h1>{t('setup.connect.title')}</h1>
    <p>{t('setup.connect.intro', { inbox: inboxName })}</p>
    <p>
      <a class="button primary" href={`/inbox/${inboxId}/settings/connect`}>
        {t('setup.connect.open_settings')}
      </a>
    </p>
    <p class="muted small">{t('setup.connect.later')}</p>
    <p>
      <a href="/">{t('setup.connect.skip')}</a>
    </p>
  </AuthCard>
)

export const LinkProblemPage: FC<{ appName: string; message: string; forgot?: boolean }> = ({ appName, message, forgot }) => (
  <AuthCard title={t('link.problem_title')} appName={appName}>
    <h1>{t('link.problem_title')}</h1>
    <p class="form-error" role="alert">
      {message}
    </p>
    <p>{forgot ? <a href="/forgot">{t('reset.request_new')}</a> : <a href="/login">{t('setup.to_login')}</a>}</p>
  </AuthCard>
)

export const AcceptInvitationPage: FC<{
  appName: string
  token: string
  email: string
  workspace: string
  values?: Record<string, string>
  errors?: FieldErrors
}> = (props) => (
  <AuthCard title={t('invite.accept.title')} appName={props.appName}>
    <h1>{t('invite.accept.heading', { workspace: props.workspace })}</h1>
    <form method="post" action={`/invite/${props.token}`} class="stack">
      <FieldMessage errors={props.errors} field="form" />
      <label>
        {t('login.email')}
        <input type="email" value={props.email} readonly autocomplete="username" />
      </label>
      <label>
        {t('setup.your_name')}
        <input name="name" required maxlength={120} autocomplete="name" autofocus value={props.values?.name ?? ''} />
        <FieldMessage errors={props.errors} field="name" />
      </label>
      <PasswordField errors={props.errors} />
      <button type="submit" class="button primary">
        {t('invite.accept.submit')}
      </button>
    </form>
  </AuthCard>
)

export const ForgotPasswordPage: FC<{ appName: string; email?: string; errors?: FieldErrors; sent?: boolean }> = ({ appName, email, errors, sent }) => (
  <AuthCard title={t('forgot.title')} appName={appName}>
    <h1>{t('forgot.title')}</h1>
    {sent ? (
      <p class="form-success" role="status">
        {t('forgot.sent')}
      </p>
    ) : (
      <form method="post" action="/forgot" class="stack">
        <p class="muted">{t('forgot.intro')}</p>
        <label>
          {t('login.email')}
          <input name="email" type="email" required maxlength={254} autocomplete="username" autofocus value={email ?? ''} />
          <FieldMessage errors={errors} field="email" />
        </label>
        <button type="submit" class="button primary">
          {t('forgot.submit')}
        </button>
      </form>
    )}
    <p>
      <a href="/login">{t('setup.to_login')}</a>
    </p>
  </AuthCard>
)

export const ResetPasswordPage: FC<{ appName: string; token: string; email: string; workspace: string; errors?: FieldErrors }> = (props) => (
  <AuthCard title={t('reset.title')} appName={props.appName}>
    <h1>{t('reset.title')}</h1>
    <p class="muted">{t('reset.for', { email: props.email, workspace: props.workspace })}</p>
    <form method="post" action={`/reset/${props.token}`} class="stack">
      <FieldMessage errors={props.errors} field="form" />
      <input type="email" value={props.email} autocomplete="username" hidden />
      <PasswordField errors={props.errors} label={t('reset.new_password')} />
      <button type="submit" class="button primary">
        {t('reset.submit')}
      </button>
    </form>
  </AuthCard>
)
