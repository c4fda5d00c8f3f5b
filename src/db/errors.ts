/**
 * Whether `error` is SQLite refusing a write for a constraint (a unique key, a primary key, a
 * foreign key): what a repeat delivery or a race with another writer looks like, and nothing
 * else. Network failures, an overloaded database, "too many SQL variables" or a syntax error
 * are not: the caller must let those fail so the delivery is retried.
 *
 * The shapes differ by driver and are matched on both: D1 throws
 * `Error('D1_ERROR: UNIQUE constraint failed: messages.channel_id, …: SQLITE_CONSTRAINT')`, libSQL
 * a `LibsqlError` whose `extendedCode` (or `code`) is `SQLITE_CONSTRAINT_UNIQUE` (or `…_PRIMARYKEY`, `…_FOREIGNKEY`)
 * — inside a `LibsqlBatchError` for a batch — and drizzle wraps a single query's error in a
 * `DrizzleQueryError` whose `cause` is the driver's.
 */
export function isConstraintViolation(error: unknown): boolean {
  for (let current = error, depth = 0; current && depth < 5; depth++) {
    const { code, extendedCode, message, cause } = current as { code?: unknown; extendedCode?: unknown; message?: unknown; cause?: unknown }
    for (const value of [code, extendedCode]) {
      if (typeof value === 'string' && /^SQLITE_CONSTRAINT_(UNIQUE|PRIMARYKEY|FOREIGNKEY)$/.test(value)) return true
    }
    if (typeof message === 'string' && /\b(UNIQUE|FOREIGN KEY|PRIMARY KEY) constraint failed\b/.test(message)) return true
    current = cause
  }
  return false
}
