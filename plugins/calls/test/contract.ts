import type { PluginContract } from '../../../test/shared/plugin-fixtures'

/** The test workspace's calls channel and a finished call as the telephony provider reports it. */
export const contract: PluginContract = {
  settings: () => ({ phoneNumber: '+4780012345' }),
  secrets: (tag) => ({ webhookToken: `token-${tag}` }),
  inbound: {
    kind: 'webhook',
    event: (_tag, id) => ({
      body: JSON.stringify({
        callId: `c-${id}`,
        from: '+4791234567',
        callerName: 'Henrik',
        status: 'voicemail',
        durationSeconds: 48,
        transcript: 'Please call me back.',
      }),
      contentType: 'application/json',
    }),
    invalid: () => ({ body: JSON.stringify({ callId: '', status: 'ringing' }), contentType: 'application/json' }),
    sign: async (tag) => ({ Authorization: `Bearer token-${tag}` }),
    expectText: 'Voicemail (0:48)\n\nPlease call me back.',
  },
}
