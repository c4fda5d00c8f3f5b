import type { PluginContract } from '../../../test/shared/plugin-fixtures'

const site = (tag: string) => `https://shop-${tag}.example`

/** The test workspace's form channel and a submission as a browser on the listed site posts it (its Origin is the "signature"). */
export const contract: PluginContract = {
  settings: (tag) => ({ formName: 'Contact form', allowedOrigins: [site(tag)] }),
  secrets: (tag) => ({ serverToken: `form-token-${tag}` }),
  inbound: {
    kind: 'webhook',
    event: (_tag, id) => ({
      body: new URLSearchParams({ email: 'lena@example.com', name: 'Lena', message: 'Call me back', submissionId: id }).toString(),
      contentType: 'application/x-www-form-urlencoded',
    }),
    invalid: () => ({ body: new URLSearchParams({ email: 'nope', message: 'hi' }).toString(), contentType: 'application/x-www-form-urlencoded' }),
    sign: async (tag) => ({ Origin: site(tag) }),
    expectText: 'Call me back',
  },
}
