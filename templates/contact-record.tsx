import type { FC } from 'hono/jsx'
import { currentLocale, t } from '../src/i18n'
import { fullTime, isoTime } from '../src/lib/time'
import type { Company, Contact } from '../src/services/crm'
import type { Note, Task, TimelineEntry } from '../src/services/contact-record'
import { formatAmount } from '../src/services/deals'
import { Layout } from './layout'
import { PropertyList, TicketStatusChip, displayValue, propertyLabel, type Assignable, type PropertyItem } from './cards'
import { Avatar, ChannelIcon, conversationUrl } from './inbox'
import { viewOf } from './ticket'

export const ContactProperties: FC<{ contactId: string; items: PropertyItem[]; editing?: string; error?: string; draft?: string }> = (props) => (
  <section class="card" id="contact-properties" aria-label={t('record.properties')}>
    <h2>{t('record.properties')}</h2>
    <PropertyList
      items={props.items}
      editUrl={`/contacts/${props.contactId}/properties`}
      saveUrl={`/contacts/${props.contactId}/properties`}
      target="#contact-properties"
      editing={props.editing}
      error={props.error}
      draft={props.draft}
    />
  </section>
)

export const NotesSection: FC<{ contactId: string; notes: Note[]; timeZone: string; error?: string; draft?: string }> = ({
  contactId,
  notes,
  timeZone,
  error,
  draft,
}) => (
  <section class="card" id="contact-notes" aria-label={t('record.notes')}>
    <h2>{t('record.notes')}</h2>
    <form class="stack small-stack" hx-post={`/contacts/${contactId}/notes`} hx-target="#contact-notes" hx-swap="outerHTML">
      {error && (
        <p class="form-error small" role="alert">
          {error}
        </p>
      )}
      <label>
        {t('record.new_note')}
        <textarea name="body" rows={3} maxlength={10000} required>
          {draft ?? ''}
        </textarea>
      </label>
      <button type="submit" class="button small primary">
        {t('record.add_note')}
      </button>
    </form>
    {notes.length === 0 ? (
      <p class="muted small">{t('record.no_notes')}</p>
    ) : (
      <ul class="plain-list note-list">
        {notes.map((note) => (
          <li class="note">
            {/* Plain text, escaped by JSX; CSS keeps its line breaks. */}
            <p class="note-body">{note.body}</p>
            <span class="muted small">
              {note.authorName ?? '—'} · <time datetime={isoTime(note.createdAt)}>{fullTime(note.createdAt, timeZone)}</time>
            </span>
          </li>
        ))}
      </ul>
    )}
  </section>
)

export const TasksSection: FC<{ contactId: string; tasks: Task[]; users: Assignable[]; viewerId: string; error?: string; values?: Record<string, string> }> = ({
  contactId,
  tasks,
  users,
  viewerId,
  error,
  values,
}) => (
  <section class="card" id="contact-tasks" aria-label={t('record.tasks')}>
    <h2>{t('record.tasks')}</h2>
    {tasks.length === 0 ? (
      <p class="muted small">{t('record.no_tasks')}</p>
    ) : (
      <ul class="plain-list task-list">
        {tasks.map((task) => (
          <li class={task.doneAt ? 'task task-done' : 'task'}>
            <button
              type="button"
              class="task-check"
              aria-pressed={task.doneAt ? 'true' : 'false'}
              aria-label={task.doneAt ? t('record.reopen_task', { title: task.title }) : t('record.complete_task', { title: task.title })}
              hx-post={`/contacts/${contactId}/tasks/${task.id}/done`}
              hx-vals={JSON.stringify({ done: task.doneAt ? '0' : '1' })}
              hx-target="#contact-tasks"
              hx-swap="outerHTML"
            >
              {task.doneAt ? '☑' : '☐'}
            </button>
            <span class="task-title">{task.title}</span>
            <span class="muted small">
              {task.dueAt ? ` · ${t('record.due', { date: new Date(task.dueAt).toISOString().slice(0, 10) })}` : ''}
              {task.assigneeName ? ` · ${task.assigneeName}` : ''}
            </span>
          </li>
        ))}
      </ul>
    )}
    <form class="stack small-stack task-form" hx-post={`/contacts/${contactId}/tasks`} hx-target="#contact-tasks" hx-swap="outerHTML">
      {error && (
        <p class="form-error small" role="alert">
          {error}
        </p>
      )}
      <label>
        {t('record.task_title')}
        <input name="title" required maxlength={200} value={values?.title ?? ''} />
      </label>
      <div class="deal-amount-row">
        <label>
          {t('record.due_date')}
          <input name="dueDate" type="date" value={values?.dueDate ?? ''} />
        </label>
        <label>
          {t('record.assignee')}
          <select name="assigneeId">
            <option value="">{t('cards.nobody')}</option>
            {users
              .filter((user) => user.status === 'active')
              .map((user) => (
                <option value={user.id} selected={user.id === (values?.assigneeId ?? viewerId)}>
                  {user.name}
                </option>
              ))}
          </select>
        </label>
      </div>
      <button type="submit" class="button small primary">
        {t('record.add_task')}
      </button>
    </form>
  </section>
)

const TimelineItem: FC<{ entry: TimelineEntry; timeZone: string }> = ({ entry, timeZone }) => {
  const when = <time datetime={isoTime(entry.at)}>{fullTime(entry.at, timeZone)}</time>
  switch (entry.kind) {
    case 'conversation':
      return (
        <li class="timeline-item timeline-conversation">
          <span class="chip chip-muted">{t('record.conversation')}</span> <ChannelIcon pluginId={entry.pluginId} />{' '}
          <a href={conversationUrl(entry.inboxId, viewOf(entry), entry.id)}>{entry.title}</a>
          <span class="muted small">
            {' '}
            · {t(`prop.opt.${entry.status}`)} · {when}
          </span>
        </li>
      )
    case 'ticket':
      return (
        <li class="timeline-item timeline-ticket">
          <span class="chip chip-muted">{t('cards.ticket')}</span> <a href={`/tickets/${entry.id}`}>{entry.title}</a> <TicketStatusChip status={entry.status} />
          <span class="muted small"> · {when}</span>
        </li>
      )
    case 'deal':
      return (
        <li class="timeline-item timeline-deal">
          <span class="chip chip-muted">{t('record.deal')}</span> {entry.title}{' '}
          <span class="muted small">
            · {formatAmount(entry.amountMinor, entry.currency, currentLocale())} · {t(`deal.stage.${entry.stage}`)} · {when}
          </span>
        </li>
      )
    case 'note':
      return (
        <li class="timeline-item timeline-note">
          <span class="chip chip-muted">{t('record.note')}</span>{' '}
          <span class="note-body">{entry.title.length > 200 ? `${entry.title.slice(0, 200)}…` : entry.title}</span>
          <span class="muted small">
            {' '}
            · {entry.author ?? '—'} · {when}
          </span>
        </li>
      )
  }
}

export const ContactRecordPage: FC<{
  appName: string
  contact: Contact
  company: Company | null
  companyItems: PropertyItem[]
  properties: PropertyItem[]
  timeline: TimelineEntry[]
  notes: Note[]
  tasks: Task[]
  users: Assignable[]
  viewerId: string
  timeZone: string
}> = (props) => {
  const { contact } = props
  const name = contact.name ?? contact.email ?? contact.phone ?? t('cards.unknown_visitor')
  return (
    <Layout title={`${name} · ${props.appName}`} bodyClass="record-page">
      <main class="record">
        <a href="/" class="back-link">
          {t('common.back_to_inbox')}
        </a>
        <header class="record-header">
          <Avatar name={contact.name ?? contact.email} src={contact.avatarUrl} />
          <div>
            <h1>{name}</h1>
            <p class="muted small">{[contact.email, contact.phone].filter(Boolean).join(' · ')}</p>
          </div>
        </header>
        <div class="record-grid">
          <div class="record-column">
            <ContactProperties contactId={contact.id} items={props.properties} />
            <section class="card" id="contact-company" aria-label={t('cards.company')}>
              <h2>{t('cards.company')}</h2>
              {props.company ? (
                <dl class="properties">
                  {props.companyItems.map(({ def, value }) => (
                    <>
                      <dt>{propertyLabel(def)}</dt>
                      <dd>{displayValue(def, value)}</dd>
                    </>
                  ))}
                </dl>
              ) : (
                <p class="muted small">{t('cards.no_company')}</p>
              )}
            </section>
            <TasksSection contactId={contact.id} tasks={props.tasks} users={props.users} viewerId={props.viewerId} />
          </div>
          <div class="record-column">
            <NotesSection contactId={contact.id} notes={props.notes} timeZone={props.timeZone} />
            <section class="card" id="contact-timeline" aria-label={t('record.timeline')}>
              <h2>{t('record.timeline')}</h2>
              {props.timeline.length === 0 ? (
                <p class="muted small">{t('record.nothing_yet')}</p>
              ) : (
                <ol class="plain-list timeline">
                  {props.timeline.map((entry) => (
                    <TimelineItem entry={entry} timeZone={props.timeZone} />
                  ))}
                </ol>
              )}
            </section>
          </div>
        </div>
      </main>
    </Layout>
  )
}
