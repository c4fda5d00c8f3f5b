/**
 * A problem with what the user asked for (a duplicate address, a forbidden change). Services
 * throw it; routes show its message next to the form. Anything else is a bug and shows nothing.
 */
export class InputError extends Error {
  override name = 'InputError'
}
