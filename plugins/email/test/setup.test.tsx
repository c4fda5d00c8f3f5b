import { env } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import type { ChannelContext, ChannelSetupProps, Host } from '../../../src/channels/types'
import { EmailSetup, emailChecks } from '../setup'

const settings = { addresses: ['support@acme.example.org', 'help@acme.example.org'] }

/** The self-host's ports as createAppHost sets them (src/host/self/app-host.ts), SMTP on 2626. */
function selfHost(relay: boolean): Host {
  return { ...({} as Host), kind: 'bun', mail: { send: async () => undefined }, smtp: { inboundPort: 2626, relay, outbox: '/srv/switchboard/outbox' } }
}

const checksOn = (host: Host | undefined) =>
  emailChecks({ env: { ...env, HOST: host }, settings } as unknown as ChannelContext<unknown>, 'en').map((check) => check.text)

function stepsOn(host: ChannelSetupProps['host'], locale: 'en' | 'nb' = 'en') {
  const props = { settings, locale, host } as ChannelSetupProps
  return String(EmailSetup(props))
}

describe('the email channel page speaks of the host it runs on', () => {
  it('on the self-host, the steps point MX at its SMTP port and replies through SMTP_URL, with no Cloudflare step', () => {
    for (const locale of ['en', 'nb'] as const) {
      const steps = stepsOn({ kind: 'bun', smtp: selfHost(true).smtp }, locale)
      expect(steps).toContain('2626')
      expect(steps).toContain('SMTP_URL')
      expect(steps).toContain('MX')
      // System mail's sender, which a relay limited to the support domain would refuse otherwise.
      expect(steps).toContain('NOTIFICATION_FROM')
      expect(steps).not.toMatch(/Cloudflare|Worker|Email Routing|send_email/)
    }
  })

  it('on the self-host with a relay, the checks say mail goes out through it and nothing about a Worker', () => {
    const checks = checksOn(selfHost(true))
    expect(checks[0]).toBe('Mail goes out through the SMTP relay set in SMTP_URL.')
    expect(checks.join(' ')).not.toMatch(/Cloudflare|Worker/)
  })

  it('on the self-host without a relay, the first check is a problem naming the outbox folder', () => {
    const [first] = emailChecks({ env: { ...env, HOST: selfHost(false) }, settings } as unknown as ChannelContext<unknown>, 'en')
    expect(first?.status).toBe('problem')
    expect(first?.text).toContain('/srv/switchboard/outbox')
  })

  it('on Workers, the steps are still Email Routing and the send_email binding', () => {
    expect(stepsOn({ kind: 'workers' })).toContain('Email Routing')
    expect(checksOn(undefined)[0]).toContain('SEND_EMAIL')
  })
})
