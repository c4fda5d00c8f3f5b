import { z } from 'zod'
import { normalizePhone } from '../../src/channels/types'
import { say } from './texts'

const phone = z
  .string()
  .trim()
  .min(3)
  .max(32)
  .refine((value) => normalizePhone(value) !== null, { error: () => say('settings.phone_format') })

export const callsSettings = z.object({
  /** The number callers dial and calls and SMS come from. */
  phoneNumber: phone,
  /** The provider account (Twilio's "AC…" id): without it calls are logged but nobody can call out or text. */
  accountSid: z
    .string()
    .trim()
    .max(64)
    .regex(/^[A-Za-z0-9]*$/)
    .optional(),
  /** Where the provider's REST API lives (a local stand-in in tests). */
  apiBaseUrl: z.string().url().default('https://api.twilio.com'),
  /** The phone the provider rings first when an agent clicks Call (then it dials the contact). */
  agentPhone: phone.optional(),
  /** The number can send SMS: agents may answer a call by text. */
  sms: z.boolean().default(false),
  /** The country assumed for numbers written without +<country code>. */
  defaultCountry: z.string().trim().length(2).optional(),
})
export type CallsSettings = z.infer<typeof callsSettings>
