import type { RateLimiter } from '../ports'

/**
 * The rate-limit binding's contract in memory: at most `limit` calls per key in each `period`
 * seconds (a fixed window, as Cloudflare's simple limiter counts), for this one process.
 */
export function memoryLimiter(options: { limit: number; period: number }): RateLimiter {
  const windows = new Map<string, { start: number; count: number }>()
  return {
    async limit({ key }) {
      const now = Date.now()
      let window = windows.get(key)
      if (!window || now - window.start >= options.period * 1000) {
        window = { start: now, count: 0 }
        windows.set(key, window)
        // Old windows are dropped as the map grows: one per key seen in the last period at most.
        if (windows.size > 10_000) for (const [other, value] of windows) if (now - value.start >= options.period * 1000) windows.delete(other)
      }
      window.count++
      return { success: window.count <= options.limit }
    },
  }
}
