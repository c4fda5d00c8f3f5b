import type { PluginContract } from '../../../test/shared/plugin-fixtures'
import { graphErrors, graphStandInBase, installGraphStandIn, metaSignature } from './stand-in'

/** The test workspace's Messenger channel, a page message as Meta delivers it, and the Graph API stand-in. */
export const contract: PluginContract = {
  settings: (tag) => ({ pageId: `page-${tag}`, verifyToken: `verify-${tag}`, graphApiUrl: graphStandInBase }),
  secrets: (tag) => ({ appSecret: `secret-${tag}`, pageAccessToken: `page-token-${tag}` }),
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
    sign: (tag, _url, body) => metaSignature(`secret-${tag}`, body),
    expectText: 'hei',
  },
  outbound: {
    standIn() {
      // Each test workspace has its own page token; the stand-in takes any (its own tests check the token).
      const standIn = installGraphStandIn({})
      return {
        accepted: () => standIn.sends.length - standIn.refused(),
        failNextTemporarily: () => standIn.answerNext(graphErrors.rateLimited()),
        failNextPermanently: () => standIn.answerNext(graphErrors.outsideWindow()),
        restore: () => standIn.restore(),
      }
    },
  },
}
