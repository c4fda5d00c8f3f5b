import { env } from 'cloudflare:test'
import { createDb } from '../../src/db/client'
import { emailSuite } from '../shared/email-suite'

// The shared email suite against D1 and R2 inside workerd.
emailSuite(
  () => createDb(env),
  () => env.ATTACHMENTS,
)
