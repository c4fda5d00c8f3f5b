import { z } from 'zod'
import { type StoredMessage, words } from '../../src/channels/types'
import { callsTexts, say } from './texts'

type Say = typeof say
/** The log's lines as they are filed for everyone (search, previews, notifications, the AI): English. */
const english: Say = words(callsTexts, 'en')

/**
 * What a call's entry keeps in `metadata.call`, and what its line is made from when it is shown.
 * `callStatus` (the provider's own word: busy, no-answer …) and `recordingSeconds` came later:
 * an entry without what its line needs shows the text it was filed with.
 */
const callEntry = z.object({
  direction: z.enum(['inbound', 'outbound']),
  status: z.enum(['answered', 'not-answered', 'voicemail', 'missed']),
  durationSeconds: z.number().int().min(0),
  callStatus: z.string().max(32).optional(),
  recordingSeconds: z.number().int().min(0).optional(),
  recordingUrl: z.string().max(500).nullish(),
  transcript: z.string().max(50_000).nullish(),
})
export type CallEntry = z.infer<typeof callEntry>

/** A voicemail's transcript, filed later as an entry of its own. */
const transcriptEntry = z.object({ entry: z.literal('transcript'), transcript: z.string().max(50_000) })

const length = (seconds: number) => `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`

/** What happened, how long, then the transcript and the recording's address, one per paragraph. */
function callLines(call: CallEntry, speak: Say): string | null {
  const seconds = call.durationSeconds
  let summary: string
  if (call.direction === 'outbound') {
    if (call.status === 'answered') summary = speak('log.outgoing', { length: length(seconds) })
    else if (call.callStatus === undefined) return null
    else summary = speak('log.outgoing_not_answered', { status: call.callStatus })
  } else if (call.status === 'voicemail') {
    if (call.recordingSeconds === undefined) return null
    summary = speak('log.voicemail', { length: length(call.recordingSeconds) })
  } else if (call.status === 'answered') summary = speak('log.answered', { length: length(seconds) })
  else summary = speak('log.missed')
  const lines = [summary]
  if (call.transcript?.trim()) lines.push('', call.transcript.trim())
  if (call.recordingUrl) lines.push('', speak('log.recording', { url: call.recordingUrl }))
  return lines.join('\n')
}

const transcriptLines = (transcript: string, speak: Say) => `${speak('log.transcript')}\n\n${transcript.trim()}`

/** The text an entry is filed with (English). */
export const filedCallText = (call: CallEntry) => callLines(call, english) ?? ''
export const filedTranscriptText = (transcript: string) => transcriptLines(transcript, english)

/** `messageText`: the entry's line in the reader's language, or null when its metadata does not say enough. */
export function callMessageText(message: StoredMessage): string | null {
  const call = (message.metadata as { call?: unknown } | null)?.call
  const transcript = transcriptEntry.safeParse(call)
  if (transcript.success) return transcriptLines(transcript.data.transcript, say)
  const entry = callEntry.safeParse(call)
  return entry.success ? callLines(entry.data, say) : null
}
