import type { AnyTransaction, Money } from '@emporium/platform';
import type { Address, Cart, CartChanges, SelectedShipping } from './cart.ts';

/**
 * Who is asking for a cart: the raw bearer token of the request (which may be the cart's secret)
 * and, when that token is a signed-in customer's, the customer's id.
 */
export interface CartAccess {
  /** The `Authorization: Bearer …` value, or null. */
  token: string | null;
  /** `request.principal.subject` when `principal.kind === 'customer'`, else null. */
  customerId: string | null;
}

/** A line as checkout needs it: priced now from the catalog, in the cart's currency. */
export interface CheckoutLine {
  item_id: string;
  variant_id: string;
  product_id: string;
  product_title: string;
  sku: string;
  title: string;
  quantity: number;
  unit_price: Money;
  /** `unit_price × quantity`. */
  subtotal: Money;
  /** Tax on the line (part of `subtotal` when `tax_inclusive`). */
  tax_total: Money;
  weight_grams: number | null;
}

/** A cart ready to become an order: every number recomputed at the moment of the call. */
export interface CheckoutCart {
  id: string;
  currency_code: string;
  customer_id: string | null;
  email: string;
  shipping_address: Address;
  /** The billing address, or the shipping address when the shopper gave none. */
  billing_address: Address;
  lines: CheckoutLine[];
  shipping_option: SelectedShipping;
  subtotal: Money;
  shipping_total: Money;
  tax_total: Money;
  total: Money;
  tax_inclusive: boolean;
  /**
   * The cart's current stock hold (`res_…`, holder = the cart id), or null when there is none or
   * it lapsed. Call `refreshReservation` before committing it: it may expire at any time.
   */
  reservation: { id: string; expires_at: string } | null;
}

/** Why a cart cannot be checked out (each is a 4xx a shopper can act on; see docs/errors.md). */
export type CheckoutCartProblem =
  | 'cart_not_found'
  | 'cart_completed'
  | 'cart_empty'
  | 'email_required'
  | 'shipping_address_required'
  | 'shipping_option_required'
  | 'shipping_option_unavailable'
  | 'item_unavailable';

export type CheckoutCartResult =
  | { ok: true; cart: CheckoutCart }
  | {
      ok: false;
      code: CheckoutCartProblem;
      /** A sentence a shopper can read. */
      message: string;
      /** For `item_unavailable`: the line that can no longer be bought. */
      item_id?: string;
    };

/** A line that cannot be held, with what is available now. */
export interface CartShortage {
  item_id: string;
  variant_id: string;
  requested: number;
  available: number;
}

export type RefreshReservationResult =
  | { ok: true; reservation_id: string; expires_at: string }
  | { ok: false; code: 'out_of_stock'; message: string; shortages: CartShortage[] }
  | { ok: false; code: 'cart_not_found' | 'cart_completed' | 'cart_empty'; message: string };

export type { AnyTransaction };

/**
 * A cart made ready to pay by `prepareCheckout`: its stock held for the checkout, or why not.
 * `missing` names every detail neither the cart nor the changes give (`email_required` and
 * `shipping_address_required` report both at once).
 */
export type PrepareCheckoutResult =
  | {
      ok: true;
      cart: CheckoutCart & { reservation: { id: string; expires_at: string } };
      /** With `saveDetails: 'caller'`: the details to save with saveDetailsMany, when not saved. */
      unsavedDetails?: CartDetails;
    }
  | {
      ok: false;
      code: CheckoutCartProblem | 'validation_failed';
      message: string;
      item_id?: string;
      missing?: Array<'email' | 'shipping_address'>;
    }
  | { ok: false; code: 'out_of_stock'; message: string; shortages: CartShortage[]; cart: CheckoutCart };

/** A cart's checkout details as a checkout applied them (see prepareCheckout's `saveDetails`). */
export interface CartDetails {
  cart_id: string;
  email: string | null;
  shipping_address: Address | null;
  billing_address: Address | null;
  shipping_option_id: string | null;
}

export type UpdateCartResult =
  | { ok: true; cart: Cart }
  | {
      ok: false;
      code: 'cart_not_found' | 'cart_completed' | 'shipping_option_unavailable' | 'validation_failed';
      message: string;
    };

export type CompleteCartResult =
  | { ok: true }
  | { ok: false; code: 'cart_not_found' | 'cart_completed'; message: string };

/**
 * The cart module's service interface, used by checkout (in-process in the monolith, over HTTP
 * when split). Shoppers use the HTTP routes; this is what another module may do with a cart.
 *
 * @example
 * if (!(await carts.canAccess(id, { token, customerId }))) throw notFound('cart');
 * const ready = await carts.prepareCheckout(id, { shipping_option_id: body.shipping_option_id });
 * if (!ready.ok) return problem(ready.code, ready.message);
 * // … create the order, authorize, inventory.commit(ready.cart.reservation.id) …
 * await carts.complete(id, { orderId });
 */
export interface CartService {
  /**
   * True when `access` may use the cart: its token is the cart's secret, or the customer owns
   * the cart. False for an unknown cart too (answer 404 either way: never reveal existence).
   */
  canAccess(cartId: string, access: CartAccess): Promise<boolean>;
  /**
   * Gives a guest cart to a customer who just signed in: the caller proves the cart is theirs with
   * its `secret`. Lines, stock hold and details stay as they are. Idempotent for the same customer;
   * `cart_not_found` for a wrong secret or a cart that already belongs to someone else.
   */
  claim(cartId: string, secret: string, customerId: string): Promise<UpdateCartResult>;
  /** The cart with totals recomputed now, or undefined. No access check: call `canAccess` first. */
  getCart(cartId: string): Promise<Cart | undefined>;
  /** Applies `changes` as `PATCH /store/carts/{id}` would (addresses validated, option checked). */
  update(cartId: string, changes: CartChanges): Promise<UpdateCartResult>;
  /**
   * Everything checkout needs, priced from the catalog and shipping now. Refuses a completed or
   * empty cart, a cart without email, shipping address or an option valid for that address, and
   * a line whose variant can no longer be bought in the cart's currency.
   */
  getForCheckout(cartId: string): Promise<CheckoutCartResult>;
  /**
   * What checkout does first, in one read of the cart: applies `changes` (as `update`), checks
   * and prices the cart (as `getForCheckout`), makes sure its stock is held for at least `ttlMs`
   * from now (the cart's current hold when it lasts that long already, else held again as
   * `refreshReservation` does) and saves the details with the hold. Details are saved even when
   * the stock is short, so the shopper's next attempt has them. With `saveDetails: 'caller'`, a
   * cart whose hold is kept as it is does not write its new details here: they come back as
   * `unsavedDetails`, for the caller to save in the transaction it writes next (saveDetailsMany).
   */
  prepareCheckout(
    cartId: string,
    changes: CartChanges,
    options?: { ttlMs?: number; saveDetails?: 'caller' },
  ): Promise<PrepareCheckoutResult>;
  /**
   * Saves checkout details that prepareCheckout left to the caller, in the caller's transaction,
   * in one statement. Throws when a cart is completed meanwhile (only a checkout of the cart could
   * complete it, and one runs at a time): the caller's transaction then rolls back.
   */
  saveDetailsMany(details: readonly CartDetails[], trx: AnyTransaction): Promise<void>;
  /**
   * Holds stock for every line again (holder = cart id) for `ttlMs` (default: the cart's
   * reservation TTL), replacing the previous hold atomically. Returns the new reservation.
   */
  refreshReservation(cartId: string, options?: { ttlMs?: number }): Promise<RefreshReservationResult>;
  /**
   * Marks the cart completed by `orderId`: it cannot change or be checked out again (409
   * `cart_completed`). Idempotent for the same order id; emits `cart.cart.completed.v1`.
   * Does not touch the stock hold (checkout commits it). With `trx` (the caller's transaction),
   * the cart is completed with whatever the caller commits, e.g. the order it became.
   */
  complete(cartId: string, options: { orderId: string }, trx?: AnyTransaction): Promise<CompleteCartResult>;
  /**
   * `complete` for several carts at once, in one statement whatever their number when each cart is
   * open (a caller batching concurrent checkouts): each cart gets its own outcome, by id, and its
   * own `cart.cart.completed.v1`. A cart that cannot be completed does not stop the others.
   */
  completeMany(
    completions: readonly { cartId: string; orderId: string }[],
    trx?: AnyTransaction,
  ): Promise<ReadonlyMap<string, CompleteCartResult>>;
}
