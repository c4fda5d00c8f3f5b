import type { PluginContract } from '../../../test/shared/plugin-fixtures'

async function hmacHex(secret: string, body: string) {
  const key = await crypto.subtle.importKey('raw', new TextEncoder().encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign'])
  const signature = new Uint8Array(await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(body)))
  return [...signature].map((byte) => byte.toString(16).padStart(2, '0')).join('')
}

/** The test workspace's Messenger channel and a page message as Meta delivers it. */
export const contract: PluginContract = {
  settings: (tag) => ({ pageId: `page-${tag}`, verifyToken: `verify-${tag}` }),
  secrets: (tag) => ({ appSecret: `secret-${tag}` }),
  inbound: {
    kind: 'webhook',
    event: (tag, id) => ({
      body: JSON.stringify({
        object: 'page',
        entry: [{ messaging: [{ sender: { id: 'psid-1' }, recipient: { id: `page-${tag}` }, timestamp: 1, message: { mid: `m-${id}`, text: 'hei' } }] }],
      }),
      contentType: 'application/json',
    }),
    invalid: () => ({ body: JSON.stringify({ object: 'page', entry: 'none' }), contentType: 'application/json' }),
    sign: async (tag, _url, body) => ({ 'X-Hub-Signature-256': `sha256=${await hmacHex(`secret-${tag}`, body)}` }),
    expectText: 'hei',
  },
}
