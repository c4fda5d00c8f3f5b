import { z } from 'zod'
import { defineChannel, normalizePhone, type InboundMessage } from '../../src/channels/types'
import { callsSettings, type CallsSettings } from './settings'
import { callMessageText, filedCallText, filedTranscriptText, type CallEntry } from './call-log'
import { callsTexts, say } from './texts'
import { sendSms, startCall } from './twilio'
import { maxSmsLength, smsStatusRoute, twilioForm, verifyTwilio } from '../twilio'

/** The fields of Twilio's call status callback (and transcription callback) we read; the rest are ignored. */
const callback = z.object({
  CallSid: z.string().min(1).max(64),
  From: z.string().min(1).max(64),
  To: z.string().max(64).default(''),
  CallStatus: z.string().max(32).default('completed'),
  Direction: z.string().max(32).default('inbound'),
  CallDuration: z.coerce.number().int().min(0).max(86_400).optional(),
  CallerName: z.string().max(120).optional(),
  RecordingUrl: z.string().url().max(500).optional(),
  RecordingDuration: z.coerce.number().int().min(0).max(86_400).optional(),
  TranscriptionText: z.string().max(50_000).optional(),
})
type Callback = z.infer<typeof callback>

/** A call's end (the only moments it becomes an entry); ringing and in-progress updates are not. */
const finalStatuses = new Set(['completed', 'busy', 'no-answer', 'failed', 'canceled'])

/** Twilio's delivery-status callback for an SMS we sent. */
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

/** A finished call's entry: what happened and how long (kept in `metadata.call`, the line is made from it), between which numbers. */
function describeCall(call: Callback, outbound: boolean, contact: string) {
  const seconds = call.CallDuration ?? 0
  const voicemail = !outbound && Boolean(call.RecordingUrl)
  const answered = call.CallStatus === 'completed' && seconds > 0
  const status = outbound ? (answered ? 'answered' : 'not-answered') : voicemail ? 'voicemail' : answered ? 'answered' : 'missed'
  const entry: CallEntry = {
    direction: outbound ? 'outbound' : 'inbound',
    status,
    durationSeconds: seconds,
    callStatus: call.CallStatus,
    recordingSeconds: call.RecordingDuration ?? seconds,
    recordingUrl: call.RecordingUrl ?? null,
    transcript: call.TranscriptionText ?? null,
  }
  // The English text is the stored fallback (search, previews, the AI); the thread shows `messageText`'s.
  return { text: filedCallText(entry), status, details: { sid: call.CallSid, from: call.From, to: call.To, contact, ...entry } }
}

function callMessage(call: Callback, settings: CallsSettings, channelName: string): InboundMessage | null {
  const outbound = call.Direction.startsWith('outbound')
  const raw = outbound ? call.To : call.From
  const contact = normalizePhone(raw, settings.defaultCountry) ?? raw.trim()
  // A voicemail's transcript arrives later, in a callback of its own: an entry beside the call's.
  if (call.TranscriptionText && !finalStatuses.has(call.CallStatus)) {
    return {
      externalId: `call:${call.CallSid}:transcript`,
      from: { phone: contact, externalId: contact },
      // English for everyone (search, the AI); the thread shows it in the reader's language (`messageText`).
      text: filedTranscriptText(call.TranscriptionText),
      thread: { key: contact },
      metadata: { call: { sid: call.CallSid, entry: 'transcript', transcript: call.TranscriptionText } },
    }
  }
  if (!finalStatuses.has(call.CallStatus)) return null
  const { text, status, details } = describeCall(call, outbound, contact)
  const who = call.CallerName?.trim() || contact
  return {
    externalId: `call:${call.CallSid}`,
    from: { phone: contact, externalId: contact, name: outbound ? undefined : call.CallerName?.trim() || undefined },
    subject: status === 'missed' ? `Missed call from ${who}` : `Call with ${who}`,
    text,
    thread: { key: contact },
    metadata: { call: details },
    ...(outbound ? { outgoing: { authorName: channelName } } : {}),
  }
}

/**
 * Calls: a call log from a Twilio-style provider (signed status callbacks for inbound, outbound and
 * missed calls, recordings and voicemail transcripts), click-to-call through its Calls API, and
 * replies by SMS from the same number when it can send them.
 */
export const callsChannel = defineChannel({
  id: 'calls',
  name: 'Calls',
  view: 'Calls',
  settings: callsSettings,
  secrets: [{ key: 'authToken', label: 'Auth token (signs the provider’s callbacks)' }],
  texts: callsTexts,
  // Replies are texts from the line's number (when it can send them).
  capabilities: { outbound: true, webhook: true, text: 'plain', maxLength: maxSmsLength },
  maxPayloadBytes: 64 * 1024,
  verify: (request, ctx) => verifyTwilio(request, ctx.secrets.authToken),
  async parse(input, ctx) {
    if (input.type !== 'http') return []
    const call = callback.parse(await twilioForm(input.request))
    const message = callMessage(call, ctx.settings, ctx.channel.name)
    return message ? [message] : []
  },
  // Twilio reads the answer as TwiML: an empty Response changes nothing about the call.
  messageText: callMessageText,
  respond: () =>
    new Response('<?xml version="1.0" encoding="UTF-8"?><Response></Response>', { status: 200, headers: { 'Content-Type': 'text/xml; charset=utf-8' } }),
  replyWindow: (_state, ctx) => (ctx.settings.sms && ctx.settings.accountSid ? null : say('window.no_sms')),
  validate(draft, ctx) {
    const to = normalizePhone(draft.to.externalId ?? draft.to.phone, ctx.settings.defaultCountry)
    return to ? [] : [{ message: say('reply.no_number') }]
  },
  async send(message, ctx) {
    if (!ctx.settings.sms) return { status: 'failed', reason: say('send.no_sms') }
    const to = normalizePhone(message.to.externalId ?? message.to.phone, ctx.settings.defaultCountry)
    if (!to) return { status: 'failed', reason: say('reply.no_number') }
    return sendSms(ctx, to, message.text, message.messageId)
  },
  dial: {
    // The agent's own phone comes from their profile; the line's agents' phone is the fallback.
    ready: (ctx) => Boolean(ctx.settings.accountSid && ctx.secrets.authToken),
    async start(call, ctx) {
      const to = normalizePhone(call.to, ctx.settings.defaultCountry)
      const agentPhone = normalizePhone(call.agentPhone ?? ctx.settings.agentPhone, ctx.settings.defaultCountry)
      if (!to) return { status: 'failed', reason: say('call.no_number') }
      if (!ctx.settings.accountSid || !ctx.secrets.authToken) return { status: 'failed', reason: say('call.not_set_up') }
      if (!agentPhone) return { status: 'failed', reason: say('call.no_agent_phone') }
      return startCall(ctx, { to, agentPhone, statusCallback: ctx.baseUrl ? `${ctx.baseUrl}/channels/${ctx.channel.id}/inbound` : null })
    },
  },
  routes(app, kit) {
    // Delivery reports for the texts we sent (StatusCallback).
    smsStatusRoute(app, kit, (error) => (error ? say('report.not_delivered_because', { detail: error }) : say('report.not_delivered')))
  },
  ui: { Icon: CallsIcon },
})
