import type { FC } from 'hono/jsx'
import { channelPlugins } from '../src/channels/registry'
import { channelName } from '../src/channels/texts'
import type { ListFilters } from '../src/services/filters'
import { filtersToQuery, hasFilters, isSearch, maxSearchLength } from '../src/services/filters'
import type { User } from '../src/services/users'
import type { ViewDefinition } from '../src/services/views'
import { t } from '../src/i18n'

export interface FilterOptions {
  users: Pick<User, 'id' | 'name' | 'status'>[]
  bots: string[]
}

const Option: FC<{ value: string; current?: string; label: string }> = ({ value, current, label }) => (
  <option value={value} selected={current === value}>
    {label}
  </option>
)

/** The assignee filter's choices: nobody, people (inactive ones on request), and bots. */
export const AssigneeOptions: FC<{ filters: ListFilters; options: FilterOptions }> = ({ filters, options }) => {
  const showInactive = filters.inactive === '1'
  return (
    <>
      <Option value="" current={filters.assignee ?? ''} label={t('list.anyone')} />
      <Option value="none" current={filters.assignee} label={t('list.unassigned')} />
      {options.users
        .filter((user) => showInactive || user.status === 'active')
        .map((user) => (
          <Option
            value={user.id}
            current={filters.assignee}
            label={user.status === 'active' ? user.name : t('list.user_with_status', { name: user.name, status: t(`list.user_status.${user.status}`) })}
          />
        ))}
      {options.bots.map((bot) => (
        <Option value={`bot:${bot}`} current={filters.assignee} label={t('list.bot', { name: bot })} />
      ))}
    </>
  )
}

/**
 * The search box and the filter panel. One GET form: submitting it puts every filter in the URL
 * (hx-push-url), so the URL alone reproduces the list.
 */
export const SearchAndFilters: FC<{
  inboxId: string
  view: ViewDefinition
  filters: ListFilters
  /** null: not loaded yet (fetched when the filter panel opens). */
  options: FilterOptions | null
  error?: string
}> = ({ inboxId, view, filters, options, error }) => {
  const action = `/inbox/${inboxId}/${view.id}`
  const searching = isSearch(filters)
  const fresh = !searching
  const showInactive = filters.inactive === '1'
  const open = hasFilters(filters) && !(searching && Object.keys(filters).every((key) => ['q', 'hideTrash', 'hideFiltered', 'sort'].includes(key)))
  return (
    <search>
      <form id="search" class="search" action={action} method="get" hx-get={action} hx-target="#list" hx-push-url="true">
        <div class="search-row">
          <input
            type="search"
            name="q"
            value={filters.q ?? ''}
            maxlength={maxSearchLength}
            placeholder={t('list.search.placeholder')}
            aria-label={t('list.search.label')}
            autocomplete="off"
          />
          {searching && (
            <a class="exit-search" href={action} hx-get={action} hx-target="#list" hx-push-url="true">
              {t('list.search.exit')}
            </a>
          )}
        </div>
        <details class="filters" open={open || Boolean(error)}>
          <summary>{hasFilters(filters) && !searching ? t('list.filters.on') : t('list.filters')}</summary>
          <div class="filter-grid">
            <label>
              {t('list.filter.status')}
              <select name="status">
                <Option value="" current={filters.status ?? ''} label={t('list.filter.any')} />
                <Option value="open" current={filters.status} label={t('list.filter.open')} />
                <Option value="closed" current={filters.status} label={t('list.filter.closed')} />
              </select>
            </label>
            <label>
              {t('list.filter.channel')}
              <select name="channel">
                <Option value="" current={filters.channel ?? ''} label={t('list.filter.any')} />
                {channelPlugins.map((plugin) => (
                  <Option value={plugin.id} current={filters.channel} label={channelName(plugin)} />
                ))}
              </select>
            </label>
            <label>
              {t('list.filter.contact')}
              <input name="contact" value={filters.contact ?? ''} placeholder={t('list.filter.contact_placeholder')} maxlength={254} />
            </label>
            <label for="filter-assignee">
              {t('list.filter.assignee')}
              {options ? (
                <select id="filter-assignee" name="assignee">
                  <AssigneeOptions filters={filters} options={options} />
                </select>
              ) : (
                // The people and bots are fetched when the panel first opens: most lists never need them.
                <select
                  id="filter-assignee"
                  name="assignee"
                  hx-get={`/inbox/${inboxId}/${view.id}/assignee-options`}
                  // Not a navigation: the form's hx-push-url must not put this fragment's URL in the address bar.
                  hx-push-url="false"
                  hx-trigger="toggle once from:closest details"
                  hx-target="this"
                  hx-swap="innerHTML"
                  hx-include="closest form"
                >
                  <AssigneeOptions filters={filters} options={{ users: [], bots: [] }} />
                </select>
              )}
            </label>
            <label class="check">
              <input type="checkbox" name="inactive" value="1" checked={showInactive} /> {t('list.filter.inactive')}
            </label>
            <label>
              {t('list.filter.from')}
              <input type="date" name="from" value={filters.from ?? ''} />
            </label>
            <label>
              {t('list.filter.to')}
              <input type="date" name="to" value={filters.to ?? ''} />
            </label>
            <label>
              {t('list.filter.sort')}
              <select name="sort">
                {/* The empty choice is the default: best match for a search, newest for a view. */}
                <Option value="" current={filters.sort ?? ''} label={searching ? t('list.sort.best') : t('list.sort.newest')} />
                {searching && <Option value="newest" current={filters.sort} label={t('list.sort.newest')} />}
                <Option value="oldest" current={filters.sort} label={t('list.sort.oldest')} />
              </select>
            </label>
            <label class="check">
              <input type="checkbox" name="hideFiltered" value="1" checked={fresh || filters.hideFiltered === '1'} /> {t('list.filter.hide_filtered')}
            </label>
            <label class="check">
              <input type="checkbox" name="hideTrash" value="1" checked={fresh || filters.hideTrash === '1'} /> {t('list.filter.hide_trash')}
            </label>
          </div>
          <div class="filter-actions">
            <button type="submit" class="button primary small">
              {t('list.filter.apply')}
            </button>
            <a class="button small" href={action} hx-get={action} hx-target="#list" hx-push-url="true">
              {t('list.filter.clear')}
            </a>
            <SaveViewControl filters={filters} />
          </div>
        </details>
        {error && (
          <p class="form-error small" role="alert">
            {error}
          </p>
        )}
      </form>
    </search>
  )
}

/** Saves the current filters as a named view, for oneself or the team. */
export const SaveViewControl: FC<{ filters: ListFilters }> = ({ filters }) =>
  hasFilters(filters) ? (
    <details class="save-view">
      <summary class="button small">{t('list.save_view.open')}</summary>
      <div class="popover stack">
        <input name="viewName" form="save-view-form" placeholder={t('list.save_view.name')} maxlength={60} required />
        <label class="check">
          <input type="checkbox" name="shared" value="1" form="save-view-form" /> {t('list.save_view.share')}
        </label>
        <button type="submit" class="button primary small" form="save-view-form">
          {t('list.save_view.submit')}
        </button>
      </div>
    </details>
  ) : null

/** The form the "Save as view" fields belong to; it sits outside the search form (forms cannot nest). */
export const SaveViewForm: FC<{ inboxId: string; viewId: string; filters: ListFilters }> = ({ inboxId, viewId, filters }) => (
  <form
    id="save-view-form"
    hx-post={`/inbox/${inboxId}/views${filtersToQuery(filters)}`}
    hx-vals={JSON.stringify({ baseView: viewId })}
    hx-target="#views"
    hx-swap="outerHTML"
  ></form>
)

/** Appears when rows are ticked: one request acts on all of them. */
export const BulkBar: FC<{ inboxId: string; viewId: string; filterQuery: string; trashView: boolean }> = ({ inboxId, viewId, filterQuery, trashView }) => (
  <form id="bulk" class="bulk-bar" hidden hx-post={`/inbox/${inboxId}/${viewId}/bulk${filterQuery}`} hx-target="#list">
    <span class="bulk-count" aria-live="polite">
      {t('list.bulk.selected', { count: 0 })}
    </span>
    {trashView ? (
      <button type="submit" name="action" value="restore" class="button small">
        {t('list.bulk.restore')}
      </button>
    ) : (
      <>
        <button type="submit" name="action" value="close" class="button small">
          {t('list.bulk.close')}
        </button>
        <button type="submit" name="action" value="trash" class="button small danger">
          {t('list.bulk.trash')}
        </button>
      </>
    )}
    <button type="button" class="link-button small" data-bulk-clear>
      {t('list.bulk.clear')}
    </button>
  </form>
)
