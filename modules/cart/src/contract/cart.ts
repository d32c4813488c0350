import type { Money } from '@emporium/platform';

/**
 * A postal address as API.md defines it. `country_code` is ISO 3166-1 alpha-2, lower-case;
 * `region` is a state/province code or name (tax may depend on it, e.g. `ca` in the US).
 */
export interface Address {
  first_name: string;
  last_name: string;
  line1: string;
  line2?: string | null;
  city: string;
  postal_code: string;
  region?: string | null;
  country_code: string;
  phone?: string | null;
}

/** A cart line as shoppers see it. Prices come from the catalog, never from the client. */
export interface CartItem {
  /** `cli_…` */
  id: string;
  variant_id: string;
  product_id: string;
  product_title: string;
  product_handle: string;
  sku: string;
  /** The variant's title, e.g. `M / Blue`. */
  title: string;
  /** An integer from 1 to 999. */
  quantity: number;
  /** Current catalog price of one unit in the cart's currency. */
  unit_price: Money;
  /** `unit_price × quantity`. */
  subtotal: Money;
  /** Tax on this line (included in `subtotal` when the cart's tax is inclusive). */
  tax_total: Money;
  /** Grams per unit, or null when the catalog does not know. */
  weight_grams: number | null;
  /**
   * False when the variant can no longer be bought (unpublished, removed, or no price in the
   * cart's currency): the line counts 0 in the totals and checkout refuses it until removed.
   */
  available: boolean;
}

/** The shipping option a cart has chosen, priced for the cart as it is now. */
export interface SelectedShipping {
  /** `sho_…` */
  id: string;
  name: string;
  carrier: string | null;
  price: Money;
}

/**
 * A cart as the store API returns it (`{ cart }`). Totals are integer minor units of the cart's
 * single currency, recomputed on the server at every read and write:
 * - exclusive tax: `total = subtotal + shipping_total + tax_total`;
 * - inclusive tax (prices already contain it): `total = subtotal + shipping_total`, and
 *   `tax_total` says how much of it is tax.
 *
 * @example
 * { id: 'cart_01…', currency_code: 'usd', items: [...], subtotal: { amount: 5998, currency_code: 'usd' },
 *   shipping_total: { amount: 599, ... }, tax_total: { amount: 528, ... }, total: { amount: 7125, ... } }
 */
export interface Cart {
  /** `cart_…` */
  id: string;
  /** ISO 4217 lower-case; fixed at creation. */
  currency_code: string;
  email: string | null;
  /** The signed-in customer the cart belongs to (`cus_…`), or null for a guest cart. */
  customer_id: string | null;
  shipping_address: Address | null;
  billing_address: Address | null;
  items: CartItem[];
  shipping_option: SelectedShipping | null;
  subtotal: Money;
  shipping_total: Money;
  tax_total: Money;
  total: Money;
  /** True when prices include tax (the tax region of the shipping address says so). */
  tax_inclusive: boolean;
  /** When stock held for the items lapses unless the cart is changed or checked out; null when nothing is held. */
  reservation_expires_at: string | null;
  /** Set once checkout has turned the cart into an order; a completed cart cannot change. */
  completed_at: string | null;
  order_id: string | null;
  created_at: string;
  updated_at: string;
}

/**
 * Changes to a cart's details (what `PATCH /store/carts/{id}` takes). `null` clears a field;
 * an absent field stays as it is. Items are changed with the item routes.
 */
export interface CartChanges {
  email?: string | null;
  shipping_address?: Address | null;
  billing_address?: Address | null;
  /** Choose a shipping option from `GET /store/carts/{id}/shipping-options`; null clears it. */
  shipping_option_id?: string | null;
}
