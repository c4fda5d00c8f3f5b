/**
 * A token bucket: `capacity` messages at once, refilled at `refillPerSecond`. The room keeps one
 * per visitor (shared by all their tabs) in its storage, so neither more sockets nor an eviction
 * gives a visitor a fresh budget.
 */
export interface Bucket {
  tokens: number
  updatedAt: number
}

// Ten messages typed in a rush go at once; after that two a second, which is still more than a
// person writes and keeps the same visitor chatting from two tabs (the chat bench's shape: two
// sockets at 0.8 messages/s each) unthrottled. The widget sends one message at a time and waits
// out a refusal, so a faster typist is paced, never loses a message.
export const visitorBurst = 10
export const visitorMessagesPerSecond = 2

export function takeToken(bucket: Bucket | undefined, nowMs: number, capacity = visitorBurst, refillPerSecond = visitorMessagesPerSecond) {
  const current = bucket ?? { tokens: capacity, updatedAt: nowMs }
  const refilled = Math.min(capacity, current.tokens + ((nowMs - current.updatedAt) / 1000) * refillPerSecond)
  if (refilled < 1)
    return { allowed: false as const, bucket: { tokens: refilled, updatedAt: nowMs }, retryAfterMs: Math.ceil(((1 - refilled) / refillPerSecond) * 1000) }
  return { allowed: true as const, bucket: { tokens: refilled - 1, updatedAt: nowMs }, retryAfterMs: 0 }
}
