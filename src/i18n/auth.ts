import { defineCatalog } from './define'

/** Logging in and out, and the session guard's messages. */
export default defineCatalog({
  en: {
    'login.title': 'Log in · {app}',
    'login.heading': 'Log in to your inbox',
    'login.email': 'Email',
    'login.password': 'Password',
    'login.submit': 'Log in',
    'login.demo_hint': 'Demo workspace: {email} / {password}',
    'login.error.missing': 'Enter your email address and password.',
    'login.error.throttled.one': 'Too many failed attempts. Try again in {count} minute.',
    'login.error.throttled.other': 'Too many failed attempts. Try again in {count} minutes.',
    'login.error.inactive': 'This account has been deactivated. Ask an admin to restore it.',
    'login.error.wrong': 'Wrong email address or password.',
    'login.choose': 'This address has an account in several workspaces. Choose one and enter your password again.',
    'login.workspace': 'Workspace',
    'auth.log_in_first': 'Log in first.',
    'auth.no_access': 'You do not have access to this page.',
  },
  nb: {
    'login.title': 'Logg inn · {app}',
    'login.heading': 'Logg inn i innboksen din',
    'login.email': 'E-post',
    'login.password': 'Passord',
    'login.submit': 'Logg inn',
    'login.demo_hint': 'Demoarbeidsområde: {email} / {password}',
    'login.error.missing': 'Skriv inn e-postadressen og passordet ditt.',
    'login.error.throttled.one': 'For mange mislykkede forsøk. Prøv igjen om {count} minutt.',
    'login.error.throttled.other': 'For mange mislykkede forsøk. Prøv igjen om {count} minutter.',
    'login.error.inactive': 'Denne kontoen er deaktivert. Be en administrator om å gjenopprette den.',
    'login.error.wrong': 'Feil e-postadresse eller passord.',
    'login.choose': 'Denne adressen har en konto i flere arbeidsområder. Velg ett og skriv inn passordet igjen.',
    'login.workspace': 'Arbeidsområde',
    'auth.log_in_first': 'Logg inn først.',
    'auth.no_access': 'Du har ikke tilgang til denne siden.',
  },
})
