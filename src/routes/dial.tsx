import { Hono } from 'hono'
import type { AppEnv } from '../env'
import { dialChannelFor } from '../services/dial'
import { ownConversation } from './conversations'
import { t } from '../i18n'

/**
 * Click-to-call: the inbox's phone line (a channel whose plugin can `dial`) rings the agent's
 * own phone (their profile's, else the line's agents' phone), then the contact. The call is logged when the provider reports it. Without a line the
 * answer is a tel: link, so the agent calls from their own phone.
 */
export const dialRoutes = new Hono<AppEnv>()

dialRoutes.post('/:id/call', async (c) => {
  const detail = await ownConversation(c)
  const phone = detail.contact?.phone
  // htmx swaps only 2xx answers: a refusal is a status line, shown where the agent clicked.
  if (!phone)
    return c.html(
      <p class="dial-status form-error" role="alert">
        {t('dial.no_phone')}
      </p>,
    )
  const line = await dialChannelFor(c.var.db, c.env, detail.conversation, c.req.url)
  if (!line?.plugin.dial) {
    return c.html(
      <p class="dial-status" role="status">
        {t('dial.no_line')}{' '}
        <a href={`tel:${phone}`} class="dial-tel">
          {phone}
        </a>
      </p>,
    )
  }
  const result = await line.plugin.dial
    .start({ to: phone, conversationId: detail.conversation.id, agentPhone: c.var.user.phone }, line.ctx as never)
    .catch((error: unknown) => ({ status: 'failed' as const, reason: error instanceof Error ? error.message : String(error) }))
  if (result.status === 'failed') {
    return c.html(
      <p class="dial-status form-error" role="alert">
        {t('dial.failed', { reason: String(result.reason).slice(0, 300) })}
      </p>,
    )
  }
  return c.html(
    <p class="dial-status" role="status">
      {t('dial.ringing', { phone })}
    </p>,
  )
})
