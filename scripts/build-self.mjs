// Builds the self-host (src/host/self/main.ts) into dist/self/server.mjs, one file that Node, Bun
// and Deno all run. The app's own code is bundled; packages stay imports from node_modules (the
// native libSQL client among them). `cloudflare:workers` becomes the in-process Durable Object
// shim; `cloudflare:email` exists only inside workerd (the Workers mail port, never called here).
import { join } from 'node:path'
import { build } from 'esbuild'
import { root } from './lib/dev-server.mjs'

const cloudflareModules = {
  name: 'cloudflare-modules',
  setup(build) {
    build.onResolve({ filter: /^cloudflare:workers$/ }, () => ({ path: join(root, 'src/host/self/durable-object.ts') }))
    build.onResolve({ filter: /^cloudflare:email$/ }, () => ({ path: 'cloudflare:email', namespace: 'absent' }))
    build.onLoad({ filter: /.*/, namespace: 'absent' }, () => ({
      contents: "export class EmailMessage { constructor() { throw new Error('send_email exists only on Workers') } }",
      loader: 'js',
    }))
  },
}

export async function buildSelfHost() {
  await build({
    entryPoints: [join(root, 'src/host/self/main.ts')],
    outfile: join(root, 'dist/self/server.mjs'),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'es2022',
    packages: 'external',
    sourcemap: 'linked',
    logLevel: 'warning',
    tsconfig: join(root, 'tsconfig.json'),
    plugins: [cloudflareModules],
  })
}

if (import.meta.url === `file://${process.argv[1]}`) await buildSelfHost()
