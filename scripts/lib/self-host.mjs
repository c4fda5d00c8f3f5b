// Starts the self-host (dist/self/server.mjs, built by scripts/build-self.mjs) on Node, Bun or
// Deno for the browser test and the bench, as dev-server.mjs starts wrangler dev.
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { root } from './dev-server.mjs'

export const selfHostRuntimes = ['node', 'bun', 'deno']
const server = join(root, 'dist', 'self', 'server.mjs')
const bin = (name) => join(root, 'node_modules', '.bin', name)
const commands = {
  // INSPECT_PORT: the inspector open for the bench's CPU profile (BENCH_PROFILE).
  node: (env) => [process.execPath, ['--enable-source-maps', ...(env.INSPECT_PORT ? [`--inspect=127.0.0.1:${env.INSPECT_PORT}`] : []), server]],
  bun: () => [bin('bun'), [server]],
  deno: () => [bin('deno'), ['run', '--allow-all', '--quiet', server]],
}

/**
 * Runs the self-host on `runtime` with `env` (DATA_DIR, PORT, SMTP_PORT, …); resolves once it has
 * printed its start-up banner (after migrations and the demo seed) and /login answers.
 */
export async function startSelfHost(runtime, env, { timeoutMs = 120_000 } = {}) {
  if (!commands[runtime]) throw new Error(`unknown runtime ${runtime} (${selfHostRuntimes.join(', ')})`)
  const [command, args] = commands[runtime](env)
  let output = ''
  // Its own process group, so the bench can count its CPU (serverCpuMs) as it does wrangler's.
  const child = spawn(command, args, {
    cwd: root,
    env: { ...process.env, LISTEN_HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  })
  child.stdout.on('data', (chunk) => (output += chunk))
  child.stderr.on('data', (chunk) => (output += chunk))
  const url = `http://127.0.0.1:${env.PORT}`
  const deadline = Date.now() + timeoutMs
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${runtime} host exited (${child.exitCode}):\n${output}`)
    if (Date.now() > deadline) {
      child.kill('SIGKILL')
      throw new Error(`${runtime} host did not start:\n${output}`)
    }
    if (output.includes('is running at')) {
      const response = await fetch(`${url}/login`).catch(() => null)
      if (response?.ok) break
    }
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
  return {
    url,
    child,
    output: () => output,
    /** SIGTERM, then the exit code once the process has drained and ended. */
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve(child.exitCode)
        child.on('exit', (code) => resolve(code))
        child.kill('SIGTERM')
      }),
  }
}
