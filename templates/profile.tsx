import type { FC } from 'hono/jsx'
import type { SessionUser } from '../src/auth/session'
import { weekdayNames, weekdays } from '../src/services/availability'
import { FormNotices, Layout } from './layout'

const hhmm = (minutes: number) => `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`

/** Common zones first; any IANA name can be typed (the list is a datalist, not a cage). */
const commonTimeZones = ['UTC', 'Europe/Oslo', 'Europe/Berlin', 'Europe/London', 'Europe/Stockholm', 'America/New_York', 'America/Chicago', 'America/Los_Angeles', 'Asia/Singapore', 'Asia/Tokyo', 'Australia/Sydney']

export const WorkingHoursForm: FC<{ user: SessionUser; error?: string; saved?: boolean }> = ({ user, error, saved }) => {
  const hours = user.officeHours
  return (
    <form id="working-hours" class="card stack" hx-post="/me/hours" hx-target="this" hx-swap="outerHTML">
      <h2>Time zone and office hours</h2>
      <p class="muted small">Outside your office hours you count as away: new chats are not routed to you, and visitors are told when the team is back.</p>
      <FormNotices error={error} saved={saved} />
      <label>
        Time zone
        <input name="timeZone" value={user.timeZone} list="time-zones" required maxlength={64} />
        <datalist id="time-zones">
          {commonTimeZones.map((zone) => (
            <option value={zone} />
          ))}
        </datalist>
      </label>
      <label class="check">
        <input type="checkbox" name="enabled" value="1" checked={hours?.enabled ?? false} /> Use office hours
      </label>
      <table class="hours">
        <tbody>
          {weekdays.map((day) => {
            const period = hours?.days[day]?.[0]
            return (
              <tr>
                <th scope="row">{weekdayNames[day]}</th>
                <td>
                  <input type="time" step={900} name={`${day}.from`} value={period ? hhmm(period[0]) : ''} aria-label={`${weekdayNames[day]} from`} />
                </td>
                <td>
                  <input type="time" step={900} name={`${day}.to`} value={period ? hhmm(period[1] === 1440 ? 1439 : period[1]) : ''} aria-label={`${weekdayNames[day]} to`} />
                </td>
              </tr>
            )
          })}
        </tbody>
      </table>
      <button type="submit" class="button primary">
        Save
      </button>
    </form>
  )
}

export const ProfilePage: FC<{ appName: string; user: SessionUser }> = ({ appName, user }) => (
  <Layout title={`Profile · ${appName}`} bodyClass="settings-page" userId={user.id}>
    <main class="settings">
      <a href="/" class="back-link">
        ← Back to the inbox
      </a>
      <h1>{user.name}</h1>
      <p class="muted">{user.email}</p>
      <WorkingHoursForm user={user} />
    </main>
  </Layout>
)
