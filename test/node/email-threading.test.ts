import { beforeAll } from 'vitest'
import type { Db } from '../../src/db/client'
import { emailSuite } from '../shared/email-suite'
import { memoryBlobs } from '../shared/workspace'
import { createLibsqlDb } from './libsql'

// The shared email suite against libSQL under Node.
let db: Db
beforeAll(async () => {
  db = await createLibsqlDb()
})
const { blobs } = memoryBlobs()
emailSuite(
  () => db,
  () => blobs,
)
