import type { PluginContract } from '../../../test/shared/plugin-fixtures'
import { twilioSignature } from '../../twilio'
import { installSmsStandIn, standInBase } from './stand-in'

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString()

/** The test workspace's SMS channel, Twilio's webhook as it arrives, and the Messages API stand-in. */
export const contract: PluginContract = {
  settings: (tag) => ({ accountSid: `AC${tag}`, phoneNumber: '+4759440000', apiBaseUrl: standInBase }),
  secrets: (tag) => ({ authToken: `auth-${tag}` }),
  inbound: {
    kind: 'webhook',
    event: (_tag, id) => ({
      body: form({ MessageSid: `SM${id}`, AccountSid: 'AC1', From: '+4791234567', To: '+4759440000', Body: 'Is my parcel on its way?', NumMedia: '0' }),
      contentType: 'application/x-www-form-urlencoded',
    }),
    invalid: () => ({ body: form({ MessageSid: 'SMbad', Body: 'no sender' }), contentType: 'application/x-www-form-urlencoded' }),
    sign: async (tag, url, body) => ({ 'X-Twilio-Signature': await twilioSignature(`auth-${tag}`, url, new URLSearchParams(body).entries()) }),
    expectText: 'Is my parcel on its way?',
  },
  outbound: {
    standIn() {
      const standIn = installSmsStandIn()
      return {
        accepted: () => standIn.requests.length - standIn.refused(),
        failNextTemporarily: () => standIn.answerNext(Response.json({ code: 20500, message: 'Internal Server Error' }, { status: 500 })),
        failNextPermanently: () => standIn.answerNext(Response.json({ code: 21211, message: "The 'To' number is not a valid phone number." }, { status: 400 })),
        restore: () => standIn.restore(),
      }
    },
  },
}
