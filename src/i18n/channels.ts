import { defineCatalog } from './define'

/**
 * What the settings form for any channel says itself. A plugin's own texts (its name, its fields'
 * labels and help, its setup steps) live in the plugin (`texts`), never here.
 */
export default defineCatalog({
  en: {
    'field.one_per_line': 'One per line',
  },
  nb: {
    'field.one_per_line': 'Én per linje',
  },
})
