// A deliberately plain address shape: an ASCII local part without quotes or spaces and a
// dotted domain. Anything stranger is refused rather than escaped (it ends up in mail headers).
const addressPattern =
  /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/

/** Whether an address is one we accept for people (users, invitations) and for mail headers alike. */
export function isValidAddress(address: string): boolean {
  return address.length <= 254 && addressPattern.test(address) && !address.startsWith('.') && !address.includes('..')
}
