import { z } from 'zod'
import { defineChannel } from '../../src/channels/types'
import { constantTimeEqual } from '@oslojs/crypto/subtle'

const settings = z.object({
  phoneNumber: z.string().min(3).max(32),
})

/** A finished call as a telephony provider reports it. */
const callRecord = z.object({
  callId: z.string().min(1).max(100),
  from: z.string().min(3).max(32),
  callerName: z.string().max(120).optional(),
  status: z.enum(['answered', 'missed', 'voicemail']),
  durationSeconds: z.number().int().min(0).max(86_400).default(0),
  startedAt: z.number().int().optional(),
  transcript: z.string().max(50_000).optional(),
})

function CallsIcon() {
  return (
    <svg viewBox="0 0 24 24" width="16" height="16" aria-hidden="true" class="icon">
      <path
        d="M6.6 3.5 9 3l1.6 4-2 1.4a11 11 0 0 0 7 7l1.4-2 4 1.6-.5 2.4c-.2 1-1.1 1.6-2.1 1.6C10.6 19 5 13.4 5 5.6c0-1 .6-1.9 1.6-2.1z"
        fill="none"
        stroke="currentColor"
        stroke-width="1.7"
        stroke-linejoin="round"
      />
    </svg>
  )
}

function describeCall(call: z.infer<typeof callRecord>): string {
  const minutes = Math.floor(call.durationSeconds / 60)
  const seconds = call.durationSeconds % 60
  const length = `${minutes}:${String(seconds).padStart(2, '0')}`
  const summary = {
    answered: `Answered call (${length})`,
    missed: 'Missed call',
    voicemail: `Voicemail (${length})`,
  }[call.status]
  return call.transcript ? `${summary}\n\n${call.transcript}` : summary
}

export const callsChannel = defineChannel({
  id: 'calls',
  name: 'Calls',
  view: 'Calls',
  settings,
  secrets: [{ key: 'webhookToken', label: 'Webhook token (sent as a Bearer token)' }],
  texts: {
    en: {
      name: 'Calls',
      description: 'Calls to your phone number (answered, missed, voicemail) are logged as conversations by your telephony provider.',
      fields: { phoneNumber: { label: 'Phone number', help: 'The number callers dial, in international form (+47 …).' } },
      secrets: { webhookToken: { label: 'Webhook token (sent as a Bearer token)', help: 'Your telephony provider sends it in the Authorization header.' } },
      setup: ['Have your telephony provider POST each finished call as JSON to {webhookUrl}, with the webhook token as a Bearer token.'],
    },
    nb: {
      name: 'Anrop',
      description: 'Anrop til telefonnummeret ditt (besvart, tapt, talepost) loggføres som samtaler av telefonileverandøren din.',
      fields: { phoneNumber: { label: 'Telefonnummer', help: 'Nummeret som ringes, i internasjonal form (+47 …).' } },
      secrets: { webhookToken: { label: 'Webhook-token (sendes som Bearer-token)', help: 'Telefonileverandøren sender den i Authorization-headeren.' } },
      setup: ['La telefonileverandøren sende hver avsluttede samtale som JSON med POST til {webhookUrl}, med webhook-tokenet som Bearer-token.'],
    },
  },
  capabilities: { outbound: false, webhook: true },
  async verify(request, ctx) {
    const expected = ctx.secrets.webhookToken
    const given = request.headers.get('Authorization')?.replace(/^Bearer\s+/i, '') ?? ''
    if (!expected) return false
    const encoder = new TextEncoder()
    const a = encoder.encode(expected)
    const b = encoder.encode(given)
    return a.length === b.length && constantTimeEqual(a, b)
  },
  async parse(input) {
    if (input.type !== 'http') return []
    const call = callRecord.parse(await input.request.json())
    return [
      {
        externalId: `call:${call.callId}`,
        from: { phone: call.from, externalId: call.from, name: call.callerName },
        subject: call.status === 'missed' ? `Missed call from ${call.callerName ?? call.from}` : `Call with ${call.callerName ?? call.from}`,
        text: describeCall(call),
        sentAt: call.startedAt,
      },
    ]
  },
  ui: { Icon: CallsIcon },
})
