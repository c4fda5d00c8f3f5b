import { readdirSync, readFileSync, existsSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { parse as parseYaml } from 'yaml'
import { describe, expect, it } from 'vitest'
import { parseEmail } from '../../plugins/email/parse'

/**
 * Every raw mail of the team's shared corpus (Zammad's mail test data, see its README) goes through
 * the email plugin's parser; where Zammad's expected result names from/subject/body, ours agrees, or
 * the file is listed below with the reason it may not.
 *
 * The corpus is not part of the repository (it sits beside the clone on the team's machines and in
 * CI), so this runs as `npm run test:corpus`, not in `npm test`. SWITCHBOARD_EMAIL_CORPUS points it
 * elsewhere. A missing corpus fails the run instead of passing with nothing checked.
 */
const corpusRoot = process.env.SWITCHBOARD_EMAIL_CORPUS ?? join(import.meta.dirname, '..', '..', '..', 'shared', 'corpus', 'email')
const corpusDir = join(corpusRoot, 'zammad')
if (!existsSync(corpusDir)) {
  throw new Error(
    `The email corpus is not at ${corpusDir}. It lives in the team's shared folder beside the clone; set SWITCHBOARD_EMAIL_CORPUS to its corpus/email folder.`,
  )
}

interface Expected {
  from_email?: string | null
  subject?: string | null
  body?: string | null
  content_type?: string | null
}

/** Files whose expected values we knowingly do not reproduce, and why. */
const knownDisagreements: Record<string, string> = {
  'mail017.box': 'spam whose text/plain and text/html alternatives carry different news items; we keep the text part, Zammad the HTML',
  'mail019.box': 'GB2312-labelled HTML-only spam: Zammad keeps the HTML incl. markup text; about 70% of its characters match our text',
  'mail026.box': 'text and HTML alternatives differ; our text part is the invoice footer, Zammad shows the HTML line "Ihre Rechnung als PDF-Dokument"',
  'mail035.box': 'From is a quoted string that looks like an address; we take the address without the quotes',
  'mail043.box': 'text/plain alternative only says "HTML newsletter could be read here"; Zammad shows the HTML alternative',
  'mail046.box': 'Subject in raw 8-bit GB2312 without an encoded-word; we do not guess header charsets, Zammad does',
  'mail053.box': 'From is "MAILER-DAEMON (Mail Delivery System)" without an address; we use the envelope sender (the bounce is still recognised)',
  'mail060.box': "UTF-8 body labelled gb2312: Zammad's expected text is itself mojibake; ours decodes the text part as labelled",
  'mail068.box': 'Zammad joins two body parts (the form appears twice); we keep the first text part (83% overlap)',
  'mail071.box': 'local part with spaces ("power quadrant system@example.com"); we keep only the last word before @',
  'mail076.box': 'malformed From ("…"@example.com>) without a usable address; we use the envelope sender',
  'mail082.box': "the text part leaves out some quoted history that Zammad's HTML body has (89% overlap)",
  'mail085.box': 'text and HTML alternatives differ (the HTML carries a longer signature); we keep the text part',
  'mail087.box': 'From without angle brackets ("Test test@example.com"): we read test@example.com; Zammad finds no body where we read the fax notice text part',
  'mail093.box': 'Subject in raw Shift_JIS bytes without an encoded-word; we do not guess header charsets',
  'mail117.box': 'forged encoded-word inside the address: RFC 2047 §5 forbids decoding it there, so we keep it literally (Zammad strips the markers)',
}

function readExpected(file: string): Expected | null {
  const path = join(corpusDir, file.replace(/\.box$/, '.yml'))
  if (!existsSync(path)) return null
  // Ruby-tagged YAML: the tags carry no meaning for us, so they resolve as plain maps/strings.
  return parseYaml(readFileSync(path, 'utf8'), { logLevel: 'silent', uniqueKeys: false }) as Expected
}

function decodeEntities(text: string): string {
  return text
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#(\d+);/g, (_m, code: string) => String.fromCodePoint(Number(code)))
    .replace(/&amp;/g, '&')
}

/**
 * Letters and digits only, lower-cased: Zammad's HTML and our text put spaces and line breaks in
 * different places (spam in particular splits words across elements), so those do not count.
 */
function letters(text: string): string {
  return (text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).join('')
}

/** Share of the expected text's character trigrams (as a multiset) that ours contains. */
function coverage(expected: string, ours: string): number {
  const trigrams = (text: string) => Array.from({ length: Math.max(0, text.length - 2) }, (_, index) => text.slice(index, index + 3))
  const wanted = trigrams(expected)
  if (wanted.length === 0) return 1
  const counts = new Map<string, number>()
  for (const gram of trigrams(ours)) counts.set(gram, (counts.get(gram) ?? 0) + 1)
  let found = 0
  for (const gram of wanted) {
    const left = counts.get(gram) ?? 0
    if (left > 0) {
      found++
      counts.set(gram, left - 1)
    }
  }
  return found / wanted.length
}

const flat = (text: string) => text.replace(/\s+/g, ' ').trim()

async function compare(file: string): Promise<string[]> {
  const raw = new Uint8Array(readFileSync(join(corpusDir, file)))
  const message = await parseEmail(raw, { envelopeFrom: 'envelope@example.net', envelopeTo: 'support@example.com', rawKey: `corpus/${file}`, ownAddresses: [] })
  const expected = readExpected(file)
  if (!expected) return []
  const problems: string[] = []
  if (typeof expected.from_email === 'string' && expected.from_email && message.from.email !== expected.from_email.toLowerCase()) {
    problems.push(`from: expected ${expected.from_email}, got ${message.from.email}`)
  }
  if (typeof expected.subject === 'string' && flat(message.subject ?? '') !== flat(expected.subject)) {
    problems.push(`subject: expected ${JSON.stringify(expected.subject)}, got ${JSON.stringify(message.subject)}`)
  }
  // Zammad's placeholder for a message without a body.
  if (expected.body === 'no visible content') {
    if (message.text.trim()) problems.push(`body: expected none, got ${JSON.stringify(message.text.slice(0, 80))}`)
  } else if (typeof expected.body === 'string' && expected.body.trim()) {
    const looksLikeHtml = expected.content_type === 'text/html' || /<(?:b|br|div|p|span|img)\b[^>]*>/i.test(expected.body)
    const expectedText = looksLikeHtml ? decodeEntities(expected.body.replace(/<[^>]*>/g, ' ')) : expected.body
    const share = coverage(letters(expectedText), letters(message.text))
    if (share < 0.9) {
      problems.push(`body: only ${(share * 100).toFixed(0)}% of the expected words`)
      if (process.env.CORPUS_REPORT) problems.push(`expected ${flat(expectedText).slice(0, 300)} ||| ours ${flat(message.text).slice(0, 300)}`)
    }
  }
  return problems
}

function filesUnder(directory: string): string[] {
  if (!existsSync(directory)) return []
  return readdirSync(directory).flatMap((name) => {
    const path = join(directory, name)
    return statSync(path).isDirectory() ? filesUnder(path) : [path]
  })
}

describe('the Zammad mail corpus', () => {
  const files = readdirSync(corpusDir)
    .filter((name) => name.endsWith('.box'))
    .sort()

  it('has its files where the README says', () => {
    expect(files.length).toBeGreaterThan(100)
  })

  it('parses every message without an exception and agrees with the expected from, subject and body', async () => {
    const disagreements: Record<string, string[]> = {}
    for (const file of files) {
      const problems = await compare(file)
      if (problems.length > 0) disagreements[file] = problems
    }
    if (process.env.CORPUS_REPORT) console.log(JSON.stringify(disagreements, null, 2))
    expect(Object.keys(disagreements).sort()).toEqual(Object.keys(knownDisagreements).sort())
  }, 60_000)

  it('parses the raw mails from the sibling folders (no expectations there) without an exception', async () => {
    const siblings = filesUnder(join(corpusDir, 'siblings'))
    expect(siblings.length).toBeGreaterThan(0)
    for (const path of siblings) {
      const message = await parseEmail(new Uint8Array(readFileSync(path)), {
        envelopeFrom: 'e@example.net',
        envelopeTo: 's@example.com',
        rawKey: 'k',
        ownAddresses: [],
      })
      expect(message.notice, path).toBeUndefined()
    }
  })
})
