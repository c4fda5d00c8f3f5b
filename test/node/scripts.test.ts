import { describe, expect, it } from 'vitest'
import { verifyPassword, passwordIterations } from '../../src/auth/password'
// @ts-expect-error: a plain .mjs script without type declarations
import { hashPasswordForWorker } from '../../scripts/lib/password.mjs'

describe('create-workspace password hashing', () => {
  it('makes hashes the worker verifies', async () => {
    const hash: string = hashPasswordForWorker('an operator password')
    expect(hash.startsWith(`pbkdf2-sha256$${passwordIterations}$`)).toBe(true)
    expect(await verifyPassword('an operator password', hash)).toBe(true)
    expect(await verifyPassword('another password', hash)).toBe(false)
  })
})
