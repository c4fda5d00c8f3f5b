import { and, eq, inArray, lte, sql } from 'drizzle-orm'
import type { Db } from '../db/client'
import { conversations, messages, users } from '../db/schema'
import type { DeliveryReport } from '../channels/types'
import { locales, t, withLocale, type Locale } from '../i18n'

/** A read receipt up to a moment touches at most this many replies (the newest are what agents look at). */
const maxMessagesPerReport = 50

/**
 * A provider's word on replies it accepted, in one statement: matched by the id `send` returned
 * in that channel, or (a receipt that says "up to now") every sent reply in the conversation the
 * thread key names. `failed` marks the message failed with the reason (the thread offers "Send
 * again"); `delivered` and `read` stamp `deliveredAt` / `readAt` in its metadata (the first time
 * only), which the thread shows beside "Sent". Returns the messages it changed.
 */
export async function recordDeliveryReport(
  db: Db,
  channel: { id: string; accountId: string },
  report: DeliveryReport,
  nowMs = Date.now(),
): Promise<{ conversationId: string; messageId: number }[]> {
  const returning = { conversationId: messages.conversationId, messageId: messages.id }
  const ours = and(eq(messages.accountId, channel.accountId), eq(messages.channelId, channel.id), eq(messages.direction, 'out'), eq(messages.kind, 'message'))
  if ('externalId' in report && report.status === 'failed') {
    const { reason } = report
    const reasonIn = (locale: Locale) =>
      withLocale(locale, () => ((typeof reason === 'function' ? reason() : reason) ?? '').slice(0, 500) || t('inbox.delivery.unknown'))
    // Written in the language of the reply's author, like a failed send's reason (services/outbound.ts),
    // in the same statement: the report has no viewer, and everyone reads the message's reason as stored.
    const authorLocale = sql`(select ${users.locale} from ${users} where ${users.id} = ${messages.authorUserId})`
    const inAuthorsLanguage = sql`case ${authorLocale} ${sql.join(
      locales.filter((locale) => locale !== 'en').map((locale) => sql`when ${locale} then ${reasonIn(locale)}`),
      sql` `,
    )} else ${reasonIn('en')} end`
    return db
      .update(messages)
      .set({ deliveryStatus: 'failed', deliveryError: inAuthorsLanguage, deliveryUpdatedAt: nowMs })
      .where(and(ours, eq(messages.externalId, report.externalId)))
      .returning(returning)
  }
  const key = report.status === 'read' ? '$.readAt' : '$.deliveredAt'
  // A read reply was delivered too; a repeated receipt keeps the first moment.
  const stamped =
    report.status === 'read'
      ? sql`json_set(${messages.metadata}, '$.readAt', ${nowMs}, '$.deliveredAt', coalesce(json_extract(${messages.metadata}, '$.deliveredAt'), ${nowMs}))`
      : sql`json_set(${messages.metadata}, '$.deliveredAt', ${nowMs})`
  const notYet = sql`json_extract(${messages.metadata}, ${key}) is null`
  const which =
    'externalId' in report
      ? eq(messages.externalId, report.externalId)
      : inArray(
          messages.id,
          db
            .select({ id: messages.id })
            .from(messages)
            .innerJoin(conversations, eq(conversations.id, messages.conversationId))
            .where(
              and(
                ours,
                eq(conversations.channelId, channel.id),
                eq(conversations.externalKey, report.threadKey),
                eq(messages.deliveryStatus, 'sent'),
                lte(messages.createdAt, report.upTo),
                notYet,
              ),
            )
            .orderBy(sql`${messages.id} desc`)
            .limit(maxMessagesPerReport),
        )
  return db
    .update(messages)
    .set({ metadata: stamped })
    .where(and(ours, eq(messages.deliveryStatus, 'sent'), notYet, which))
    .returning(returning)
}
