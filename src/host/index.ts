import type { Host } from './ports'
import type { Bindings } from '../env'
import { workersHost } from './workers'

/**
 * The host behind an env: the self-host puts its own in `HOST`; on Workers the ports are the
 * bindings themselves, read when called (tests swap bindings between calls).
 */
export function hostOf(env: Partial<Bindings>): Host {
  return env.HOST ?? workersHost(env as Bindings)
}

export type { Host } from './ports'

/** Hands one finished MIME message to the host's mail sender; throws when there is none. */
export async function sendMail(env: Partial<Bindings>, mail: import('./ports').OutgoingMail): Promise<{ messageId?: string } | undefined> {
  const out = hostOf(env).mail
  if (!out) throw new Error('No mail sender is configured (the send_email binding, or SMTP_URL on the self-host).')
  return out.send(mail)
}
