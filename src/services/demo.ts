import type { Db } from '../db/client'
import { insertInChunks, runInOneBatch } from '../db/chunk'
import { and, eq } from 'drizzle-orm'
import {
  accounts,
  accountSettings,
  channels,
  companies,
  contactNotes,
  contacts,
  conversations,
  deals,
  inboxes,
  propertyDefinitions,
  tasks,
  tickets,
  users,
} from '../db/schema'
import { ingestInbound, type BlobStore, type Notifier } from '../channels/pipeline'
import type { ChannelRecord } from '../channels/types'
import { newId } from '../lib/ids'
import { resolveContact } from './contacts'
import { normalizePhone } from '../lib/phone'
import { appendMessage } from './messages'
import { createUser } from './users'
import { seedDemoContent } from './demo-content'

export const demoPassword = 'switchboard-demo'
export const demoLogins = {
  superAdmin: 'ada@demo.switchboard.test',
  admin: 'grace@demo.switchboard.test',
  agent: 'linus@demo.switchboard.test',
}

type Agent = 'ada' | 'grace' | 'linus'
interface DemoMessage {
  /** 'contact' for the customer, an agent's key for a reply, `note:<agent>` for a comment. */
  by: 'contact' | Agent | `note:${Agent}`
  text: string
  minutesAgo: number
  /** How far a reply got, as the provider reported (Messenger's delivery and read receipts). */
  receipt?: 'delivered' | 'read'
}
interface DemoConversation {
  inbox: 'support' | 'sales'
  channel: 'email' | 'chat' | 'messenger' | 'forms' | 'calls' | 'sms'
  contact: { name?: string; email?: string; phone?: string; visitor?: string }
  /** The channel's thread key, when it keys conversations by something it knows (an SMS sender's number). */
  key?: string
  subject?: string
  messages: DemoMessage[]
  owner?: Agent
  bot?: string
  closed?: boolean
  /** 'sent': an email an agent started that the contact has not answered yet. */
  folder?: 'spam' | 'trash' | 'filtered' | 'sent'
}

const h = 60
const d = 24 * h

// Forty-odd conversations across every channel and state, written to read like a real inbox.
const demoConversations: DemoConversation[] = [
  {
    inbox: 'support',
    channel: 'email',
    contact: { name: 'Maja Nilsen', email: 'maja.nilsen@fjordtech.no' },
    subject: 'Order #10482 arrived damaged',
    owner: 'linus',
    messages: [
      {
        by: 'contact',
        text: 'Hi,\n\nThe tent I ordered (order #10482) arrived with a torn rain fly. Can you send a replacement? Photos attached in my next mail if needed.\n\nBest,\nMaja',
        minutesAgo: 2 * d,
      },
      {
        by: 'linus',
        text: 'Hi Maja, sorry about that! I have booked a replacement rain fly; it ships tomorrow. No need to return the damaged one.',
        minutesAgo: 2 * d - 50,
      },
      { by: 'contact', text: 'That was quick, thank you! Will the replacement come with the same tracking number?', minutesAgo: 3 * h },
    ],
  },
  {
    inbox: 'support',
    channel: 'chat',
    contact: { name: 'Tom Becker', email: 'tom@beckerbikes.de', visitor: 'v-tom' },
    messages: [
      { by: 'contact', text: 'Hello! Do your sleeping bags come in a long size?', minutesAgo: 14 },
      { by: 'contact', text: 'I am 1.96 m tall 🙂', minutesAgo: 13 },
    ],
  },
  {
    inbox: 'support',
    channel: 'email',
    contact: { name: 'Priya Raman', email: 'priya@lumen.io' },
    subject: 'Invoice needs our VAT number',
    owner: 'grace',
    messages: [
      {
        by: 'contact',
        text: 'Could you reissue invoice INV-2291 with our VAT number GB 123 4567 89? Our accounts team cannot book it otherwise.',
        minutesAgo: 5 * h,
      },
      { by: 'note:grace', text: 'Finance can reissue; waiting on them. @Linus please do not close this.', minutesAgo: 4 * h },
    ],
  },
  {
    inbox: 'support',
    channel: 'messenger',
    contact: { name: 'Jonas Lie', visitor: 'psid-8841' },
    messages: [{ by: 'contact', text: 'Hei! Is the Trondheim store open on Sunday?', minutesAgo: 40 }],
  },
  {
    inbox: 'support',
    channel: 'forms',
    contact: { name: 'Alicia Gómez', email: 'alicia.gomez@correo.es' },
    subject: 'Warranty claim: hiking boots',
    messages: [
      {
        by: 'contact',
        text: 'Product: Ridge GTX boots, size 39\nPurchased: March 2025\nIssue: the sole is separating at the toe after four months of use.',
        minutesAgo: 7 * h,
      },
      // A form is answered by email (through the inbox's email channel); her answer comes back by mail.
      { by: 'linus', text: 'Hi Alicia, sorry about the boots! Could you send a photo of the sole? Then we will send a new pair.', minutesAgo: 6 * h },
      { by: 'contact', text: 'Here is the photo. Thank you for the quick answer!', minutesAgo: 5 * h },
    ],
  },
  {
    inbox: 'support',
    channel: 'calls',
    contact: { name: 'Henrik Dahl', phone: '+47 912 34 567' },
    subject: 'Missed call from Henrik Dahl',
    messages: [
      { by: 'contact', text: 'Missed call', minutesAgo: 25 },
      // The support line's number can text: the agent answers the missed call by SMS.
      { by: 'ada', text: 'Hi Henrik, sorry we missed your call. We will ring you back within the hour.', minutesAgo: 20 },
    ],
  },
  {
    inbox: 'support',
    channel: 'email',
    contact: { name: 'Chen Wei', email: 'chen.wei@harbourlogistics.sg' },
    subject: 'Bulk order for 40 headlamps',
    owner: 'ada',
    messages: [
      { by: 'contact', text: 'We would like 40 units of the Beam 400 headlamp for our warehouse staff. Is there a volume discount?', minutesAgo: 3 * d },
      { by: 'ada', text: 'Hi Chen, for 40 units we can offer 15% off. I have attached a quote; it is valid for 30 days.', minutesAgo: 3 * d - 120 },
      { by: 'contact', text: 'Great, please go ahead. Can you deliver by the 15th?', minutesAgo: 30 },
    ],
  },
  {
    inbox: 'support',
    channel: 'chat',
    contact: { visitor: 'v-anon-1' },
    bot: 'Welcome bot',
    messages: [{ by: 'contact', text: 'where is my order', minutesAgo: 8 }],
  },
  {
    inbox: 'support',
    channel: 'chat',
    contact: { name: 'Sara Lind', email: 'sara.lind@posten.se', visitor: 'v-sara' },
    owner: 'linus',
    messages: [
      { by: 'contact', text: 'Hi, I changed my address after ordering. Can you update it?', minutesAgo: 95 },
      { by: 'linus', text: 'Hi Sara! Sure, what is the new address?', minutesAgo: 93 },
      { by: 'contact', text: 'Storgatan 12, 114 55 Stockholm', minutesAgo: 92 },
      { by: 'linus', text: 'Updated. Your parcel has not shipped yet, so it will go to Storgatan 12.', minutesAgo: 90 },
    ],
  },
  {
    inbox: 'support',
    channel: 'email',
    contact: { name: 'Oliver Smith', email: 'oliver.smith@gmail.com' },
    subject: 'Return label not working',
    closed: true,
    owner: 'grace',
    messages: [
      { by: 'contact', text: 'The return label link in your email gives me a 404.', minutesAgo: 6 * d },
      { by: 'grace', text: 'Sorry Oliver, here is a fresh label. The old link expired after 14 days.', minutesAgo: 6 * d - 30 },
      { by: 'contact', text: 'Worked, thanks!', minutesAgo: 5 * d },
    ],
  },
  {
    inbox: 'support',
    channel: 'messenger',
    contact: { name: 'Emma Virtanen', visitor: 'psid-5120' },
    closed: true,
    owner: 'linus',
    messages: [
      { by: 'contact', text: 'Do you ship to Finland?', minutesAgo: 4 * d },
      { by: 'linus', text: 'We do! Delivery to Finland takes 3–5 working days.', minutesAgo: 4 * d - 10 },
    ],
  },
  {
    inbox: 'support',
    channel: 'calls',
    contact: { name: 'Ingrid Solberg', phone: '+47 934 56 789' },
    subject: 'Call with Ingrid Solberg',
    closed: true,
    owner: 'ada',
    messages: [
      {
        by: 'contact',
        text: 'Answered call (6:12)\n\nCustomer asked about repairing a zipper on a 2019 jacket. Told her to send it to the repair centre in Bergen.',
        minutesAgo: 2 * d,
      },
    ],
  },
  {
    inbox: 'support',
    channel: 'forms',
    contact: { name: 'Lukas Novak', email: 'lukas.novak@seznam.cz' },
    subject: 'Question about sizing',
    messages: [{ by: 'contact', text: 'Does the Alpine shell run small? I am between M and L.', minutesAgo: 11 * h }],
  },
  {
    inbox: 'support',
    channel: 'email',
    contact: { name: 'Fatima Zahra', email: 'fatima.zahra@outlook.com' },
    subject: 'Cancel my subscription box',
    owner: 'linus',
    messages: [{ by: 'contact', text: 'Please cancel the monthly adventure box from next month on.', minutesAgo: 9 * h }],
  },
  {
    inbox: 'support',
    channel: 'chat',
    contact: { name: 'Noah Williams', visitor: 'v-noah' },
    messages: [{ by: 'contact', text: 'Is the 20% discount code still valid?', minutesAgo: 3 }],
  },
  {
    inbox: 'support',
    channel: 'email',
    contact: { name: 'Kari Nordmann', email: 'kari@nordmann.no' },
    subject: 'Re: Your repair is ready',
    closed: true,
    owner: 'ada',
    messages: [
      { by: 'contact', text: 'Can I pick it up on Saturday instead of having it shipped?', minutesAgo: 8 * d },
      { by: 'ada', text: 'Of course — the Oslo store has it from Friday.', minutesAgo: 8 * d - 60 },
    ],
  },
  {
    inbox: 'support',
    channel: 'messenger',
    contact: { name: 'Lucas Martin', visitor: 'psid-7710' },
    owner: 'grace',
    messages: [
      { by: 'contact', text: 'My discount code FJELL10 says expired but the ad says it runs until Sunday', minutesAgo: 2 * h },
      { by: 'grace', text: 'Thanks Lucas, checking with marketing now.', minutesAgo: 110, receipt: 'read' },
      { by: 'contact', text: 'Great, thanks! I will wait before ordering.', minutesAgo: 100 },
      { by: 'grace', text: 'Marketing fixed it: FJELL10 works again until Sunday night. Sorry for the trouble!', minutesAgo: 45, receipt: 'delivered' },
    ],
  },
  { inbox: 'support', channel: 'chat', contact: { visitor: 'v-anon-2' }, bot: 'Welcome bot', messages: [{ by: 'contact', text: 'Returns', minutesAgo: 55 }] },
  {
    inbox: 'support',
    channel: 'email',
    contact: { name: 'Anna Kowalska', email: 'anna.kowalska@wp.pl' },
    subject: 'Wrong colour delivered',
    messages: [{ by: 'contact', text: 'I ordered the green backpack but received a red one. Order #10511.', minutesAgo: 20 * h }],
  },
  {
    inbox: 'support',
    channel: 'calls',
    contact: { name: 'Per Hansen', phone: '+47 901 23 456' },
    subject: 'Voicemail from Per Hansen',
    messages: [
      {
        by: 'contact',
        text: 'Voicemail (0:48)\n\nHi, this is Per, calling about the ski rental booking for the 20th. Please call me back.',
        minutesAgo: 4 * h,
      },
    ],
  },
  {
    inbox: 'support',
    channel: 'forms',
    contact: { name: 'Mia Johansson', email: 'mia.johansson@telia.se' },
    subject: 'Feedback on the new app',
    closed: true,
    owner: 'grace',
    messages: [
      { by: 'contact', text: 'Love the new app, but the store finder does not work offline.', minutesAgo: 10 * d },
      { by: 'grace', text: 'Thanks Mia, passed on to the app team.', minutesAgo: 10 * d - 200 },
    ],
  },
  {
    inbox: 'support',
    channel: 'email',
    contact: { name: 'Deals Team', email: 'marketing@best-deals-online.biz' },
    subject: 'Boost your sales 300% with our leads!',
    folder: 'spam',
    messages: [{ by: 'contact', text: 'Dear business owner, buy 10,000 verified leads today…', minutesAgo: 6 * h }],
  },
  {
    inbox: 'support',
    channel: 'email',
    contact: { name: 'noreply', email: 'noreply@shipping-notify.example' },
    subject: 'Your shipment is delayed',
    folder: 'spam',
    messages: [{ by: 'contact', text: 'This is an automated message. Shipment 88213 is delayed.', minutesAgo: 13 * h }],
  },
  {
    inbox: 'support',
    channel: 'chat',
    contact: { name: 'Troll Account', visitor: 'v-troll' },
    folder: 'filtered',
    messages: [{ by: 'contact', text: 'spam spam spam', minutesAgo: 16 * h }],
  },
  {
    inbox: 'support',
    channel: 'email',
    contact: { name: 'Old Thread', email: 'old.thread@example.org' },
    subject: 'Test message, please ignore',
    folder: 'trash',
    messages: [{ by: 'contact', text: 'Testing our email forwarding.', minutesAgo: 12 * d }],
  },
  {
    inbox: 'support',
    channel: 'email',
    contact: { name: 'Maja Nilsen', email: 'maja.nilsen@fjordtech.no' },
    subject: 'Gift card balance',
    closed: true,
    owner: 'linus',
    messages: [
      { by: 'contact', text: 'How do I check the balance of my gift card?', minutesAgo: 30 * d },
      { by: 'linus', text: 'You can see it under Account → Gift cards, or ask in any store.', minutesAgo: 30 * d - 45 },
    ],
  },
  {
    inbox: 'support',
    channel: 'chat',
    contact: { name: 'Tom Becker', email: 'tom@beckerbikes.de', visitor: 'v-tom' },
    closed: true,
    owner: 'grace',
    messages: [
      { by: 'contact', text: 'Do you repair bike panniers?', minutesAgo: 15 * d },
      { by: 'grace', text: 'Yes, our Bergen repair centre does. Turnaround is about a week.', minutesAgo: 15 * d - 5 },
    ],
  },
  {
    inbox: 'support',
    channel: 'email',
    contact: { name: 'Bjørn Eriksen', email: 'bjorn.eriksen@hytteliv.no' },
    subject: 'Your pre-order is on its way',
    owner: 'linus',
    folder: 'sent',
    messages: [{ by: 'linus', text: 'Hi Bjørn, the pre-ordered stove ships today. Tracking follows in a separate email.', minutesAgo: 5 * h }],
  },
  // Sales inbox
  {
    inbox: 'sales',
    channel: 'email',
    contact: { name: 'Rachel Green', email: 'rachel@summitschools.org' },
    subject: 'Quote for 120 school jackets',
    owner: 'ada',
    messages: [
      {
        by: 'contact',
        text: 'We are outfitting our outdoor programme and need 120 jackets in mixed sizes. Could you send a quote including embroidery?',
        minutesAgo: 26 * h,
      },
      { by: 'ada', text: 'Hi Rachel, happy to! Could you share the size split and the logo file?', minutesAgo: 25 * h },
      { by: 'contact', text: 'Size split attached. Logo to follow from our designer.', minutesAgo: 65 },
    ],
  },
  {
    inbox: 'sales',
    channel: 'forms',
    contact: { name: 'Daniel Okafor', email: 'daniel@trailrunners.ng' },
    subject: 'Demo request: team store',
    messages: [
      { by: 'contact', text: 'Company: Trail Runners Lagos\nTeam size: 35\nInterested in: a private team store with our colours.', minutesAgo: 3 * h },
    ],
  },
  {
    inbox: 'sales',
    channel: 'chat',
    contact: { name: 'Sofia Rossi', email: 'sofia.rossi@alpinaviaggi.it', visitor: 'v-sofia' },
    owner: 'grace',
    messages: [
      { by: 'contact', text: 'Hi, we run guided tours in the Dolomites and want to rent gear for groups of 12. Do you offer that?', minutesAgo: 35 },
      { by: 'grace', text: 'Hi Sofia! Yes, group rental is available from our Innsbruck partner. How many tours per season?', minutesAgo: 33 },
      { by: 'contact', text: 'About 20 tours between June and September.', minutesAgo: 31 },
    ],
  },
  {
    inbox: 'sales',
    channel: 'email',
    contact: { name: 'Martin Weber', email: 'm.weber@bergsport-weber.de' },
    subject: 'Wholesale terms for 2027',
    closed: true,
    owner: 'ada',
    messages: [
      { by: 'contact', text: 'Please send your wholesale terms for the 2027 season.', minutesAgo: 9 * d },
      { by: 'ada', text: 'Attached are our 2027 terms. Minimum order is €5,000.', minutesAgo: 9 * d - 100 },
      { by: 'contact', text: 'Thanks, we will review and come back.', minutesAgo: 8 * d },
    ],
  },
  {
    inbox: 'sales',
    channel: 'calls',
    contact: { name: 'Elif Yılmaz', phone: '+90 532 555 0101' },
    subject: 'Call with Elif Yılmaz',
    owner: 'linus',
    messages: [
      {
        by: 'contact',
        text: 'Answered call (11:40)\n\nInterested in stocking our tents in two shops in Istanbul. Wants a catalogue and price list.',
        minutesAgo: 6 * h,
      },
    ],
  },
  {
    inbox: 'sales',
    channel: 'email',
    contact: { name: 'George Brown', email: 'george@brownandsons.co.uk' },
    subject: 'Corporate gifts for 200 staff',
    messages: [
      { by: 'contact', text: 'Looking for a branded gift (bottle or beanie) for 200 staff before Christmas. Budget around £15 each.', minutesAgo: 4 * h },
    ],
  },
  {
    inbox: 'sales',
    channel: 'chat',
    contact: { visitor: 'v-anon-3' },
    bot: 'Sales bot',
    messages: [{ by: 'contact', text: 'pricing for teams?', minutesAgo: 18 }],
  },
  {
    inbox: 'sales',
    channel: 'forms',
    contact: { name: 'Hannah Schmidt', email: 'hannah.schmidt@uni-freiburg.de' },
    subject: 'Demo request: university outdoor club',
    closed: true,
    owner: 'linus',
    messages: [
      { by: 'contact', text: 'Club size: 80 members. Looking for a discount programme.', minutesAgo: 14 * d },
      { by: 'linus', text: 'Hi Hannah, we offer 20% for registered university clubs. I have sent the sign-up form.', minutesAgo: 14 * d - 300 },
    ],
  },
  {
    inbox: 'sales',
    channel: 'email',
    contact: { name: 'Info Desk', email: 'info@partner-agency.example' },
    subject: 'Partnership opportunity',
    folder: 'spam',
    messages: [{ by: 'contact', text: 'We help brands like yours grow on social media. Reply to learn more.', minutesAgo: 2 * d }],
  },
  {
    inbox: 'sales',
    channel: 'messenger',
    contact: { name: 'Camille Dubois', visitor: 'psid-3302' },
    messages: [{ by: 'contact', text: 'Bonjour! Do you have a reseller programme in France?', minutesAgo: 75 }],
  },
  {
    inbox: 'sales',
    channel: 'email',
    contact: { name: 'Ravi Patel', email: 'ravi.patel@peakventures.in' },
    subject: 'Follow-up on our meeting',
    owner: 'grace',
    messages: [
      { by: 'contact', text: 'Thanks for the call yesterday. As discussed, here is our projected volume for Q1.', minutesAgo: 50 * h },
      { by: 'note:grace', text: 'Volume looks good for tier 2 pricing. Ada to approve.', minutesAgo: 49 * h },
      { by: 'grace', text: 'Thanks Ravi! We will send the tier 2 proposal by Friday.', minutesAgo: 48 * h },
    ],
  },
  {
    inbox: 'sales',
    channel: 'email',
    contact: { name: 'Yuki Tanaka', email: 'yuki.tanaka@yamatrek.jp' },
    subject: 'Catalogue for the 2027 season',
    owner: 'ada',
    folder: 'sent',
    messages: [{ by: 'ada', text: 'Dear Tanaka-san, as promised, here is our 2027 catalogue with wholesale prices.', minutesAgo: 28 * h }],
  },
  {
    inbox: 'sales',
    channel: 'chat',
    contact: { name: 'Liam O’Brien', email: 'liam@galwaysurf.ie', visitor: 'v-liam' },
    closed: true,
    owner: 'ada',
    messages: [
      { by: 'contact', text: 'Do you sell wetsuits?', minutesAgo: 20 * d },
      { by: 'ada', text: 'Not yet, but they are coming next spring!', minutesAgo: 20 * d - 2 },
    ],
  },
  // Last, so the demo message ids of the conversations above (demo-<index>-<n>) stay as they were.
  {
    inbox: 'support',
    channel: 'sms',
    contact: { name: 'Maja Berg', phone: '+4791234599' },
    key: '+4791234599',
    messages: [{ by: 'contact', text: 'Hi, can I change the delivery address for order 4471 by text?', minutesAgo: 35 }],
  },
]

/** How a demo conversation's first message finds its thread: a Messenger sender's id, a caller's number, a chat session. */
function demoThreadKey(spec: DemoConversation, index: number): { key: string } | undefined {
  if (spec.channel === 'messenger' && spec.contact.visitor) return { key: spec.contact.visitor }
  if (spec.channel === 'calls' && spec.contact.phone) return { key: normalizePhone(spec.contact.phone) ?? spec.contact.phone }
  return spec.contact.visitor ? { key: `demo-session-${index}` } : undefined
}

const channelSetups = {
  support: [
    { pluginId: 'email', name: 'support@demo.switchboard.test', settings: { addresses: ['support@demo.switchboard.test'], fromName: 'Northwind Support' } },
    { pluginId: 'chat', name: 'Website chat', settings: { allowedOrigins: [], greeting: 'Hi! How can we help?' } },
    {
      pluginId: 'messenger',
      name: 'Northwind on Messenger',
      settings: { pageId: '1000001', pageName: 'Northwind Outfitters', verifyToken: 'demo-verify-token' },
    },
    // Posts from a page of the local app itself (the channel's preview); a real site lists its own origin.
    { pluginId: 'forms', name: 'Contact form', settings: { formName: 'Contact form', allowedOrigins: ['http://localhost:8787', 'http://127.0.0.1:8787'] } },
    // The support line's number can text (a real deployment adds the provider's account and token).
    { pluginId: 'calls', name: 'Support line', settings: { phoneNumber: '+47 800 12 345', accountSid: 'ACdemo', sms: true } },
    // No provider behind it locally: replies wait and retry, like any unreachable provider.
    { pluginId: 'sms', name: 'Support SMS', settings: { accountSid: 'ACdemo', phoneNumber: '+4759440000', apiBaseUrl: 'https://api.twilio.com' } },
  ],
  sales: [
    { pluginId: 'email', name: 'sales@demo.switchboard.test', settings: { addresses: ['sales@demo.switchboard.test'], fromName: 'Northwind Sales' } },
    { pluginId: 'chat', name: 'Pricing page chat', settings: { allowedOrigins: [], greeting: 'Questions about team pricing?', chatflow: 'welcome' } },
    { pluginId: 'messenger', name: 'Northwind Sales on Messenger', settings: { pageId: '1000002', verifyToken: 'demo-verify-token-2' } },
    { pluginId: 'forms', name: 'Demo request', settings: { formName: 'Demo request', allowedOrigins: ['http://localhost:8787', 'http://127.0.0.1:8787'] } },
    { pluginId: 'calls', name: 'Sales line', settings: { phoneNumber: '+47 800 12 346' } },
  ],
} as const

/**
 * Lets the demo page (`/widget/demo`, served only with DEMO_SEED) embed the demo workspace's chat
 * widgets: the seed request's origin joins each chat channel's allowed origins, as a customer adds
 * their site. A loopback origin brings its twin (127.0.0.1 ⇄ localhost), since either may be
 * opened. Nothing is implied: the widget trusts only the origins a channel lists.
 */
export async function allowDemoOrigin(db: Db, accountId: string, origin: string): Promise<void> {
  const url = new URL(origin)
  const twins = url.hostname === '127.0.0.1' ? ['localhost'] : url.hostname === 'localhost' ? ['127.0.0.1'] : []
  const wanted = [url.origin, ...twins.map((host) => `${url.protocol}//${host}${url.port ? `:${url.port}` : ''}`)]
  const chats = await db
    .select({ id: channels.id, settings: channels.settings })
    .from(channels)
    .where(and(eq(channels.accountId, accountId), eq(channels.pluginId, 'chat')))
  for (const chat of chats) {
    const allowed = Array.isArray(chat.settings.allowedOrigins) ? (chat.settings.allowedOrigins as string[]) : []
    const missing = wanted.filter((origin) => !allowed.includes(origin))
    if (missing.length > 0)
      await db
        .update(channels)
        .set({ settings: { ...chat.settings, allowedOrigins: [...allowed, ...missing] } })
        .where(eq(channels.id, chat.id))
  }
}

export interface SeedDeps {
  db: Db
  notifier: Notifier
  blobs: BlobStore
}

/**
 * Creates the demo workspace unless it exists (its super admin's address is taken), so a second
 * `npm start` keeps whatever the demo user did. Conversations enter through the real
 * pipeline, exactly as live traffic would.
 */
export async function seedDemoWorkspace(deps: SeedDeps, nowMs = Date.now()): Promise<{ created: boolean; accountId: string }> {
  const { db } = deps
  const [existing] = await db.select({ accountId: users.accountId }).from(users).where(eq(users.email, demoLogins.superAdmin)).limit(1)
  if (existing) return { created: false, accountId: existing.accountId }

  const accountId = newId()
  await db.insert(accounts).values({ id: accountId, name: 'Northwind Outfitters', createdAt: nowMs })
  const ada = await createUser(db, { accountId, name: 'Ada Lovelace', email: demoLogins.superAdmin, password: demoPassword, role: 'super_admin' }, nowMs)
  const grace = await createUser(db, { accountId, name: 'Grace Hopper', email: demoLogins.admin, password: demoPassword, role: 'admin' }, nowMs)
  const linus = await createUser(db, { accountId, name: 'Linus Berg', email: demoLogins.agent, password: demoPassword, role: 'agent' }, nowMs)
  const agents = { ada, grace, linus }

  const channelRecords: Record<string, ChannelRecord> = {}
  for (const [inboxKey, setups] of Object.entries(channelSetups)) {
    const inboxId = newId()
    await db
      .insert(inboxes)
      .values({ id: inboxId, accountId, name: inboxKey === 'support' ? 'Support' : 'Sales', createdAt: nowMs + (inboxKey === 'support' ? 0 : 1) })
    for (const setup of setups) {
      const channel = { id: newId(), accountId, inboxId, pluginId: setup.pluginId, name: setup.name }
      await db.insert(channels).values({ ...channel, settings: setup.settings, createdAt: nowMs })
      channelRecords[`${inboxKey}:${setup.pluginId}`] = channel
    }
  }

  for (const [index, spec] of demoConversations.entries()) {
    const channel = channelRecords[`${spec.inbox}:${spec.channel}`]!
    // A form has no way back of its own: after the submission, the thread continues by email.
    const continued = spec.channel === 'forms' ? channelRecords[`${spec.inbox}:email`]! : channel
    let conversationId: string | undefined
    if (spec.messages[0]?.by !== 'contact') {
      // Started by an agent: there is no inbound message to create the conversation from.
      const contact = await resolveContact(db, accountId, channel.pluginId, spec.contact)
      conversationId = newId()
      await db.insert(conversations).values({
        id: conversationId,
        accountId,
        inboxId: channel.inboxId,
        channelId: channel.id,
        pluginId: channel.pluginId,
        contactId: contact.id,
        subject: spec.subject ?? null,
        lastMessageAt: nowMs - spec.messages[0]!.minutesAgo * 60_000,
        createdAt: nowMs - spec.messages[0]!.minutesAgo * 60_000,
      })
    }
    for (const [position, message] of spec.messages.entries()) {
      const atMs = nowMs - message.minutesAgo * 60_000
      if (message.by === 'contact') {
        const result = await ingestInbound(
          deps,
          position === 0 ? channel : continued,
          {
            externalId: `demo-${index}-${position}@demo.switchboard.test`,
            from: {
              name: spec.contact.name,
              email: spec.contact.email,
              phone: spec.contact.phone,
              externalId: spec.contact.visitor ?? spec.contact.phone,
            },
            subject: spec.subject,
            text: message.text,
            thread: conversationId
              ? { references: [`demo-${index}-0@demo.switchboard.test`], conversationId }
              : spec.key
                ? { key: spec.key }
                : demoThreadKey(spec, index),
          },
          atMs,
        )
        conversationId = result.conversationId
      } else {
        const [agentKey, isNote] = message.by.startsWith('note:') ? [message.by.slice(5) as Agent, true] : [message.by as Agent, false]
        const agent = agents[agentKey]
        const byEmail = !isNote && continued !== channel
        await appendMessage(db, {
          accountId,
          conversationId: conversationId!,
          channelId: isNote ? channel.id : continued.id,
          direction: 'out',
          kind: isNote ? 'comment' : 'message',
          authorUserId: agent.id,
          authorName: agent.name,
          text: message.text,
          deliveryStatus: isNote ? 'none' : 'sent',
          metadata: {
            ...(byEmail && spec.contact.email ? { replyOptions: { to: [{ address: spec.contact.email }], cc: [], bcc: [] }, startsThread: true } : {}),
            ...(message.receipt ? { deliveredAt: atMs + 60_000, ...(message.receipt === 'read' ? { readAt: atMs + 120_000 } : {}) } : {}),
          },
          createdAt: atMs,
        })
      }
    }
    const lastAtMs = nowMs - spec.messages[spec.messages.length - 1]!.minutesAgo * 60_000
    await db
      .update(conversations)
      .set({
        assigneeId: spec.owner ? agents[spec.owner].id : null,
        assigneeBot: spec.bot ?? null,
        status: spec.closed ? 'closed' : 'open',
        closedAt: spec.closed ? lastAtMs : null,
        folder: spec.folder ?? 'inbox',
        trashedAt: spec.folder === 'trash' ? lastAtMs : null,
      })
      .where(eq(conversations.id, conversationId!))
    if (spec.folder === 'filtered') {
      const [conversation] = await db.select({ contactId: conversations.contactId }).from(conversations).where(eq(conversations.id, conversationId!))
      if (conversation?.contactId) await db.update(contacts).set({ blocked: true }).where(eq(contacts.id, conversation.contactId))
    }
  }
  await seedDemoContent(db, { admin: grace, agent: linus }, nowMs)
  await seedDemoCrm(db, accountId, agents, nowMs)
  return { created: true, accountId }
}

/**
 * What the sidebar shows around the demo conversations: a company, a ticket, deals, a note and a
 * task, and a few custom properties (chosen for the contact and ticket cards).
 */
async function seedDemoCrm(db: Db, accountId: string, agents: Record<Agent, { id: string }>, nowMs: number) {
  const bySubject = async (subject: string) => {
    const [row] = await db
      .select()
      .from(conversations)
      .where(and(eq(conversations.accountId, accountId), eq(conversations.subject, subject)))
      .limit(1)
    return row!
  }
  const definition = (
    object: 'contact' | 'company' | 'ticket' | 'deal',
    name: string,
    label: string,
    type: 'text' | 'number' | 'date' | 'select',
    options: string[] = [],
  ) => ({
    id: newId(),
    accountId,
    object,
    name,
    label,
    type,
    options,
    createdAt: nowMs,
  })
  const definitions = [
    definition('contact', 'membership', 'Membership', 'select', ['None', 'Trail Club', 'Summit Club']),
    definition('contact', 'customer_since', 'Customer since', 'date'),
    definition('company', 'employees', 'Employees', 'number'),
    definition('ticket', 'rma_number', 'RMA number', 'text'),
  ]
  await runInOneBatch(
    db,
    insertInChunks(propertyDefinitions, definitions, (part) => db.insert(propertyDefinitions).values(part)),
  )
  await db.insert(accountSettings).values({
    accountId,
    contactCardProperties: ['email', 'phone', 'job_title', 'lifecycle_stage', 'membership'],
    ticketCardProperties: ['status', 'priority', 'owner', 'rma_number'],
    ticketPanelProperties: ['name', 'status', 'priority', 'owner', 'description', 'rma_number'],
    updatedAt: nowMs,
  })

  const damaged = await bySubject('Order #10482 arrived damaged')
  const companyId = newId()
  await db.insert(companies).values({
    id: companyId,
    accountId,
    name: 'Fjord Tech AS',
    domain: 'fjordtech.no',
    properties: { industry: 'Software', employees: '48' },
    createdAt: nowMs,
  })
  await db
    .update(contacts)
    .set({ companyId, properties: { job_title: 'Office manager', lifecycle_stage: 'customer', membership: 'Trail Club', customer_since: '2023-04-12' } })
    .where(eq(contacts.id, damaged.contactId!))
  const ticketId = newId()
  await db.insert(tickets).values({
    id: ticketId,
    accountId,
    contactId: damaged.contactId,
    conversationId: damaged.id,
    name: 'Replacement rain fly for order #10482',
    priority: 'high',
    description: 'Rain fly torn on arrival. Replacement booked; no return needed.',
    ownerId: agents.linus.id,
    properties: { rma_number: 'RMA-2291' },
    createdAt: nowMs - 2 * 24 * 3_600_000,
  })
  await db.update(conversations).set({ ticketId }).where(eq(conversations.id, damaged.id))
  await db.insert(contactNotes).values({
    id: newId(),
    accountId,
    contactId: damaged.contactId!,
    authorId: agents.linus.id,
    body: 'Prefers email. Second damaged delivery this year: check the carrier.',
    createdAt: nowMs - 24 * 3_600_000,
  })
  await db.insert(tasks).values({
    id: newId(),
    accountId,
    contactId: damaged.contactId,
    title: 'Confirm the replacement arrived',
    dueAt: Date.UTC(new Date(nowMs).getUTCFullYear(), new Date(nowMs).getUTCMonth(), new Date(nowMs).getUTCDate() + 5),
    assigneeId: agents.linus.id,
    createdBy: agents.linus.id,
    createdAt: nowMs,
  })

  const headlamps = await bySubject('Bulk order for 40 headlamps')
  const jackets = await bySubject('Quote for 120 school jackets')
  const dealRows: (typeof deals.$inferInsert)[] = [
    {
      id: newId(),
      accountId,
      contactId: headlamps.contactId,
      conversationId: headlamps.id,
      name: '40 × Beam 400 headlamps',
      amountMinor: 204_000,
      currency: 'USD',
      stage: 'contract',
      ownerId: agents.ada.id,
      createdAt: nowMs - 3 * 24 * 3_600_000,
    },
    {
      id: newId(),
      accountId,
      contactId: jackets.contactId,
      conversationId: jackets.id,
      name: '120 school jackets',
      amountMinor: 1_080_000,
      currency: 'EUR',
      stage: 'presentation',
      ownerId: agents.ada.id,
      createdAt: nowMs - 24 * 3_600_000,
    },
  ]
  await runInOneBatch(
    db,
    insertInChunks(deals, dealRows, (part) => db.insert(deals).values(part)),
  )
}
