import { describe, expect, it } from 'vitest'
import { allMessages, localeFromAcceptLanguage, t, withLocale } from '../../src/i18n'

describe('i18n', () => {
  it('has a Norwegian text for every English key, and no stray ones', () => {
    const { en, nb } = allMessages()
    expect(Object.keys(nb).filter((key) => !(key in en))).toEqual([])
    expect(Object.keys(en).filter((key) => !(key in nb))).toEqual([])
    // Placeholders must match, or a translation would drop a name or a number.
    const names = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort()
    const mismatched = Object.keys(en).filter((key) => names(en[key]!).join() !== names(nb[key]!).join())
    expect(mismatched).toEqual([])
  })

  it('picks the locale from Accept-Language, Norwegian variants included', () => {
    expect(localeFromAcceptLanguage('nb-NO,nb;q=0.9,en;q=0.8')).toBe('nb')
    expect(localeFromAcceptLanguage('no')).toBe('nb')
    expect(localeFromAcceptLanguage('nn-NO')).toBe('nb')
    expect(localeFromAcceptLanguage('de-DE,en;q=0.5,nb;q=0.9')).toBe('nb')
    expect(localeFromAcceptLanguage('fr')).toBe('en')
    expect(localeFromAcceptLanguage(undefined)).toBe('en')
    expect(localeFromAcceptLanguage('en;q=abc,nb;q=0')).toBe('en')
  })

  it('translates in the current locale and falls back to the key', () => {
    expect(withLocale('nb', () => t('common.save'))).toBe('Lagre')
    expect(withLocale('en', () => t('common.save'))).toBe('Save')
    expect(t('common.save')).toBe('Save')
    expect(withLocale('xx', () => t('common.save'))).toBe('Save')
    expect(t('no.such.key')).toBe('no.such.key')
    expect(t('x {a} {b}', { a: 1 })).toBe('x 1 {b}')
  })
})
