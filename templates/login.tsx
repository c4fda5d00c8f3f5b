import type { FC } from 'hono/jsx'
import { Layout } from './layout'
import { t } from '../src/i18n'

/** A workspace the person may sign in to: shown only after their password proved right in it. */
export interface WorkspaceChoice {
  accountId: string
  name: string
}

export const LoginPage: FC<{ appName: string; email?: string; error?: string; demoHint?: string; workspaces?: WorkspaceChoice[] }> = (props) => (
  <Layout title={t('login.title', { app: props.appName })} bodyClass="auth-page">
    <main class="auth-card">
      <div class="brand brand-large">
        <span class="brand-mark" aria-hidden="true">
          S
        </span>
        {props.appName}
      </div>
      <h1>{t('login.heading')}</h1>
      <form method="post" action="/login" class="stack">
        {props.error && (
          <p class="form-error" role="alert">
            {props.error}
          </p>
        )}
        <label>
          {t('login.email')}
          <input type="email" name="email" autocomplete="username" required autofocus={!props.workspaces} value={props.email ?? ''} />
        </label>
        {props.workspaces && (
          <fieldset class="stack">
            <legend>{t('login.choose')}</legend>
            {props.workspaces.map((workspace, index) => (
              <label class="check">
                <input type="radio" name="accountId" value={workspace.accountId} required checked={index === 0} /> {workspace.name}
              </label>
            ))}
          </fieldset>
        )}
        <label>
          {t('login.password')}
          <input type="password" name="password" autocomplete="current-password" required autofocus={!!props.workspaces} />
        </label>
        <button type="submit" class="button primary">
          {t('login.submit')}
        </button>
      </form>
      {props.demoHint && <p class="muted small">{props.demoHint}</p>}
    </main>
  </Layout>
)
