import { Hono, type Context } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { z } from 'zod'
import type { AppEnv } from '../env'
import { InputError } from '../lib/errors'
import { t } from '../i18n'
import { addNote, addTask, contactTimeline, listNotes, listTasks, setTaskDone } from '../services/contact-record'
import { getCompany, getContact, propertyValue, setContactProperty, type Contact } from '../services/crm'
import { allProperties, validatePropertyValue } from '../services/properties'
import { listAllUsers } from '../services/users'
import { ContactProperties, ContactRecordPage, NotesSection, TasksSection } from '../../templates/contact-record'

/** The contact record page: properties, company, timeline, notes and tasks. */
export const contactRoutes = new Hono<AppEnv>()

async function ownContact(c: Context<AppEnv>) {
  const contact = await getContact(c.var.db, c.var.accountId, c.req.param('id') ?? '')
  if (!contact) throw new HTTPException(404, { message: 'This contact does not exist.' })
  return contact
}

contactRoutes.get('/:id', async (c) => {
  const contact = await ownContact(c)
  const { db, accountId, user } = c.var
  const [defs, company, timeline, notes, tasks, users] = await Promise.all([
    allProperties(db, accountId, 'contact'),
    contact.companyId ? getCompany(db, accountId, contact.companyId) : null,
    contactTimeline(db, accountId, contact.id),
    listNotes(db, accountId, contact.id),
    listTasks(db, accountId, contact.id),
    listAllUsers(db, accountId),
  ])
  const companyDefs = company ? await allProperties(db, accountId, 'company') : []
  return c.html(
    <ContactRecordPage
      appName={c.env.APP_NAME ?? 'Switchboard'}
      contact={contact}
      company={company}
      companyItems={company ? companyDefs.map((def) => ({ def, value: propertyValue(company, def) })) : []}
      properties={defs.map((def) => ({ def, value: propertyValue(contact, def) }))}
      timeline={timeline}
      notes={notes}
      tasks={tasks}
      users={users}
      viewerId={user.id}
      timeZone={user.timeZone}
    />,
  )
})

async function renderProperties(c: Context<AppEnv>, contact: Contact, state: { editing?: string; error?: string; draft?: string } = {}) {
  const defs = await allProperties(c.var.db, c.var.accountId, 'contact')
  return <ContactProperties contactId={contact.id} items={defs.map((def) => ({ def, value: propertyValue(contact, def) }))} {...state} />
}

contactRoutes.get('/:id/properties', async (c) => {
  const edit = c.req.query('edit')
  return c.html(await renderProperties(c, await ownContact(c), { editing: edit ? edit.slice(0, 60) : undefined }))
})

const propertyForm = z.object({ property: z.string().trim().min(1).max(60), value: z.string().max(5000).default('') })

contactRoutes.post('/:id/properties', async (c) => {
  const contact = await ownContact(c)
  const form = propertyForm.safeParse(await c.req.parseBody())
  const def = form.success ? (await allProperties(c.var.db, c.var.accountId, 'contact')).find((candidate) => candidate.name === form.data.property) : undefined
  if (!form.success || !def) throw new InputError(t('cards.choose_property'))
  try {
    const saved = await setContactProperty(c.var.db, contact, def, validatePropertyValue(def, form.data.value))
    return c.html(await renderProperties(c, saved))
  } catch (error) {
    if (!(error instanceof InputError)) throw error
    return c.html(await renderProperties(c, contact, { editing: def.name, error: error.message, draft: form.data.value }), 422)
  }
})

contactRoutes.post('/:id/notes', async (c) => {
  const contact = await ownContact(c)
  const { db, accountId, user } = c.var
  const body = String((await c.req.parseBody()).body ?? '')
  try {
    await addNote(db, user, contact.id, body)
  } catch (error) {
    if (!(error instanceof InputError)) throw error
    return c.html(
      <NotesSection
        contactId={contact.id}
        notes={await listNotes(db, accountId, contact.id)}
        timeZone={user.timeZone}
        error={error.message}
        draft={body.slice(0, 10_000)}
      />,
      422,
    )
  }
  return c.html(<NotesSection contactId={contact.id} notes={await listNotes(db, accountId, contact.id)} timeZone={user.timeZone} />, 201)
})

async function renderTasks(c: Context<AppEnv>, contact: Contact, state: { error?: string; values?: Record<string, string> } = {}) {
  const { db, accountId, user } = c.var
  const [tasks, users] = await Promise.all([listTasks(db, accountId, contact.id), listAllUsers(db, accountId)])
  return <TasksSection contactId={contact.id} tasks={tasks} users={users} viewerId={user.id} {...state} />
}

contactRoutes.post('/:id/tasks', async (c) => {
  const contact = await ownContact(c)
  const body = await c.req.parseBody()
  const values = {
    title: String(body.title ?? '').slice(0, 300),
    dueDate: String(body.dueDate ?? '').slice(0, 20),
    assigneeId: String(body.assigneeId ?? '').slice(0, 40),
  }
  try {
    await addTask(c.var.db, c.var.user, contact.id, { ...values, assigneeId: values.assigneeId || null })
  } catch (error) {
    if (!(error instanceof InputError)) throw error
    return c.html(await renderTasks(c, contact, { error: error.message, values }), 422)
  }
  return c.html(await renderTasks(c, contact), 201)
})

contactRoutes.post('/:id/tasks/:taskId/done', async (c) => {
  const contact = await ownContact(c)
  const done = String((await c.req.parseBody()).done ?? '1') !== '0'
  const task = await setTaskDone(c.var.db, c.var.accountId, contact.id, c.req.param('taskId'), done)
  if (!task && !(await listTasks(c.var.db, c.var.accountId, contact.id)).some((row) => row.id === c.req.param('taskId'))) {
    throw new HTTPException(404, { message: 'No such task.' })
  }
  return c.html(await renderTasks(c, contact))
})
