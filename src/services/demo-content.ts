import type { Db } from '../db/client'
import type { ContentActor } from './content-access'
import { createArticle } from './articles'
import { createMeetingLink } from './meeting-links'
import { createSnippet, createTemplate } from './snippets'

/**
 * The demo workspace's content library, so `npm start` shows something to insert: snippets with
 * placeholders, a template, two published articles, a meeting link for the team and one of Linus's.
 * Made through the services, so it passes the same validation as the settings pages.
 */
export async function seedDemoContent(db: Db, people: { admin: ContentActor; agent: ContentActor }, nowMs: number) {
  const { admin, agent } = people
  await createSnippet(db, admin, { name: 'Thanks', shortcut: 'thanks', body: '<p>Thanks for getting in touch, {{contact.firstname}}!</p>' }, nowMs)
  await createSnippet(
    db,
    admin,
    {
      name: 'Refund on its way',
      shortcut: 'refund',
      body: '<p>Hi {{contact.firstname}},</p><p>I have issued a <strong>full refund</strong> to your original payment method. It usually shows up within 3–5 business days.</p><p>Best,<br>{{agent.firstname}}</p>',
    },
    nowMs,
  )
  await createSnippet(
    db,
    agent,
    {
      name: 'Tracking link',
      shortcut: 'tracking',
      body: '<p>You can follow your parcel here: <a href="https://tracking.example.com/">tracking.example.com</a></p>',
    },
    nowMs,
  )
  await createTemplate(
    db,
    admin,
    {
      name: 'Replacement shipped',
      subject: 'Your replacement is on its way — {{conversation.subject}}',
      body: '<p>Dear {{contact.name}},</p><p>We have shipped a replacement for the damaged item:</p><ul><li>No need to return the old one</li><li>Tracking follows by email</li></ul><p>Kind regards,<br>{{agent.name}}<br>Northwind Outfitters</p>',
    },
    nowMs,
  )
  await createArticle(
    db,
    admin,
    {
      title: 'Returns and refunds',
      slug: 'returns-and-refunds',
      body: '<p>You can return any item within <strong>30 days</strong> of delivery.</p><ol><li>Write to support with your order number.</li><li>We send you a prepaid label.</li><li>Your refund is issued when the parcel reaches us.</li></ol>',
      published: true,
    },
    nowMs,
  )
  await createArticle(
    db,
    admin,
    {
      title: 'Choosing a sleeping bag size',
      slug: 'sleeping-bag-sizes',
      body: '<p>Pick a bag at least <strong>15 cm longer</strong> than you are tall. Our long sizes fit people up to 2.0 m.</p>',
      published: true,
    },
    nowMs,
  )
  await createMeetingLink(db, admin, { name: 'Book a product demo', url: 'https://cal.example.com/northwind/demo', team: true }, nowMs)
  await createMeetingLink(db, agent, { name: 'Call with Linus', url: 'https://cal.example.com/linus', team: false }, nowMs)
}
