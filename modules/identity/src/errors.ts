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
} as const;

export type IdentityErrorCode = keyof typeof identityErrorCodes;

export const weakPassword = (detail: string): AppError =>
  new AppError('weak_password', 422, detail, {
    extensions: { errors: [{ path: '/password', message: detail }] },
  });
