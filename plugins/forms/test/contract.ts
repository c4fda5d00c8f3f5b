import type { PluginContract } from '../../../test/shared/plugin-fixtures'

/** The test workspace's form channel and a submission as a browser posts it (forms are not signed). */
export const contract: PluginContract = {
  settings: () => ({ formName: 'Contact form' }),
  inbound: {
    kind: 'webhook',
    event: (_tag, id) => ({
      body: new URLSearchParams({ email: 'lena@example.com', name: 'Lena', message: 'Call me back', submissionId: id }).toString(),
      contentType: 'application/x-www-form-urlencoded',
    }),
    invalid: () => ({ body: new URLSearchParams({ email: 'nope', message: 'hi' }).toString(), contentType: 'application/x-www-form-urlencoded' }),
    sign: async () => ({}),
    expectText: 'Call me back',
  },
}
