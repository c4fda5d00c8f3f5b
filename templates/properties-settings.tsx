import type { FC } from 'hono/jsx'
import type { SessionUser } from '../src/auth/session'
import { propertyObjects } from '../src/db/schema'
import { t } from '../src/i18n'
import { customPropertyTypes, type CardSetting, type PropertyDef, type PropertyDefinition } from '../src/services/properties'
import { Layout } from './layout'
import { SettingsNav } from './settings-nav'
import { propertyLabel } from './cards'

export const PropertyDefinitions: FC<{ definitions: PropertyDefinition[]; error?: string; values?: Record<string, string>; oob?: boolean }> = ({
  definitions,
  error,
  values,
  oob,
}) => (
  <section class="card" id="property-definitions" hx-swap-oob={oob ? 'true' : undefined}>
    <h2>{t('propsettings.custom')}</h2>
    {definitions.length === 0 ? (
      <p class="muted small">{t('propsettings.none')}</p>
    ) : (
      <table class="table">
        <thead>
          <tr>
            <th>{t('propsettings.object')}</th>
            <th>{t('propsettings.label')}</th>
            <th>{t('propsettings.name')}</th>
            <th>{t('propsettings.type')}</th>
            <th>
              <span class="visually-hidden">{t('common.actions')}</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {definitions.map((definition) => (
            <tr id={`property-${definition.id}`}>
              <td>{t(`propsettings.object.${definition.object}`)}</td>
              <td>{definition.label}</td>
              <td>
                <code>{definition.name}</code>
              </td>
              <td>
                {t(`propsettings.type.${definition.type}`)}
                {definition.type === 'select' && <div class="muted small">{definition.options.join(', ')}</div>}
              </td>
              <td class="actions">
                <button
                  type="button"
                  class="button small danger"
                  hx-post={`/settings/properties/${definition.id}/delete`}
                  hx-target="#property-definitions"
                  hx-swap="outerHTML"
                  hx-confirm={t('propsettings.delete_confirm', { label: definition.label })}
                >
                  {t('common.delete')}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    )}
    <form class="stack" hx-post="/settings/properties" hx-target="#property-definitions" hx-swap="outerHTML">
      <h3>{t('propsettings.add')}</h3>
      {error && (
        <p class="form-error" role="alert">
          {error}
        </p>
      )}
      <div class="form-grid">
        <label>
          {t('propsettings.object')}
          <select name="object">
            {propertyObjects.map((object) => (
              <option value={object} selected={values?.object === object}>
                {t(`propsettings.object.${object}`)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('propsettings.label')}
          <input name="label" required maxlength={60} value={values?.label ?? ''} />
        </label>
        <label>
          {t('propsettings.name')}
          <input name="name" required maxlength={40} pattern="[a-z][a-z0-9_]*" placeholder="plan_tier" value={values?.name ?? ''} />
        </label>
        <label>
          {t('propsettings.type')}
          <select name="type">
            {customPropertyTypes.map((type) => (
              <option value={type} selected={values?.type === type}>
                {t(`propsettings.type.${type}`)}
              </option>
            ))}
          </select>
        </label>
      </div>
      <label>
        {t('propsettings.options')}
        <textarea name="options" rows={3} maxlength={4000}>
          {values?.options ?? ''}
        </textarea>
        <span class="muted small">{t('propsettings.options_hint')}</span>
      </label>
      <button type="submit" class="button primary">
        {t('propsettings.add_button')}
      </button>
    </form>
  </section>
)

/** Which properties one card shows, in which order: tick to show, number to order (1 first). */
export const CardConfig: FC<{ card: CardSetting; available: PropertyDef[]; chosen: string[]; error?: string; saved?: boolean; oob?: boolean }> = ({
  card,
  available,
  chosen,
  error,
  saved,
  oob,
}) => {
  const position = (name: string) => {
    const index = chosen.indexOf(name)
    return index >= 0 ? index + 1 : ''
  }
  const ordered = [...available].sort((a, b) => {
    const pa = chosen.indexOf(a.name)
    const pb = chosen.indexOf(b.name)
    return (pa < 0 ? 1e6 : pa) - (pb < 0 ? 1e6 : pb)
  })
  return (
    <section class="card" id={`card-config-${card}`} hx-swap-oob={oob ? 'true' : undefined}>
      <h2>{t(`propsettings.card.${card}`)}</h2>
      <p class="muted small">{t('propsettings.card_hint')}</p>
      <form class="stack" hx-post={`/settings/properties/cards/${card}`} hx-target={`#card-config-${card}`} hx-swap="outerHTML">
        {error && (
          <p class="form-error" role="alert">
            {error}
          </p>
        )}
        {saved && (
          <p class="form-success" role="status">
            {t('common.saved')}
          </p>
        )}
        <table class="table card-config-table">
          <thead>
            <tr>
              <th>{t('propsettings.show')}</th>
              <th>{t('propsettings.position')}</th>
              <th>{t('propsettings.label')}</th>
            </tr>
          </thead>
          <tbody>
            {ordered.map((def) => (
              <tr>
                <td>
                  <input
                    type="checkbox"
                    name="show"
                    value={def.name}
                    checked={chosen.includes(def.name)}
                    aria-label={t('propsettings.show_label', { label: propertyLabel(def) })}
                  />
                </td>
                <td>
                  <input
                    type="number"
                    name={`order_${def.name}`}
                    min={1}
                    max={99}
                    class="order-input"
                    value={String(position(def.name))}
                    aria-label={t('propsettings.position_label', { label: propertyLabel(def) })}
                  />
                </td>
                <td>
                  {propertyLabel(def)} {!def.builtIn && <span class="chip chip-muted">{t('propsettings.custom_chip')}</span>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <button type="submit" class="button primary">
          {t('common.save')}
        </button>
      </form>
    </section>
  )
}

export interface CardConfigData {
  card: CardSetting
  available: PropertyDef[]
  chosen: string[]
}

export const PropertiesSettingsPage: FC<{ appName: string; actor: SessionUser; definitions: PropertyDefinition[]; cards: CardConfigData[] }> = ({
  appName,
  actor,
  definitions,
  cards,
}) => (
  <Layout title={`${t('settings.nav.properties')} · ${appName}`} bodyClass="settings-page">
    <main class="settings">
      <a href="/" class="back-link">
        {t('common.back_to_inbox')}
      </a>
      <SettingsNav role={actor.role} current="/settings/properties" />
      <h1>{t('settings.nav.properties')}</h1>
      <PropertyDefinitions definitions={definitions} />
      {cards.map((card) => (
        <CardConfig card={card.card} available={card.available} chosen={card.chosen} />
      ))}
    </main>
  </Layout>
)
