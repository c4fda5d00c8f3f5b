import { and, eq, isNotNull, isNull, type SQL } from 'drizzle-orm'
import { conversations } from '../db/schema'
import { channelPlugins } from '../channels/registry'
import { translated } from '../i18n'

export interface ViewDefinition {
  id: string
  /** The English name; shown through viewName(), which translates it. */
  name: string
  /** Shown above "More" in the sidebar. */
  alwaysShown: boolean
  /** The rows this view holds, for the given agent. */
  where(userId: string): SQL
  /** The only status this view holds, if it holds one: a Status filter can then only narrow it. */
  status?: 'open' | 'closed'
}

const c = conversations
const openInInbox = and(eq(c.folder, 'inbox'), eq(c.status, 'open'))!

const peopleViews: ViewDefinition[] = [
  {
    id: 'unassigned',
    name: 'Unassigned',
    alwaysShown: true,
    where: () => and(openInInbox, isNull(c.assigneeId), isNull(c.assigneeBot))!,
    status: 'open',
  },
  { id: 'mine', name: 'Assigned to me', alwaysShown: true, where: (userId) => and(openInInbox, eq(c.assigneeId, userId))!, status: 'open' },
  { id: 'open', name: 'All open', alwaysShown: true, where: () => openInInbox, status: 'open' },
]

// One view per channel plugin: the core asks the registry, never names a channel itself.
const channelViews: ViewDefinition[] = channelPlugins.map((plugin) => ({
  id: plugin.id,
  name: plugin.view,
  alwaysShown: plugin.viewAlwaysShown ?? false,
  where: () => and(openInInbox, eq(c.pluginId, plugin.id))!,
  status: 'open',
}))

const folderViews: ViewDefinition[] = [
  { id: 'closed', name: 'All closed', alwaysShown: false, where: () => and(eq(c.folder, 'inbox'), eq(c.status, 'closed'))!, status: 'closed' },
  { id: 'sent', name: 'Sent', alwaysShown: false, where: () => eq(c.folder, 'sent') },
  { id: 'spam', name: 'Spam', alwaysShown: false, where: () => eq(c.folder, 'spam') },
  { id: 'filtered', name: 'Filtered', alwaysShown: false, where: () => eq(c.folder, 'filtered') },
  { id: 'trash', name: 'Trash', alwaysShown: false, where: () => eq(c.folder, 'trash') },
]

const botsView: ViewDefinition = {
  id: 'bots',
  name: 'Bots',
  alwaysShown: false,
  where: () => and(openInInbox, isNotNull(c.assigneeBot), isNull(c.assigneeId))!,
  status: 'open',
}

/** The built-in views in sidebar order: pinned ones first, then the rest under "More". */
export const builtInViews: ViewDefinition[] = [
  ...peopleViews,
  ...channelViews.filter((view) => view.alwaysShown),
  botsView,
  ...channelViews.filter((view) => !view.alwaysShown),
  ...folderViews,
]

export const defaultViewId = 'open'

export function findView(viewId: string): ViewDefinition | undefined {
  return builtInViews.find((view) => view.id === viewId)
}

/**
 * A view's name in the current locale. Ids stay stable (they are in URLs and saved views); the
 * catalog has `views.<id>`, and a channel view the catalog does not know keeps its plugin's name.
 */
export function viewName(view: Pick<ViewDefinition, 'id' | 'name'>): string {
  return translated(`views.${view.id}`, view.name)
}
