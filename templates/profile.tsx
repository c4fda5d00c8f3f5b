import type { FC } from 'hono/jsx'
import type { SessionUser } from '../src/auth/session'
import { weekdayName, weekdays } from '../src/services/availability'
import { currentLocale, t } from '../src/i18n'
import { FormNotices, Layout, LocaleOptions } from './layout'

const hhmm = (minutes: number) => `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`

/** Common zones first; any IANA name can be typed (the list is a datalist, not a cage). */
const commonTimeZones = [
  'UTC',
  'Europe/Oslo',
  'Europe/Berlin',
  'Europe/London',
  'Europe/Stockholm',
  'America/New_York',
  'America/Chicago',
  'America/Los_Angeles',
  'Asia/Singapore',
  'Asia/Tokyo',
  'Australia/Sydney',
]

export const WorkingHoursForm: FC<{ user: SessionUser; error?: string; saved?: boolean }> = ({ user, error, saved }) => {
  const hours = user.officeHours
  return (
    <form id="working-hours" class="card stack" hx-post="/me/hours" hx-target="this" hx-swap="outerHTML">
      <h2>{t('profile.hours.heading')}</h2>
      <p class="muted small">{t('profile.hours.hint')}</p>
      <FormNotices error={error} saved={saved} />
      <label>
        {t('profile.hours.time_zone')}
        <input name="timeZone" value={user.timeZone} list="time-zones" required maxlength={64} />
        <datalist id="time-zones">
          {commonTimeZones.map((zone) => (
            <option value={zone} />
          ))}
        </datalist>
      </label>
      <label class="check">
        <input type="checkbox" name="enabled" value="1" checked={hours?.enabled ?? false} /> {t('profile.hours.use')}
      </label>
      <table class="hours">
        <tbody>
          {weekdays.map((day) => {
            const period = hours?.days[day]?.[0]
            return (
              <tr>
                <th scope="row">{weekdayName(day)}</th>
                <td>
                  <input
                    type="time"
                    step={900}
                    name={`${day}.from`}
                    value={period ? hhmm(period[0]) : ''}
                    aria-label={t('profile.hours.from', { day: weekdayName(day) })}
                  />
                </td>
                <td>
                  <input
                    type="time"
                    step={900}
                    name={`${day}.to`}
                    value={period ? hhmm(period[1] === 1440 ? 1439 : period[1]) : ''}
                    aria-label={t('profile.hours.to', { day: weekdayName(day) })}
                  />
                </td>
              </tr>
            )
          })}
        </tbody>
      </table>
      <button type="submit" class="button primary">
        {t('common.save')}
      </button>
    </form>
  )
}

/**
 * The UI language. A plain form post: the server redirects back to /me, so the whole page (and
 * every later one) comes back in the chosen language without any script.
 */
export const LanguageForm: FC<{ error?: string }> = ({ error }) => (
  <form id="language" class="card stack" method="post" action="/me/locale">
    <h2>{t('profile.language.heading')}</h2>
    <p class="muted small">{t('profile.language.hint')}</p>
    <FormNotices error={error} />
    <label>
      {t('profile.language.label')}
      <select name="locale">
        <LocaleOptions selected={currentLocale()} />
      </select>
    </label>
    <button type="submit" class="button primary">
      {t('common.save')}
    </button>
  </form>
)

/** The agent's own phone: "Call" rings it first, then the contact (through the inbox's phone line). */
export const PhoneForm: FC<{ phone: string | null; value?: string; error?: string; saved?: boolean }> = ({ phone, value, error, saved }) => (
  <form id="own-phone" class="card stack" hx-post="/me/phone" hx-target="this" hx-swap="outerHTML">
    <h2>{t('profile.phone.heading')}</h2>
    <p class="muted small">{t('profile.phone.hint')}</p>
    <FormNotices error={error} saved={saved} />
    <label>
      {t('profile.phone.label')}
      <input name="phone" type="tel" value={value ?? phone ?? ''} autocomplete="tel" maxlength={40} placeholder="+47 912 34 567" />
    </label>
    <button type="submit" class="button primary">
      {t('common.save')}
    </button>
  </form>
)

export const ProfilePage: FC<{ appName: string; user: SessionUser; languageError?: string }> = ({ appName, user, languageError }) => (
  <Layout title={t('profile.title', { app: appName })} bodyClass="settings-page" userId={user.id}>
    <main class="settings">
      <a href="/" class="back-link">
        {t('common.back_to_inbox')}
      </a>
      <h1>{user.name}</h1>
      <p class="muted">{user.email}</p>
      <LanguageForm error={languageError} />
      <WorkingHoursForm user={user} />
      <PhoneForm phone={user.phone} />
    </main>
  </Layout>
)
