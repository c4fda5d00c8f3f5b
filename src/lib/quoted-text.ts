/**
 * The line a mail client puts above forwarded content: Gmail's `---------- Forwarded message
 * ---------` (and its translations), Thunderbird's `-------- Forwarded Message --------`, Apple
 * Mail's `Begin forwarded message:`. What follows is the message being passed on, not history.
 */
export const forwardMarker =
  /^\s*(?:-{3,}\s*(?:forwarded message|weitergeleitete nachricht|videresendt melding|videresendt meddelelse|vidarebefordrat meddelande|message transféré|mensaje reenviado|doorgestuurd bericht|messaggio inoltrato|välitetty viesti)\s*-{3,}|(?:begin forwarded message|anfang der weitergeleiteten nachricht|début du message réexpédié|videresendt melding start)\s*:)/i

// Forward prefixes only (a reply's "Re:", "AW:", "SV:" are not; "VS:" is a reply in Finnish and a
// forward in Danish, so it does not count).
const forwardSubject = /^\s*(?:fwd?|wg|vb|vl|tr|rv|enc|doorst|pd|i)\s*:/i

/** Whether a subject says the message forwards another ("Fwd: …", "WG: …", "TR: …"). */
export function isForwardSubject(subject: string | null | undefined): boolean {
  return forwardSubject.test(subject ?? '')
}

/**
 * Where the quoted history of a plain-text reply begins: the attribution line ("On … wrote:",
 * "Am … schrieb …:", "Den … skrev …:", "Le … a écrit :"), an Outlook header block or separator,
 * or a run of `>` lines that lasts to the end. Returns the character offset, or null when the
 * whole text is new. Only cuts after some new text, so a message is never shown empty.
 *
 * Forwarded content is not history: nothing folds from a forward marker on, and for a message whose
 * subject says it is a forward (`forwarded`), neither does an Outlook header block or separator,
 * which Outlook writes the same above a forward as above a reply.
 */
export function quotedHistoryStart(text: string, options: { forwarded?: boolean } = {}): number | null {
  const lines = text.split('\n')
  let offset = 0
  const offsets = lines.map((line) => {
    const start = offset
    offset += line.length + 1
    return start
  })
  // German, Norwegian and Dutch put the author after the verb ("Am … schrieb Ola <o@x>:").
  const attribution =
    /^\s*(on\b.{0,200}\bwrote|am\b.{0,200}\bschrieb\b.{0,200}|den\b.{0,200}\bskrev\b.{0,200}|le\b.{0,200}\ba écrit|op\b.{0,200}\bschreef\b.{0,200}|el\b.{0,200}\bescribió)\s*:\s*$/i
  const separator = /^\s*(-{2,}\s*(original message|ursprüngliche nachricht|opprinnelig melding|originalmeddelande)\s*-{2,}|_{20,})\s*$/i
  const outlookHeader = /^\s*(from|von|fra|från|de)\s*:\s*\S/i
  const outlookNext = /^\s*(sent|gesendet|sendt|skickat|envoyé|date|datum|to|an|til|till|à|subject|betreff|emne|ämne|objet)\s*:/i

  // quotedToEnd[i]: every line from i on is blank or quoted.
  const quotedToEnd = new Array<boolean>(lines.length + 1).fill(true)
  for (let index = lines.length - 1; index >= 0; index--) {
    const trimmed = lines[index]!.trim()
    quotedToEnd[index] = quotedToEnd[index + 1]! && (!trimmed || trimmed.startsWith('>'))
  }
  let hasTextBefore = false
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index]!.replace(/\r$/, '')
    if (forwardMarker.test(line)) return null
    const isNewText = Boolean(line.trim()) && !line.trim().startsWith('>')
    if (!hasTextBefore) {
      hasTextBefore = isNewText
      continue
    }
    // Attributions are sometimes wrapped over two lines ("On Mon, … Ola Nordmann <\nola@…> wrote:").
    const joined = `${line} ${lines[index + 1]?.replace(/\r$/, '') ?? ''}`
    const wrappedAttribution = Boolean(line.trim()) && !attribution.test(line) && attribution.test(joined) && lines[index + 2]?.trim().startsWith('>')
    if (attribution.test(line) || wrappedAttribution) return offsets[index]!
    const outlookBlock = separator.test(line) || (outlookHeader.test(line) && outlookNext.test(lines[index + 1] ?? ''))
    if (outlookBlock) return options.forwarded ? null : offsets[index]!
    if (line.trim().startsWith('>') && quotedToEnd[index]) {
      return offsets[index]!
    }
  }
  return null
}
