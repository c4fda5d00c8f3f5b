import { beforeAll } from 'vitest'
import type { Db } from '../../src/db/client'
import { serviceSuite } from '../shared/service-suite'
import { createLibsqlDb } from './libsql'
import { memoryBlobs } from '../shared/workspace'

// The shared service suite against libSQL (the Turso driver's engine) under Node.
let db: Db
beforeAll(async () => {
  db = await createLibsqlDb()
})
const { blobs } = memoryBlobs()
serviceSuite(
  () => db,
  () => blobs,
)
