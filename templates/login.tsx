import type { FC } from 'hono/jsx'
import { Layout } from './layout'

export const LoginPage: FC<{ appName: string; email?: string; error?: string; demoHint?: string }> = (props) => (
  <Layout title={`Log in · ${props.appName}`} bodyClass="auth-page">
    <main class="auth-card">
      <div class="brand brand-large">
        <span class="brand-mark" aria-hidden="true">
          S
        </span>
        {props.appName}
      </div>
      <h1>Log in to your inbox</h1>
      <form method="post" action="/login" class="stack">
        {props.error && (
          <p class="form-error" role="alert">
            {props.error}
          </p>
        )}
        <label>
          Email
          <input type="email" name="email" autocomplete="username" required autofocus value={props.email ?? ''} />
        </label>
        <label>
          Password
          <input type="password" name="password" autocomplete="current-password" required />
        </label>
        <button type="submit" class="button primary">
          Log in
        </button>
      </form>
      {props.demoHint && <p class="muted small">{props.demoHint}</p>}
    </main>
  </Layout>
)
