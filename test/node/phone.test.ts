import { describe, expect, it } from 'vitest'
import { normalizePhone } from '../../src/lib/phone'

describe('phone numbers as contacts are matched on', () => {
  it('writes one number the same however a channel wrote it', () => {
    for (const written of ['+47 912 34 567', '+4791234567', '0047 912 34 567', '(+47) 91 23 45 67', ' +47-912-34-567 ']) {
      expect(normalizePhone(written), written).toBe('+4791234567')
    }
  })

  it('reads a national number only with the channel’s country, and gives up on what is not a number', () => {
    expect(normalizePhone('912 34 567', 'NO')).toBe('+4791234567')
    expect(normalizePhone('912 34 567')).toBeNull()
    expect(normalizePhone('call me')).toBeNull()
    expect(normalizePhone('+47 12')).toBeNull()
    expect(normalizePhone('')).toBeNull()
    expect(normalizePhone('9'.repeat(5000))).toBeNull()
  })
})
