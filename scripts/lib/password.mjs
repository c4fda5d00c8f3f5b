// The same password hash src/auth/password.ts makes (PBKDF2-SHA256, 600,000 iterations in
// chained rounds of at most 100,000), for scripts that run under Node outside the worker.
import { pbkdf2Sync, randomBytes } from 'node:crypto'

export function hashPasswordForWorker(password, iterations = 600_000) {
  const salt = randomBytes(16)
  let key = Buffer.from(password.normalize('NFKC'), 'utf8')
  for (let remaining = iterations; remaining > 0; remaining -= 100_000) {
    key = pbkdf2Sync(key, salt, Math.min(remaining, 100_000), 32, 'sha256')
  }
  return `pbkdf2-sha256$${iterations}$${salt.toString('base64')}$${key.toString('base64')}`
}
