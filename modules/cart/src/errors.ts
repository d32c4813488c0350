import { AppError } from '@emporium/platform';
import type { CartShortage } from './contract/index.ts';

/**
 * Every error code the cart module answers with besides the platform's own (`validation_failed`,
 * `not_found`, `unauthorized`, `forbidden`). docs/errors.md documents each.
 */
export const cartErrorCodes = {
  cart_not_found: 'No cart has this id, or the request does not carry its secret or its owner’s token.',
  cart_item_not_found: 'The cart has no line with this id.',
  cart_completed: 'The cart was checked out already; it cannot change or be checked out again.',
  cart_empty: 'The cart has no items to check out.',
  too_many_items: 'A cart holds at most 100 lines.',
  variant_not_found: 'The variant to add does not exist; the problem names it.',
  variant_not_for_sale:
    'The variant cannot be bought: its product is not published, or it has no price in the cart’s currency.',
  out_of_stock:
    'Not enough units are available for a line; `shortages` names each line with what is requested and available.',
  item_unavailable:
    'A line in the cart can no longer be bought (unpublished or no price in the cart’s currency).',
  email_required: 'Checkout needs an email address on the cart or in the request.',
  shipping_address_required: 'Shipping options and checkout need a shipping address.',
  shipping_option_required: 'Checkout needs a shipping option chosen from the cart’s shipping options.',
  shipping_option_unavailable: 'The chosen shipping option does not ship this cart to its shipping address.',
  tax_region_not_found: 'No tax region has this id.',
  tax_region_exists: 'A tax region for this country and region exists already.',
} as const;

export type CartErrorCode = keyof typeof cartErrorCodes;

/** A problem for a code of this module; status as API.md and docs/errors.md say. */
export const cartProblem = (
  code: CartErrorCode,
  status: number,
  detail: string,
  extensions?: Record<string, unknown>,
) => new AppError(code, status, detail, extensions ? { extensions } : {});

export const cartNotFound = (): AppError => cartProblem('cart_not_found', 404, 'This cart was not found.');
export const cartCompleted = (): AppError =>
  cartProblem('cart_completed', 409, 'This cart has been checked out already and can no longer change.');

export const outOfStock = (shortages: CartShortage[]): AppError => {
  const s = shortages
    .map((x) => `${x.requested} × ${x.variant_id} requested, ${x.available} available`)
    .join('; ');
  return cartProblem('out_of_stock', 409, `Not enough stock for every line: ${s}.`, { shortages });
};

/** HTTP status of each code a service result can carry. */
export const statusOf: Record<string, number> = {
  cart_not_found: 404,
  cart_completed: 409,
  cart_empty: 422,
  email_required: 422,
  shipping_address_required: 422,
  shipping_option_required: 422,
  shipping_option_unavailable: 422,
  item_unavailable: 422,
  out_of_stock: 409,
  validation_failed: 422,
};
