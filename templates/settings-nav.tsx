import type { FC } from 'hono/jsx'
import type { UserRole } from '../src/db/schema'
import { t } from '../src/i18n'

/**
 * The settings pages, in the order the navigation shows them. `roles` limits who sees an entry
 * (the route checks again). Each area adds its page here: one line per page.
 */
export const settingsPages: { href: string; labelKey: string; roles: UserRole[] }[] = [
  { href: '/settings/users', labelKey: 'settings.nav.users', roles: ['super_admin', 'admin'] },
  { href: '/settings/inboxes', labelKey: 'settings.nav.inboxes', roles: ['super_admin', 'admin'] },
  { href: '/settings/feedback', labelKey: 'settings.nav.feedback', roles: ['super_admin', 'admin'] },
  { href: '/settings/snippets', labelKey: 'content.nav.snippets', roles: ['super_admin', 'admin', 'agent'] },
  { href: '/settings/templates', labelKey: 'content.nav.templates', roles: ['super_admin', 'admin', 'agent'] },
  { href: '/settings/articles', labelKey: 'content.nav.articles', roles: ['super_admin', 'admin', 'agent'] },
  { href: '/settings/meetings', labelKey: 'content.nav.meetings', roles: ['super_admin', 'admin', 'agent'] },
  { href: '/settings/documents', labelKey: 'content.nav.documents', roles: ['super_admin', 'admin', 'agent'] },
  { href: '/settings/properties', labelKey: 'settings.nav.properties', roles: ['super_admin', 'admin'] },
]

/** The settings pages' side navigation; `current` is the page's href. */
export const SettingsNav: FC<{ role: UserRole; current: string }> = ({ role, current }) => (
  <nav class="settings-nav" aria-label={t('settings.nav.label')}>
    <ul>
      {settingsPages
        .filter((page) => page.roles.includes(role))
        .map((page) => (
          <li>
            <a href={page.href} aria-current={page.href === current ? 'page' : undefined}>
              {t(page.labelKey)}
            </a>
          </li>
        ))}
    </ul>
  </nav>
)
