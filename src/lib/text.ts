/** Collapses whitespace and cuts a text to a preview of at most `maxLength` characters. */
export function toPreview(text: string, maxLength = 140): string {
  // A long message (a 20 KB email) needs only its beginning flattened: a prefix that still holds
  // more than maxLength characters once its whitespace is collapsed gives the same preview.
  const prefix = text.length > maxLength * 8 ? text.slice(0, maxLength * 8) : text
  const flatPrefix = prefix.replace(/\s+/g, ' ').trim()
  const flat = prefix === text || flatPrefix.length > maxLength ? flatPrefix : text.replace(/\s+/g, ' ').trim()
  return flat.length > maxLength ? `${flat.slice(0, maxLength - 1).trimEnd()}…` : flat
}

/** The initials shown in an avatar: "Ada Lovelace" → "AL"; an address → its first letter. */
export function initials(name: string | null | undefined): string {
  const words = (name ?? '')
    .trim()
    .split(/[\s@._-]+/)
    .filter(Boolean)
  const letters = words.length > 1 ? [words[0]![0], words[words.length - 1]![0]] : [words[0]?.[0]]
  return letters.join('').toUpperCase() || '?'
}

export function normalizeEmail(address: string): string {
  return address.trim().toLowerCase()
}
