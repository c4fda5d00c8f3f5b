/**
 * A token bucket kept in a socket's attachment, so it survives hibernation: `capacity` messages
 * at once, refilled at `refillPerSecond`.
 */
export interface Bucket {
  tokens: number
  updatedAt: number
}

export const visitorBurst = 5
export const visitorMessagesPerSecond = 1

export function takeToken(bucket: Bucket | undefined, nowMs: number, capacity = visitorBurst, refillPerSecond = visitorMessagesPerSecond) {
  const current = bucket ?? { tokens: capacity, updatedAt: nowMs }
  const refilled = Math.min(capacity, current.tokens + ((nowMs - current.updatedAt) / 1000) * refillPerSecond)
  if (refilled < 1) return { allowed: false as const, bucket: { tokens: refilled, updatedAt: nowMs }, retryAfterMs: Math.ceil(((1 - refilled) / refillPerSecond) * 1000) }
  return { allowed: true as const, bucket: { tokens: refilled - 1, updatedAt: nowMs }, retryAfterMs: 0 }
}
