import type { Bindings } from '../env'
import { rawEmailMessage } from '../host/raw-email'
import { handleInboundEmail } from './email-inbound'

/**
 * Hands raw bytes to the Email Worker handler (`handleInboundEmail`, what the Worker's `email()`
 * runs) as Cloudflare Email Routing would (host/raw-email.ts shapes them). Answers the rejection
 * reason, or null when the message was taken.
 */
export async function deliverRawEmail(
  env: Bindings,
  ctx: Pick<ExecutionContext, 'waitUntil'> | undefined,
  from: string,
  to: string,
  raw: Uint8Array,
): Promise<string | null> {
  const { message, rejection } = rawEmailMessage(from, to, raw)
  await handleInboundEmail(message, env, ctx)
  return rejection()
}
