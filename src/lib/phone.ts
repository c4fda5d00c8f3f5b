import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/min'

/**
 * A phone number in E.164 (+4791234567), so the same number matches however a channel wrote it
 * ("+47 912 34 567", "0047 91234567", "(+47) 91 23 45 67"). Null when it is not a possible
 * number; a number without a country prefix needs `defaultCountry`. The "min" metadata keeps the
 * Worker small and is enough to normalise (it checks lengths, not every number range).
 */
export function normalizePhone(raw: string | null | undefined, defaultCountry?: string): string | null {
  if (!raw) return null
  const trimmed = raw.trim().slice(0, 64).replace(/^00/, '+')
  if (!/\d/.test(trimmed)) return null
  try {
    const parsed = parsePhoneNumberFromString(trimmed, defaultCountry ? { defaultCountry: defaultCountry.toUpperCase() as CountryCode } : undefined)
    return parsed?.isPossible() ? parsed.number : null
  } catch {
    return null
  }
}
