import { describe, expect, it } from 'vitest'
import {
  conversationIdFromMessageId,
  conversationIdFromReplyAddress,
  messageIdList,
  ourMessageId,
  replyAddress,
  subjectKey,
} from '../../plugins/email/threading'
import { automatedKind, headerLookup, isAutomated, isRoleAddress } from '../../plugins/email/signals'

describe('email threading helpers', () => {
  it('strips reply and forward prefixes and tags, repeated and nested, in several languages', () => {
    const same = [
      'Order 1234',
      'Re: Order 1234',
      'RE: re: Order 1234',
      'Fwd: Order 1234',
      'FW: Order 1234',
      'AW: WG: Order 1234',
      'SV: VS: Order 1234',
      'Antw: Order 1234',
      'Re[2]: Order 1234',
      '[Ticket#42] Re: [EXTERNAL] Order  1234',
      'Ref: Order 1234',
      'Order 1234 (fwd)',
    ]
    expect(new Set(same.map(subjectKey))).toEqual(new Set(['order 1234']))
    expect(subjectKey('Re: ')).toBe('')
    expect(subjectKey(undefined)).toBe('')
    expect(subjectKey('Reply needed')).toBe('reply needed')
  })

  it('reads every id of References and In-Reply-To, however they are separated', () => {
    expect(messageIdList('<a@x> <b@y>,<c@z>')).toEqual(['a@x', 'b@y', 'c@z'])
    expect(messageIdList(['<a@x>', '<a@x>'])).toEqual(['a@x'])
    expect(messageIdList('a@x b@y')).toEqual(['a@x', 'b@y'])
    expect(messageIdList('garbage without ids')).toEqual([])
  })

  it('recognises our own Message-IDs and reply addresses, and nobody else’s', () => {
    const conversationId = 'abcdefghijklmnop'
    expect(conversationIdFromMessageId(`<${ourMessageId(conversationId, 'mail.example.com')}>`)).toBe(conversationId)
    expect(conversationIdFromMessageId('sb.short.x@example.com')).toBeNull()
    expect(conversationIdFromMessageId('CAHx9=abc@mail.gmail.com')).toBeNull()
    expect(conversationIdFromReplyAddress(replyAddress(conversationId, 'example.com'))).toBe(conversationId)
    expect(conversationIdFromReplyAddress('reply+../../etc@example.com')).toBeNull()
    expect(conversationIdFromReplyAddress('support+abcdefghijklmnop@example.com')).toBeNull()
  })
})

describe('email signals', () => {
  const headers = (...lines: string[]) => headerLookup(lines.map((line) => ({ key: line.split(':')[0]!.toLowerCase(), line })))

  it('detects auto-replies by their headers', () => {
    expect(isAutomated(headers('Auto-Submitted: auto-replied'), false)).toBe(true)
    expect(isAutomated(headers('Auto-Submitted: auto-generated; type=vacation'), false)).toBe(true)
    expect(isAutomated(headers('Auto-Submitted: no'), false)).toBe(false)
    expect(isAutomated(headers('Precedence: bulk'), false)).toBe(true)
    expect(isAutomated(headers('Precedence: junk'), false)).toBe(true)
    expect(isAutomated(headers('Precedence: list'), false)).toBe(true)
    expect(isAutomated(headers('X-Autoreply: yes'), false)).toBe(true)
    expect(isAutomated(headers('X-Autorespond: yes'), false)).toBe(true)
    expect(isAutomated(headers('X-Auto-Response-Suppress: All'), false)).toBe(true)
    expect(isAutomated(headers('List-Id: <a.b>'), false)).toBe(false)
    expect(isAutomated(headers('List-Id: <a.b>'), true)).toBe(true)
    expect(isAutomated(headers('Subject: hello'), true)).toBe(false)
  })

  it('tells an auto-reply (RFC 3834 auto-replied, X-Autoreply, Precedence: auto_reply, Exchange on a reply to us) from other automatic mail', () => {
    expect(automatedKind(headers('Auto-Submitted: auto-replied', 'Precedence: bulk'), false)).toBe('auto_reply')
    expect(automatedKind(headers('Auto-Submitted: Auto-Replied; owner-email="per@example.no"'), false)).toBe('auto_reply')
    expect(automatedKind(headers('Precedence: auto_reply'), false)).toBe('auto_reply')
    expect(automatedKind(headers('X-Autoreply: yes'), false)).toBe('auto_reply')
    expect(automatedKind(headers('X-Autorespond: Out of office'), false)).toBe('auto_reply')
    expect(automatedKind(headers('X-Auto-Response-Suppress: All'), true)).toBe('auto_reply')
    expect(automatedKind(headers('X-Auto-Response-Suppress: All'), false)).toBe('automated')
    expect(automatedKind(headers('Auto-Submitted: auto-generated'), false)).toBe('automated')
    expect(automatedKind(headers('Precedence: bulk'), false)).toBe('automated')
    expect(automatedKind(headers('List-Id: <a.b>'), true)).toBe('automated')
    expect(automatedKind(headers('Auto-Submitted: no'), true)).toBeNull()
  })

  it('knows role mailboxes from people', () => {
    for (const address of [
      'info@x.no',
      'NoReply@x.no',
      'no-reply@x.no',
      'mailer-daemon@x.no',
      'postmaster@x.no',
      'abuse@x.no',
      'marketing+eu@x.no',
      'sales@x.no',
    ]) {
      expect(isRoleAddress(address), address).toBe(true)
    }
    for (const address of ['ola@x.no', 'support@x.no', 'security@x.no', 'information.desk@x.no']) {
      expect(isRoleAddress(address), address).toBe(false)
    }
  })
})
