/**
 * The email channel's steps and checks on the self-host (docs/self-host.md "Mail"): mail comes in
 * at the process's own SMTP port and leaves through the relay in SMTP_URL, so the Cloudflare
 * steps (Email Routing, send_email) mean nothing there. Same shape as the Workers words in setup.tsx.
 */
export const smtpWords = {
  en: {
    relay: 'Mail goes out through the SMTP relay set in SMTP_URL.',
    noRelay: (outbox: string) =>
      `No SMTP relay is set (SMTP_URL): replies and invitations are written as .eml files to ${outbox} instead of being sent. Set SMTP_URL and restart to send them (docs/self-host.md).`,
    dns: (domain: string) =>
      `SPF, DKIM and DMARC for ${domain} are not checked from here. Check them with your relay’s provider or with: dig TXT ${domain}; dig TXT _dmarc.${domain}; and dig MX ${domain} should name this server.`,
    routingTitle: (port: number) => `Receive: this server’s SMTP port (${port})`,
    routing: (domain: string, addresses: string[], port: number) => [
      `Point the MX record of ${domain} at this server’s host name. Senders deliver to port 25: forward it to port ${port} (a firewall redirect from 25 to ${port}), or put a relay such as Postfix on port 25 that forwards to ${port}. Set SMTP_TLS_KEY and SMTP_TLS_CERT for STARTTLS.`,
      `The server takes mail for ${addresses.join(', ')} and refuses, at RCPT time, every address no channel lists: no rule per address is needed.`,
      `Customers’ answers come to reply+<conversation>@${domain}: a relay in front must pass such plus-addresses on unchanged.`,
      'Use “Send a test email” below: it shows where a message to the address lands.',
    ],
    forward: (address: string) => [
      `If your support mailbox lives at Google or Microsoft and its domain’s MX cannot point here, point the MX of a second domain (or subdomain) at this server, list an address on it above as one of this channel’s addresses (e.g. ${address}), and forward to it.`,
    ],
    sendTitle: 'Send: replies through your SMTP relay (SMTP_URL)',
    send: (domain: string, address: string) => [
      `Replies go out from ${address} through the relay in SMTP_URL (e.g. smtp://user:password@smtp.example.com:587). The relay must be allowed to send as ${domain}.`,
      `SPF: one TXT record on ${domain} that includes your relay (its provider names the include, merged with any senders you already have). DKIM: the key your relay signs with, published as its provider says. DMARC: a TXT record at _dmarc.${domain}, e.g. v=DMARC1; p=none; rua=mailto:${address} to start.`,
      `Invitations, password resets and mention mails come from no-reply@ the host name in APP_URL unless NOTIFICATION_FROM names another sender: a relay that may only send as ${domain} needs NOTIFICATION_FROM set to an address there (e.g. NOTIFICATION_FROM=no-reply@${domain}).`,
    ],
  },
  nb: {
    relay: 'E-post sendes gjennom SMTP-reléet i SMTP_URL.',
    noRelay: (outbox: string) =>
      `Ingen SMTP-relé er satt (SMTP_URL): svar og invitasjoner skrives som .eml-filer til ${outbox} i stedet for å sendes. Sett SMTP_URL og start på nytt for å sende dem (docs/self-host.md).`,
    dns: (domain: string) =>
      `SPF, DKIM og DMARC for ${domain} sjekkes ikke herfra. Sjekk dem hos reléets leverandør eller med: dig TXT ${domain}; dig TXT _dmarc.${domain}; og dig MX ${domain} skal vise denne serveren.`,
    routingTitle: (port: number) => `Motta: serverens SMTP-port (${port})`,
    routing: (domain: string, addresses: string[], port: number) => [
      `La MX-posten for ${domain} peke på denne serverens vertsnavn. Avsendere leverer til port 25: send den videre til port ${port} (en brannmur-omdirigering fra 25 til ${port}), eller sett et relé som Postfix på port 25 som videresender til ${port}. Sett SMTP_TLS_KEY og SMTP_TLS_CERT for STARTTLS.`,
      `Serveren tar imot e-post til ${addresses.join(', ')} og avviser, allerede ved RCPT, alle adresser ingen kanal har: ingen regel per adresse trengs.`,
      `Kundenes svar kommer til reply+<samtale>@${domain}: et relé foran må sende slike pluss-adresser videre uendret.`,
      'Bruk «Send en test-e-post» under: den viser hvor en melding til adressen havner.',
    ],
    forward: (address: string) => [
      `Ligger kundeservice-postkassen hos Google eller Microsoft, og domenets MX ikke kan peke hit: la MX for et ekstra domene (eller underdomene) peke på denne serveren, før en adresse der opp over som en av kanalens adresser (f.eks. ${address}), og videresend dit.`,
    ],
    sendTitle: 'Sende: svar gjennom SMTP-reléet ditt (SMTP_URL)',
    send: (domain: string, address: string) => [
      `Svar sendes fra ${address} gjennom reléet i SMTP_URL (f.eks. smtp://bruker:passord@smtp.example.com:587). Reléet må ha lov til å sende som ${domain}.`,
      `SPF: én TXT-post på ${domain} som inkluderer reléet ditt (leverandøren oppgir include-verdien, slått sammen med avsendere du allerede har). DKIM: nøkkelen reléet signerer med, publisert slik leverandøren sier. DMARC: en TXT-post på _dmarc.${domain}, f.eks. v=DMARC1; p=none; rua=mailto:${address} til å begynne med.`,
      `Invitasjoner, tilbakestilling av passord og e-post om omtaler sendes fra no-reply@ vertsnavnet i APP_URL, med mindre NOTIFICATION_FROM oppgir en annen avsender: et relé som bare får sende som ${domain}, trenger NOTIFICATION_FROM satt til en adresse der (f.eks. NOTIFICATION_FROM=no-reply@${domain}).`,
    ],
  },
}
