import { env } from 'cloudflare:test'
import { createDb } from '../../src/db/client'
import { serviceSuite } from '../shared/service-suite'

// The shared service suite against D1 and R2 inside workerd.
serviceSuite(
  () => createDb(env),
  () => env.ATTACHMENTS,
)
