/**
 * JSON for a response header (HX-Trigger): headers must be ASCII, so every other character is
 * written as a \u escape, which JSON.parse in the browser turns back into the same text.
 */
export function headerJson(value: unknown): string {
  return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`)
}
