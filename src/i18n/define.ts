export type Messages = Record<string, string>
export interface Catalog {
  en: Messages
  nb: Messages
}
/** Keeps both languages' keys in step at compile time: nb must have every en key. */
export function defineCatalog<const E extends Messages>(catalog: { en: E; nb: { [K in keyof E]: string } }): Catalog {
  return catalog
}
