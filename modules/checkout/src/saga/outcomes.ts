import type { CartShortage, CheckoutCart, CheckoutCartProblem } from '@emporium/cart/contract';
import type { AuthorizeFailureCode } from '@emporium/payments/contract';
import type { SagaResponse } from './saga-store.ts';

/**
 * The answers a checkout ends with, as stored for replay. A problem's body is
 * `{ code, detail, ...extensions }`; the route turns it into an RFC 9457 document with the
 * request id of whoever asks.
 */
export interface StoredProblem {
  code: string;
  detail: string;
  [extension: string]: unknown;
}

const problem = (
  status: number,
  code: string,
  detail: string,
  extensions: Record<string, unknown> = {},
): SagaResponse => ({
  status,
  body: { ...extensions, code, detail } satisfies StoredProblem,
});

const invalid = (path: string, message: string): SagaResponse => invalidFields([{ path, message }]);

/** 422 `validation_failed` listing each field at fault. */
export function invalidFields(errors: Array<{ path: string; message: string }>): SagaResponse {
  const detail =
    errors.length === 1 ? (errors[0]?.message ?? '') : `${errors.map((e) => e.message).join(' ')}`;
  return problem(422, 'validation_failed', detail, { errors });
}

export const placed = (order: Record<string, unknown>, secret: string): SagaResponse => ({
  status: 201,
  body: { order, order_secret: secret },
});

/** A cart that cannot be checked out, as the shopper should hear it. */
export function cartProblem(
  code: CheckoutCartProblem | 'validation_failed',
  message: string,
  itemId?: string,
): SagaResponse {
  switch (code) {
    case 'cart_not_found':
      return problem(404, 'not_found', 'This cart was not found.');
    case 'cart_completed':
      return problem(409, 'cart_completed', message);
    case 'cart_empty':
      return problem(409, 'cart_empty', message);
    case 'item_unavailable':
      return problem(409, 'item_unavailable', message, itemId ? { item_id: itemId } : {});
    case 'email_required':
      return invalid('/email', message);
    case 'shipping_address_required':
      return invalid('/shipping_address', message);
    case 'shipping_option_required':
    case 'shipping_option_unavailable':
      return invalid('/shipping_option_id', message);
    case 'validation_failed':
      return invalid('', message);
  }
}

/** `out_of_stock`, naming each short line by its title so the shopper knows what to change. */
export function outOfStock(shortages: readonly CartShortage[], cart?: CheckoutCart): SagaResponse {
  const named = shortages.map((s) => {
    const line = cart?.lines.find((l) => l.item_id === s.item_id || l.variant_id === s.variant_id);
    const title = line ? `${line.product_title}${line.title ? ` (${line.title})` : ''}` : s.variant_id;
    return { ...s, title };
  });
  const sentence = named
    .map((s) =>
      s.available === 0
        ? `“${s.title}” is sold out`
        : `only ${s.available} of “${s.title}” left (you asked for ${s.requested})`,
    )
    .join('; ');
  return problem(
    409,
    'out_of_stock',
    `Not enough stock: ${sentence}. Change the quantity or remove the line, then check out again.`,
    {
      shortages: named,
    },
  );
}

/** A failed authorization: a decline (402 `card_declined`) or any other failure (402 `payment_failed`). */
export function paymentProblem(code: AuthorizeFailureCode, message: string): SagaResponse {
  switch (code) {
    case 'card_declined':
    case 'insufficient_funds':
    case 'card_expired':
      return problem(
        402,
        'card_declined',
        `${message.trim() || 'Your card was declined.'} Nothing was charged; you can pay with another card.`,
        { decline_code: code },
      );
    case 'payment_failed':
    case 'token_used':
    case 'token_not_found':
      return problem(
        402,
        'payment_failed',
        `${message.trim() || 'The payment could not be completed.'} Nothing was charged; please try again or use another card.`,
      );
  }
}

export const expired = (): SagaResponse =>
  problem(
    409,
    'checkout_expired',
    'The items were held for too long before the payment completed and went back to stock; nothing was charged. Please check out again.',
  );

export const interrupted = (): SagaResponse =>
  problem(
    409,
    'checkout_interrupted',
    'Your checkout was interrupted before your card was charged, and was undone; nothing was charged. Please check out again.',
  );
