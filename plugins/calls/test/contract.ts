import type { PluginContract } from '../../../test/shared/plugin-fixtures'
import { twilioSignature } from '../../twilio'
import { callsStandInBase, installCallsStandIn } from './stand-in'

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString()

/** The test workspace's calls channel (its number can text), a voicemail as Twilio reports it, and the REST API stand-in. */
export const contract: PluginContract = {
  settings: (tag) => ({ phoneNumber: '+4780012345', accountSid: `AC${tag}`, apiBaseUrl: callsStandInBase, agentPhone: '+4799988877', sms: true }),
  secrets: (tag) => ({ authToken: `calls-${tag}` }),
  inbound: {
    kind: 'webhook',
    event: (_tag, id) => ({
      body: form({
        CallSid: `CA${id}`,
        AccountSid: 'AC1',
        From: '+4791234567',
        To: '+4780012345',
        CallStatus: 'completed',
        Direction: 'inbound',
        CallDuration: '52',
        CallerName: 'Henrik',
        RecordingDuration: '48',
        RecordingUrl: 'https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE1',
        TranscriptionText: 'Please call me back.',
      }),
      contentType: 'application/x-www-form-urlencoded',
    }),
    invalid: () => ({ body: form({ CallSid: 'CAbad', CallStatus: 'completed' }), contentType: 'application/x-www-form-urlencoded' }),
    sign: async (tag, url, body) => ({ 'X-Twilio-Signature': await twilioSignature(`calls-${tag}`, url, new URLSearchParams(body).entries()) }),
    expectText: 'Voicemail (0:48)\n\nPlease call me back.\n\nRecording: https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE1',
  },
  outbound: {
    standIn() {
      const standIn = installCallsStandIn()
      return {
        accepted: () => standIn.requests.length - standIn.refused(),
        failNextTemporarily: () => standIn.answerNext(429, { code: 20429, message: 'Too Many Requests' }),
        failNextPermanently: () => standIn.answerNext(400, { code: 21211, message: "The 'To' number is not a valid phone number." }),
        restore: () => standIn.restore(),
      }
    },
  },
}
