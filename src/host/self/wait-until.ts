/** `waitUntil` off Workers: promises kept until they settle, so shutdown can wait for them. */
const pending = new Set<Promise<unknown>>()

export function track(work: Promise<unknown>) {
  const settled = work.then(
    () => undefined,
    (error) => console.error('background work failed', String(error)),
  )
  pending.add(settled)
  void settled.finally(() => pending.delete(settled))
}

/** Waits for everything tracked so far (and what that starts), at most `timeoutMs`. */
export async function drain(timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  while (pending.size > 0) {
    const left = deadline - Date.now()
    if (left <= 0) return false
    let timer: ReturnType<typeof setTimeout> | undefined
    await Promise.race([Promise.all(pending), new Promise((resolve) => (timer = setTimeout(resolve, left)))])
    clearTimeout(timer)
  }
  return true
}

/** The execution context handed to the worker's handlers. */
export const executionContext = {
  waitUntil: track,
  passThroughOnException() {},
  props: {},
} as unknown as ExecutionContext
