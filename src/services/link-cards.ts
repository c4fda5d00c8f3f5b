import { escapeHtml } from '../lib/sanitize-html'
import { sanitizeRichText } from '../lib/rich-text'

/**
 * Link cards: how articles, documents, quotes and videos go into a reply. No embeds and no images
 * (the sanitiser allows neither): a small box with what it is, a title that links, and the host,
 * which reads the same in an email client, a chat widget and our thread.
 */

/** An absolute http(s) URL without credentials, or null (javascript:, data:, relative, junk). */
export function httpUrl(value: string): URL | null {
  const trimmed = value.trim()
  if (trimmed.length > 2000) return null
  try {
    const url = new URL(trimmed)
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return null
    if (url.hostname === '' || url.username || url.password) return null
    return url
  } catch {
    return null
  }
}

export function linkCardHtml(kindLabel: string, href: string, title: string): string {
  const host = httpUrl(href)?.host ?? ''
  return sanitizeRichText(
    `<div class="link-card"><div class="link-card-kind">${escapeHtml(kindLabel)}</div>` +
      `<a class="link-card-link" href="${escapeHtml(href)}"><div class="link-card-title">${escapeHtml(title)}</div></a>` +
      `<div class="link-card-url">${escapeHtml(host)}</div></div>`,
  )
}

export function linkHtml(href: string, text: string): string {
  return sanitizeRichText(`<a href="${escapeHtml(href)}">${escapeHtml(text)}</a>`)
}
