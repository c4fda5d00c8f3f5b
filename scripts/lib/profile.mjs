// CPU profiles of the worker under `wrangler dev`, through its inspector (Chrome DevTools
// protocol). The benches take one when BENCH_PROFILE=<file.cpuprofile> is set: the file opens in
// Chrome DevTools, and a bottom-up summary (self time by function) is printed.
import { writeFileSync } from 'node:fs'
import WebSocket from 'ws'

/** Connects to the first worker target of the inspector at `port` and starts sampling. */
export async function startProfile(port, intervalUs = 200) {
  const targets = await (await fetch(`http://127.0.0.1:${port}/json`)).json()
  const target = targets.find((entry) => entry.webSocketDebuggerUrl)
  if (!target) throw new Error(`no inspector target on port ${port}`)
  // workerd's inspector only accepts the DevTools origin.
  const socket = new WebSocket(target.webSocketDebuggerUrl, { headers: { Origin: 'https://devtools.devprod.cloudflare.dev' } })
  await new Promise((resolve, reject) => {
    socket.once('open', resolve)
    socket.once('error', reject)
  })
  let nextId = 1
  const pending = new Map()
  socket.on('message', (data) => {
    const message = JSON.parse(String(data))
    if (message.id && pending.has(message.id)) {
      pending.get(message.id)(message)
      pending.delete(message.id)
    }
  })
  const call = (method, params = {}) =>
    new Promise((resolve, reject) => {
      const id = nextId++
      pending.set(id, (message) => (message.error ? reject(new Error(`${method}: ${message.error.message}`)) : resolve(message.result)))
      socket.send(JSON.stringify({ id, method, params }))
    })
  await call('Profiler.enable')
  await call('Profiler.setSamplingInterval', { interval: intervalUs })
  await call('Profiler.start')
  // BENCH_HEAP=1: also sample allocations (all of them, collected or not) by function.
  const heap = process.env.BENCH_HEAP === '1'
  if (heap)
    await call('HeapProfiler.startSampling', { samplingInterval: 16384, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true })
  return {
    /** Stops sampling, writes the profile to `file` and returns the bottom-up summary lines. */
    async stop(file, top = 30) {
      const { profile } = await call('Profiler.stop')
      const heapLines = heap ? summarizeHeap((await call('HeapProfiler.stopSampling')).profile, top) : []
      socket.close()
      writeFileSync(file, JSON.stringify(profile))
      return [...summarize(profile, top), ...heapLines]
    },
  }
}

function summarize(profile, top) {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]))
  const selfSamples = new Map()
  for (const id of profile.samples) selfSamples.set(id, (selfSamples.get(id) ?? 0) + 1)
  const totalSamples = profile.samples.length
  const spanMs = (profile.endTime - profile.startTime) / 1000
  const perFunction = new Map()
  for (const [id, count] of selfSamples) {
    const frame = byId.get(id).callFrame
    const where = frame.url ? `${frame.url.split('/').slice(-2).join('/')}:${frame.lineNumber + 1}` : ''
    const key = `${frame.functionName || '(anonymous)'} ${where}`.trim()
    perFunction.set(key, (perFunction.get(key) ?? 0) + count)
  }
  const lines = [...perFunction.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([key, count]) => `${((count / totalSamples) * 100).toFixed(1).padStart(5)}%  ${((count / totalSamples) * spanMs).toFixed(0).padStart(6)} ms  ${key}`)
  return [`profile: ${totalSamples} samples over ${spanMs.toFixed(0)} ms (self time, top ${top})`, ...lines]
}

function summarizeHeap(profile, top) {
  const bySite = new Map()
  let total = 0
  const walk = (node) => {
    const frame = node.callFrame
    const where = frame.url ? `${frame.url.split('/').slice(-2).join('/')}:${frame.lineNumber + 1}` : ''
    const key = `${frame.functionName || '(anonymous)'} ${where}`.trim()
    bySite.set(key, (bySite.get(key) ?? 0) + node.selfSize)
    total += node.selfSize
    for (const child of node.children ?? []) walk(child)
  }
  walk(profile.head)
  const lines = [...bySite]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([key, bytes]) => `${(bytes / 1024 / 1024).toFixed(1).padStart(7)} MiB  ${key}`)
  return [`heap: ${(total / 1024 / 1024).toFixed(0)} MiB allocated (sampled), by allocating function`, ...lines]
}
