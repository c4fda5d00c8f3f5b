import { Hono } from 'hono'
import type { AppEnv } from '../env'
import type { Notifier } from '../channels/pipeline'
import { demoLogins, demoPassword, seedDemoWorkspace } from '../services/demo'

/**
 * Local development only: `npm start` runs wrangler dev with DEMO_SEED=true and calls this once.
 * Without that variable the route does not exist (404), so a deployed worker never exposes it.
 */
export const devRoutes = new Hono<AppEnv>()

// Nobody is connected while the workspace is being created, so there is no one to tell.
const nobodyListening: Notifier = { async messageAdded() {}, async conversationChanged() {} }

devRoutes.post('/dev/seed', async (c) => {
  if (c.env.DEMO_SEED !== 'true') return c.notFound()
  const result = await seedDemoWorkspace({ db: c.var.db, notifier: nobodyListening, blobs: c.env.ATTACHMENTS })
  return c.json({ ...result, logins: demoLogins, password: demoPassword })
})
