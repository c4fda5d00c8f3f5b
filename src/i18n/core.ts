import { defineCatalog } from './define'

/** Text shared by every page: the layout, generic buttons and errors. */
export default defineCatalog({
  en: {
    'common.save': 'Save',
    'common.cancel': 'Cancel',
    'common.delete': 'Delete',
    'common.close': 'Close',
    'common.edit': 'Edit',
    'common.saved': 'Saved.',
    'common.none': 'None',
    'common.back_to_inbox': '← Back to the inbox',
    'error.not_found': 'Not found.',
    'error.generic': 'Something went wrong. Try again in a moment.',
    'error.not_allowed': 'Not allowed',
    'error.title': 'Something went wrong',
    'settings.nav.label': 'Settings',
    'settings.nav.users': 'Users and roles',
  },
  nb: {
    'common.save': 'Lagre',
    'common.cancel': 'Avbryt',
    'common.delete': 'Slett',
    'common.close': 'Lukk',
    'common.edit': 'Rediger',
    'common.saved': 'Lagret.',
    'common.none': 'Ingen',
    'common.back_to_inbox': '← Tilbake til innboksen',
    'error.not_found': 'Ikke funnet.',
    'error.generic': 'Noe gikk galt. Prøv igjen om litt.',
    'error.not_allowed': 'Ikke tillatt',
    'error.title': 'Noe gikk galt',
    'settings.nav.label': 'Innstillinger',
    'settings.nav.users': 'Brukere og roller',
  },
})
