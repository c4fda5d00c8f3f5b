import type { PluginContract } from '../../../test/shared/plugin-fixtures'

const mail = (tag: string, id: string) =>
  new TextEncoder().encode(
    [
      'From: "Ola Nordmann" <ola@example.no>',
      `To: support.${tag}@example.test`,
      'Subject: Parcel',
      `Message-ID: <${id}.${tag}@example.no>`,
      'Content-Type: text/plain; charset=utf-8',
      '',
      'Hei! Når kommer pakken?',
    ].join('\r\n'),
  )

/** The test workspace's email channel, a mail as Email Routing hands it over, and a send_email stand-in. */
export const contract: PluginContract = {
  settings: (tag) => ({ addresses: [`support.${tag}@example.test`] }),
  inbound: {
    kind: 'input',
    input: (tag, id) => ({
      type: 'raw',
      raw: mail(tag, id),
      envelope: { from: 'ola@example.no', to: `support.${tag}@example.test` },
      rawKey: `contract/${tag}/${id}.eml`,
    }),
    expectText: 'Hei! Når kommer pakken?',
  },
  outbound: {
    standIn() {
      let accepted = 0
      let failNext = false
      let refuseNext = false
      return {
        // Cloudflare's send_email binding, as the plugin calls it.
        env: {
          SEND_EMAIL: {
            async send() {
              if (failNext) {
                failNext = false
                throw Object.assign(new Error('Rate limit exceeded'), { code: 'E_RATE_LIMIT_EXCEEDED' })
              }
              // The binding's errors carry a string code (Cloudflare Email Service, Workers API).
              if (refuseNext) {
                refuseNext = false
                throw Object.assign(new Error('Recipient not in allowed list'), { code: 'E_RECIPIENT_NOT_ALLOWED' })
              }
              accepted += 1
            },
          } as unknown as SendEmail,
        },
        accepted: () => accepted,
        failNextTemporarily: () => {
          failNext = true
        },
        failNextPermanently: () => {
          refuseNext = true
        },
        restore: () => undefined,
      }
    },
  },
}
