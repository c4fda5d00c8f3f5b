import { sql, type SQL, type SQLWrapper } from 'drizzle-orm'

/**
 * The one way user input reaches a SQL `LIKE`: every search box, picker and filter builds its
 * pattern here and matches with `matchesLike`.
 *
 * D1 refuses a LIKE pattern longer than 50 bytes ("LIKE or GLOB pattern too complex", a 500),
 * and ~25 accented letters already make 50 bytes of UTF-8. So the pattern — wildcards and
 * escapes included — is cut to that many bytes, between characters (never inside a UTF-8
 * sequence or between a backslash and what it escapes). A cut pattern matches a superset of
 * what was typed, which for a search box is the right way to be wrong.
 *
 * `%`, `_` and the escape character itself are matched literally (`ESCAPE '\'`). Control
 * characters (NUL included) are dropped: no name or address contains them, and a NUL would end
 * the pattern early inside SQLite.
 */
export const maxLikePatternBytes = 50

export type LikeShape = 'contains' | 'startsWith' | 'wordStartsWith'

const wildcards: Record<LikeShape, [string, string]> = {
  contains: ['%', '%'],
  startsWith: ['', '%'],
  // A word inside a name: "Nilsen" found by "nil" in "Maja Nilsen".
  wordStartsWith: ['% ', '%'],
}

const utf8 = new TextEncoder()

export function likePattern(term: string, shape: LikeShape): string {
  const [before, after] = wildcards[shape]
  let budget = maxLikePatternBytes - before.length - after.length
  let body = ''
  // for…of walks code points, so a surrogate pair is never split.
  for (const char of term.replace(/[\u0000-\u001f\u007f]/g, '')) {
    const unit = char === '%' || char === '_' || char === '\\' ? `\\${char}` : char
    const bytes = utf8.encode(unit).length
    if (bytes > budget) break
    body += unit
    budget -= bytes
  }
  return `${before}${body}${after}`
}

/** `expression LIKE pattern ESCAPE '\'`, for a pattern made by `likePattern`. */
export function matchesLike(expression: SQLWrapper | SQL, pattern: string): SQL {
  return sql`${expression} LIKE ${pattern} ESCAPE '\\'`
}
