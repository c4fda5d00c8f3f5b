import { beforeAll } from 'vitest'
import type { Db } from '../../src/db/client'
import { roundTripSuite } from '../shared/round-trip-suite'
import { createLibsqlDb } from './libsql'
import { memoryBlobs } from '../shared/workspace'

// Batched reads and round-trip counting on libSQL under Node.
let db: Db
beforeAll(async () => {
  db = await createLibsqlDb()
})
const { blobs } = memoryBlobs()
roundTripSuite(
  () => db,
  () => blobs,
)
