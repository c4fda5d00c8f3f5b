import { hostOf, type ChannelContext, type Host, type ChannelSetupProps, type ExclusiveSetting, type SetupCheck } from '../../src/channels/types'
import { baseAddress } from './routing'
import { smtpWords } from './setup-smtp'

/** The addresses a channel's stored settings list (hostile JSON: read defensively). */
function addressesOf(settings: unknown): string[] {
  const addresses = (settings as { addresses?: unknown } | null)?.addresses
  return Array.isArray(addresses) ? addresses.filter((address): address is string => typeof address === 'string') : []
}

/**
 * An address (plus-tags folded away, as routing compares them) reaches one channel, whichever
 * workspace of this deployment it is in: no two email channels may list the same one.
 */
export const emailExclusive: ExclusiveSetting[] = [{ field: 'addresses', acrossAccounts: true, values: (settings) => addressesOf(settings).map(baseAddress) }]

const domainOf = (address: string) => address.slice(address.lastIndexOf('@') + 1).toLowerCase()

// Top-level names that never reach the public internet (RFC 2606, RFC 6761): mail from them cannot be delivered.
const reservedDomain = /(^|\.)(test|example|invalid|localhost|local|internal)$|^example\.(com|net|org)$/

const words = {
  en: {
    binding: 'The SEND_EMAIL binding is configured (wrangler.toml [[send_email]]): replies can be handed to Cloudflare.',
    noBinding: 'The SEND_EMAIL binding is missing: add [[send_email]] name = "SEND_EMAIL" to wrangler.toml and deploy again, or replies cannot go out.',
    domainOk: (domain: string) => `Replies are sent from ${domain}, a public domain name.`,
    domainBad: (domain: string) => `${domain} is not a public domain: replies from it cannot be delivered. Make the first address one on your own domain.`,
    dns: (domain: string) =>
      `SPF, DKIM and DMARC for ${domain} cannot be checked from here (a Worker cannot read DNS). Check them in the Cloudflare dashboard (your domain → Email → Email Sending) or with: dig TXT ${domain}; dig TXT _dmarc.${domain}.`,
    routingTitle: 'Receive: Cloudflare Email Routing',
    routing: (domain: string, addresses: string[]) => [
      `In the Cloudflare dashboard, open ${domain} → Email → Email Routing, enable it, and add the MX and TXT records it proposes.`,
      `Routing rules → Custom addresses → Create address: ${addresses.join(', ')} → action “Send to a Worker” → this Worker (switchboard). One rule per address; or one Catch-all rule → “Send to a Worker”, which takes every address of ${domain} (Switchboard refuses the ones no channel lists).`,
      `Customers’ answers come to reply+<conversation>@${domain}: with the catch-all they arrive already; otherwise add a rule for reply@${domain} and turn on Subaddressing (Email Routing → Settings).`,
      'Use “Send a test email” below: it shows where a message to the address lands.',
    ],
    forwardTitle: 'Or keep your mailbox and forward',
    forward: (address: string) => [
      `If your support mailbox lives at Google or Microsoft and its domain’s MX cannot point to Cloudflare, route a second address on a domain (or subdomain) that Email Routing manages, list it above as one of this channel’s addresses (e.g. ${address}), and forward to it.`,
      'Gmail / Google Workspace: Settings → See all settings → Forwarding and POP/IMAP → Add a forwarding address. Google mails a confirmation to that address: it appears in this inbox as a new conversation; open it and click the link (or type the code into Gmail). Then choose “Forward a copy of incoming mail to” it.',
      'Microsoft 365: Exchange admin center → Recipients → Mailboxes → the support mailbox → Mail flow settings → Email forwarding → forward to the routed address (keep a copy in the mailbox). Outbound forwarding to outside addresses is blocked by default: allow automatic forwarding in Microsoft Defender → Anti-spam → Outbound policy.',
    ],
    sendTitle: 'Send: replies through Cloudflare Email Service',
    send: (domain: string, address: string) => [
      `Replies go out from ${address} through the Worker’s send_email binding. ${domain} must be onboarded for sending in Cloudflare (your domain → Email → Email Sending), which verifies it and publishes its DKIM key.`,
      `SPF: one TXT record on ${domain} that includes Cloudflare (v=spf1 include:_spf.mx.cloudflare.net ~all, merged with any senders you already have). DKIM: the record the dashboard shows. DMARC: a TXT record at _dmarc.${domain}, e.g. v=DMARC1; p=none; rua=mailto:${address} to start.`,
    ],
  },
  nb: {
    binding: 'SEND_EMAIL-bindingen er satt opp (wrangler.toml [[send_email]]): svar kan leveres til Cloudflare.',
    noBinding: 'SEND_EMAIL-bindingen mangler: legg [[send_email]] name = "SEND_EMAIL" inn i wrangler.toml og publiser på nytt, ellers kan ikke svar sendes.',
    domainOk: (domain: string) => `Svar sendes fra ${domain}, et offentlig domenenavn.`,
    domainBad: (domain: string) => `${domain} er ikke et offentlig domene: svar derfra kan ikke leveres. La den første adressen være på ditt eget domene.`,
    dns: (domain: string) =>
      `SPF, DKIM og DMARC for ${domain} kan ikke sjekkes herfra (en Worker kan ikke lese DNS). Sjekk dem i Cloudflare-dashbordet (domenet → Email → Email Sending) eller med: dig TXT ${domain}; dig TXT _dmarc.${domain}.`,
    routingTitle: 'Motta: Cloudflare Email Routing',
    routing: (domain: string, addresses: string[]) => [
      `I Cloudflare-dashbordet: åpne ${domain} → Email → Email Routing, slå det på og legg til MX- og TXT-postene det foreslår.`,
      `Routing rules → Custom addresses → Create address: ${addresses.join(', ')} → handlingen «Send to a Worker» → denne Workeren (switchboard). Én regel per adresse; eller én Catch-all-regel → «Send to a Worker», som tar imot alle adresser på ${domain} (Switchboard avviser dem ingen kanal har).`,
      `Kundenes svar kommer til reply+<samtale>@${domain}: med catch-all kommer de allerede fram; ellers legg til en regel for reply@${domain} og slå på Subaddressing (Email Routing → Settings).`,
      'Bruk «Send en test-e-post» under: den viser hvor en melding til adressen havner.',
    ],
    forwardTitle: 'Eller behold postkassen og videresend',
    forward: (address: string) => [
      `Ligger kundeservice-postkassen hos Google eller Microsoft, og domenets MX ikke kan peke til Cloudflare: send en ekstra adresse på et domene (eller underdomene) som Email Routing styrer, før den opp over som en av kanalens adresser (f.eks. ${address}), og videresend dit.`,
      'Gmail / Google Workspace: Innstillinger → Se alle innstillingene → Videresending og POP/IMAP → Legg til en videresendingsadresse. Google sender en bekreftelse til adressen: den dukker opp i denne innboksen som en ny samtale; åpne den og klikk lenken (eller skriv koden inn i Gmail). Velg så «Videresend en kopi av innkommende e-post til» den.',
      'Microsoft 365: Exchange admin center → Recipients → Mailboxes → postkassen → Mail flow settings → Email forwarding → videresend til den rutede adressen (behold en kopi). Videresending ut av organisasjonen er sperret som standard: tillat automatisk videresending i Microsoft Defender → Anti-spam → Outbound policy.',
    ],
    sendTitle: 'Sende: svar gjennom Cloudflare Email Service',
    send: (domain: string, address: string) => [
      `Svar sendes fra ${address} gjennom Workerens send_email-binding. ${domain} må være satt opp for sending i Cloudflare (domenet → Email → Email Sending), som bekrefter domenet og publiserer DKIM-nøkkelen.`,
      `SPF: én TXT-post på ${domain} som inkluderer Cloudflare (v=spf1 include:_spf.mx.cloudflare.net ~all, slått sammen med avsendere du allerede har). DKIM: posten dashbordet viser. DMARC: en TXT-post på _dmarc.${domain}, f.eks. v=DMARC1; p=none; rua=mailto:${address} til å begynne med.`,
    ],
  },
}

/**
 * Whether this host can hand mail over at all: the send_email binding on Workers; on the self-host
 * a relay in SMTP_URL (without one, mail only lands in the outbox folder, which sends nothing).
 */
function sendingCheck(host: Host, locale: 'en' | 'nb'): SetupCheck {
  const say = words[locale]
  if (!host.smtp) return host.mail ? { status: 'ok', text: say.binding } : { status: 'problem', text: say.noBinding }
  return host.smtp.relay ? { status: 'ok', text: smtpWords[locale].relay } : { status: 'problem', text: smtpWords[locale].noRelay(host.smtp.outbox) }
}

/** What can be checked about sending from here, and what cannot (DNS), said honestly. */
export function emailChecks(ctx: ChannelContext<unknown>, locale: 'en' | 'nb'): SetupCheck[] {
  const say = words[locale]
  const host = hostOf(ctx.env)
  const from = addressesOf(ctx.settings)[0]
  const checks: SetupCheck[] = [sendingCheck(host, locale)]
  if (!from) return checks
  const domain = domainOf(from)
  const looksPublic = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/.test(domain) && !reservedDomain.test(domain)
  checks.push(looksPublic ? { status: 'ok', text: say.domainOk(domain) } : { status: 'problem', text: say.domainBad(domain) })
  checks.push({ status: 'unknown', text: host.smtp ? smtpWords[locale].dns(domain) : say.dns(domain) })
  return checks
}

/** The steps with this channel's own addresses: routing, the forwarding alternative, and what sending needs. */
export function EmailSetup({ settings, locale, host }: ChannelSetupProps) {
  const say = words[locale]
  const addresses = addressesOf(settings)
  const first = addresses[0]
  if (!first) return null
  const domain = domainOf(first)
  const section = (title: string, steps: string[]) => (
    <>
      <h3>{title}</h3>
      <ol>
        {steps.map((step) => (
          <li>{step}</li>
        ))}
      </ol>
    </>
  )
  const smtp = host.smtp
  if (smtp) {
    // The self-host: MX at its own SMTP port, replies through SMTP_URL; the Gmail and Microsoft steps are the same.
    const own = smtpWords[locale]
    return (
      <div class="stack">
        {section(own.routingTitle(smtp.inboundPort), own.routing(domain, addresses, smtp.inboundPort))}
        {section(say.forwardTitle, [...own.forward(addresses[1] ?? first), ...say.forward(addresses[1] ?? first).slice(1)])}
        {section(own.sendTitle, own.send(domain, first))}
      </div>
    )
  }
  return (
    <div class="stack">
      {section(say.routingTitle, say.routing(domain, addresses))}
      {section(say.forwardTitle, say.forward(addresses[1] ?? first))}
      {section(say.sendTitle, say.send(domain, first))}
    </div>
  )
}
