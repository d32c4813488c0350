import { AppError } from '@emporium/platform';

/**
 * Every error code the identity module answers with besides the platform's own
 * (`validation_failed`, `unauthorized`, `forbidden`, `not_found`, `rate_limited`). Sign-in pages
 * answer in HTML, not with codes. docs/errors.md documents each.
 */
export const identityErrorCodes = {
  customer_exists: 'An account with this email already exists; sign in or reset the password.',
  weak_password:
    'The password is too short (8 characters for customers, 12 for staff), too long, or one of the 10,000 most common passwords.',
  invalid_token: 'The verification or reset link is unknown, used or expired; ask for a new one.',
  staff_exists: 'A staff user with this email already exists.',
  unknown_role: 'A role is not one of owner, admin, catalog_manager, order_manager, support.',
  reauthentication_required:
    'Adding or removing a passkey, or changing the email, needs a sign-in (password and second factor) within the last 5 minutes.',
  passkey_rejected:
    'The passkey answer could not be verified: its request expired or was used, it was made for another site, or it is malformed.',
  too_many_passkeys: 'A staff member can register at most 10 passkeys; remove one first.',
} as const;

export type IdentityErrorCode = keyof typeof identityErrorCodes;

export const weakPassword = (detail: string): AppError =>
  new AppError('weak_password', 422, detail, {
    extensions: { errors: [{ path: '/password', message: detail }] },
  });

/** 403: the token's sign-in (`auth_time`) is older than the re-authentication window. */
export const reauthenticationRequired = (): AppError =>
  new AppError(
    'reauthentication_required',
    403,
    'For your security, sign in again with your password and second factor, then retry within 5 minutes.',
  );

export const passkeyRejected = (detail: string): AppError => new AppError('passkey_rejected', 422, detail);
