import { AppError } from '@emporium/platform';

/**
 * Every error code payments answers with besides the platform's own and the vault's token codes
 * (`token_used`, `token_not_found`, `card_expired`, `insufficient_funds`, listed by the vault). The
 * authorization codes are outcomes PaymentsService returns (checkout answers them with 402); the
 * others are 404/409/422 answers to staff operations. docs/errors.md documents each.
 */
export const paymentsErrorCodes = {
  card_declined: 'The card issuer declined the payment; the shopper should use another card.',
  payment_failed:
    'The payment could not be processed (the processor kept failing, or the card details lapsed).',
  payment_not_found: 'No payment has this id.',
  payment_state_conflict:
    'The payment is not in a state that allows this operation (e.g. capturing a canceled payment).',
  amount_exceeds_authorized: 'The capture amount is more than was authorized.',
  amount_exceeds_captured: 'The refund would take the refunded total above what was captured.',
} as const;

export type PaymentsErrorCode = keyof typeof paymentsErrorCodes;

export const stateConflict = (detail: string): AppError =>
  new AppError('payment_state_conflict', 409, detail);
