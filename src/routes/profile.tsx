import { Hono } from 'hono'
import { eq } from 'drizzle-orm'
import { z } from 'zod'
import type { AppEnv } from '../env'
import { users } from '../db/schema'
import { InputError } from '../lib/errors'
import { saveWorkingHours, setAvailability, weekdays } from '../services/availability'
import { AvailabilitySwitch } from '../../templates/inbox'
import { setUserLocale } from '../services/users'
import { PhoneForm, ProfilePage, WorkingHoursForm } from '../../templates/profile'
import { normalizePhone } from '../lib/phone'
import { t } from '../i18n'

export const profileRoutes = new Hono<AppEnv>()

profileRoutes.get('/', (c) => c.html(<ProfilePage appName={c.env.APP_NAME ?? 'Switchboard'} user={c.var.user} />))

// A normal form post and a redirect: the next page is rendered in the new language from the top.
profileRoutes.post('/locale', async (c) => {
  const choice = (await c.req.parseBody()).locale
  try {
    await setUserLocale(c.var.db, c.var.user.id, choice)
  } catch (error) {
    if (error instanceof InputError)
      return c.html(<ProfilePage appName={c.env.APP_NAME ?? 'Switchboard'} user={c.var.user} languageError={error.message} />, 422)
    throw error
  }
  if (c.req.header('HX-Request')) {
    c.header('HX-Refresh', 'true')
    return c.body(null, 204)
  }
  return c.redirect('/me', 303)
})

profileRoutes.post('/availability', async (c) => {
  const choice = z.enum(['available', 'away']).parse((await c.req.parseBody()).availability)
  await setAvailability(c.var.db, c.var.user.id, choice)
  return c.html(<AvailabilitySwitch user={{ ...c.var.user, availability: choice }} />)
})

profileRoutes.post('/hours', async (c) => {
  const body = await c.req.parseBody()
  const text = (key: string) => (typeof body[key] === 'string' ? (body[key] as string) : '')
  try {
    await saveWorkingHours(c.var.db, c.var.user.id, {
      timeZone: text('timeZone').trim(),
      enabled: body.enabled === '1',
      days: Object.fromEntries(weekdays.map((day) => [day, { from: text(`${day}.from`), to: text(`${day}.to`) === '23:59' ? '24:00' : text(`${day}.to`) }])),
    })
  } catch (error) {
    if (error instanceof InputError) return c.html(<WorkingHoursForm user={c.var.user} error={error.message} />, 422)
    throw error
  }
  const [user] = await c.var.db.select().from(users).where(eq(users.id, c.var.user.id))
  return c.html(<WorkingHoursForm user={user!} saved />)
})

// The phone click-to-call rings first: kept in E.164 (a number written without +<country code>
// is refused rather than guessed), or cleared when left empty.
profileRoutes.post('/phone', async (c) => {
  const raw = String((await c.req.parseBody()).phone ?? '')
    .trim()
    .slice(0, 40)
  const phone = raw === '' ? null : normalizePhone(raw)
  if (raw !== '' && !phone) return c.html(<PhoneForm phone={c.var.user.phone} value={raw} error={t('profile.phone.invalid')} />, 422)
  await c.var.db.update(users).set({ phone }).where(eq(users.id, c.var.user.id))
  return c.html(<PhoneForm phone={phone} saved />)
})
