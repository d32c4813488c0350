import { AppError } from '@emporium/platform';

/**
 * Every error code the identity module answers with besides the platform's own
 * (`validation_failed`, `unauthorized`, `forbidden`, `not_found`). docs/errors.md documents each.
 */
export const identityErrorCodes = {
  customer_exists: 'An account with this email already exists; sign in or reset the password.',
  weak_password:
    'The password is too short (8 characters for customers, 12 for staff) or is one of the most common passwords.',
  invalid_credentials: 'The email and password do not match an account (the same answer for unknown emails).',
  account_locked: 'Too many failed sign-ins: the staff account is locked for 30 minutes.',
  invalid_token: 'The verification or reset link is unknown, used or expired; ask for a new one.',
  invalid_mfa_code: 'The authenticator code or recovery code is wrong or was already used.',
  reauthentication_required: 'Sign in again (password and second factor) before changing MFA or email.',
  staff_exists: 'A staff user with this email already exists.',
  unknown_role: 'The role is not one of owner, admin, catalog_manager, order_manager, support.',
  rate_limited:
    'Too many requests of this kind from this address or for this account; retry after `Retry-After` seconds.',
  audit_chain_broken: 'The audit log hash chain does not verify: a row was edited or deleted.',
} as const;

export type IdentityErrorCode = keyof typeof identityErrorCodes;

export const weakPassword = (detail: string): AppError =>
  new AppError('weak_password', 422, detail, {
    extensions: { errors: [{ path: '/password', message: detail }] },
  });
