/**
 * Every error code checkout answers with besides the platform's own (`validation_failed`,
 * `not_found`, `idempotency_conflict`, …) and the cart's (`cart_completed`, `cart_empty`,
 * `item_unavailable`), which it passes through. docs/errors.md documents each.
 */
export const checkoutErrorCodes = {
  card_declined:
    'The bank declined the card (or reported insufficient funds or an expired card); nothing was charged and the cart can be paid with another card.',
  payment_failed:
    'The payment could not be completed (the processor kept failing, or the card token is unknown or already used); nothing was charged.',
  checkout_in_progress:
    'A checkout of this cart (with this or another Idempotency-Key) is still running; retry after `Retry-After` seconds.',
  checkout_expired:
    'The stock held for the checkout lapsed before the payment completed; nothing was charged; check out again.',
  checkout_interrupted:
    'The checkout was interrupted (the server stopped) before the payment was authorized and was undone; nothing was charged; check out again with a new Idempotency-Key.',
} as const;

export type CheckoutErrorCode = keyof typeof checkoutErrorCodes;
