import type { FC } from 'hono/jsx'
import { t } from '../src/i18n'
import { LazyCard } from './cards'
import { PaneToggle } from './pane-toggle'

/**
 * The right-hand pane of a thread: the contact and what we know around them. Every card loads
 * itself after the thread is on screen (GET /conversations/:id/cards/<name>), so opening a
 * thread costs one query for the thread, not one per card. Another area adds its card with one
 * `<LazyCard …/>` line here.
 */
export const ContactPane: FC<{ conversationId: string }> = ({ conversationId }) => (
  <aside class="contact-pane" id="contact-pane" aria-label={t('cards.pane')}>
    {/* Shown only where the pane slides over the thread (app.css): there the header's ◨ is covered. */}
    <PaneToggle side="right" expanded label={t('pane.close_contact')} glyph="×" class="pane-close" />
    <LazyCard conversationId={conversationId} name="contact" title={t('cards.contact')} />
    <LazyCard conversationId={conversationId} name="ai" title={t('ai.card.title')} />
    <LazyCard conversationId={conversationId} name="about" title={t('cards.about')} />
    <LazyCard conversationId={conversationId} name="company" title={t('cards.company')} />
    <LazyCard conversationId={conversationId} name="ticket" title={t('cards.ticket')} />
    <LazyCard conversationId={conversationId} name="conversations" title={t('cards.other_conversations')} />
    <LazyCard conversationId={conversationId} name="tickets" title={t('cards.other_tickets')} />
    <LazyCard conversationId={conversationId} name="feedback" title={t('feedback.card.title')} />
    <LazyCard conversationId={conversationId} name="deals" title={t('cards.deals')} />
    <LazyCard conversationId={conversationId} name="properties" title={t('cards.custom_properties')} />
    {/* The ticket's "View more" slide-over opens here. */}
    <div id="sidebar-panel"></div>
  </aside>
)
