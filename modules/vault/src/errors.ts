import { AppError } from '@emporium/platform';
import type { TokenizeResult } from './contract/index.ts';

/**
 * Every error code the vault answers with besides the platform's own. The tokenization codes are
 * 422 answers of `POST /vault/tokens`; the others are outcomes `VaultService` returns to payments
 * (checkout answers them to shoppers). docs/errors.md documents each.
 */
export const vaultErrorCodes = {
  invalid_card: 'The card number is not valid (wrong length for its brand, or fails the Luhn check).',
  card_expired: 'The card has expired (422 at tokenization; 402 when the processor declines it).',
  invalid_cvc: 'The security code is not 3 digits (4 for American Express).',
  invalid_expiry: 'The expiry month is not 1–12, or the year is not a plausible two- or four-digit year.',
  token_not_found: 'No card token has this id, or the unsaved token has lapsed.',
  token_used: 'The single-use card token was already used for a payment.',
  card_declined: 'The card issuer declined the payment.',
  insufficient_funds: 'The card was declined for insufficient funds.',
  processor_error: 'The card processor failed transiently; retry with the same idempotency key.',
} as const;

export type VaultErrorCode = keyof typeof vaultErrorCodes;

/** The 422 problem for a card refused at tokenization, pointing at the field at fault. */
export const cardRejected = (r: Extract<TokenizeResult, { ok: false }>): AppError =>
  new AppError(r.code, 422, r.message, {
    extensions: { errors: [{ path: `/${r.field}`, message: r.message }] },
  });
