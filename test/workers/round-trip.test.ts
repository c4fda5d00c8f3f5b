import { env } from 'cloudflare:test'
import { createDb } from '../../src/db/client'
import { roundTripSuite } from '../shared/round-trip-suite'

// Batched reads and round-trip counting on D1 inside workerd.
roundTripSuite(
  () => createDb(env),
  () => env.ATTACHMENTS,
)
