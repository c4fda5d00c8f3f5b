/**
 * A problem with what the user asked for (a duplicate address, a forbidden change). Services
 * throw it; routes show its message next to the form. Anything else is a bug and shows nothing.
 */
export class InputError extends Error {
  override name = 'InputError'
}

/** An InputError about one form field: forms show it next to that field. */
export class FieldError extends InputError {
  override name = 'FieldError'
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message)
  }
}
