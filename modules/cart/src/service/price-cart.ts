import type { VariantForSale } from '@emporium/catalog/contract';
import { money } from '@emporium/platform';
import type { RateQuery, ShippingRate } from '@emporium/shipping/contract';
import type { CartContext } from '../cart-context.ts';
import type { Cart, CartItem } from '../contract/index.ts';
import { computeTotals } from '../totals/compute-totals.ts';
import type { CartRecord } from './cart-rows.ts';

/** A cart priced now: what shoppers see, plus what checkout and shipping need. */
export interface PricedCart {
  view: Cart;
  /** The rate query for the shipping address, or null when the cart has none. */
  rateQuery: RateQuery | null;
  /** The chosen option priced for the cart, or null (none chosen, or it does not ship there). */
  selected: ShippingRate | null;
}

/** The unit price of a variant in a currency, when it can be bought in it. */
export function unitPrice(variant: VariantForSale | undefined, currency: string): number | undefined {
  if (!variant?.purchasable) return undefined;
  return variant.prices.find((p) => p.currency_code === currency)?.amount;
}

/**
 * Prices a cart from the catalog, the shipping rates and the tax region of its shipping address,
 * as of now. Nothing a client sent is trusted: only variant ids and quantities come from the cart.
 */
export async function priceCart(ctx: CartContext, record: CartRecord): Promise<PricedCart> {
  const { cart, items } = record;
  const currency = cart.currency_code;
  const address = cart.shipping_address;
  // The variants and the tax region at once (two round trips in parallel, not in a row); the
  // shipping rate needs the variants' prices and weights, so it comes after.
  const [variants, region] = await Promise.all([
    items.length > 0
      ? ctx.catalog.getVariantsForSale(items.map((i) => i.variant_id))
      : new Map<string, VariantForSale>(),
    address ? ctx.taxRates.forDestination(address.country_code, address.region) : null,
  ]);
  const priced = items.map((item) => {
    const variant: VariantForSale | undefined = variants.get(item.variant_id);
    const price = unitPrice(variant, currency);
    return { item, variant, price };
  });
  const forSale = priced.filter((p) => p.price !== undefined);
  const subtotal = forSale.reduce((s, p) => s + (p.price ?? 0) * p.item.quantity, 0);
  const weight = forSale.reduce((s, p) => s + (p.variant?.weight_grams ?? 0) * p.item.quantity, 0);

  const rateQuery: RateQuery | null = address
    ? { countryCode: address.country_code, subtotal, currencyCode: currency, weightGrams: weight }
    : null;
  const selected =
    rateQuery && cart.shipping_option_id
      ? ((await ctx.shipping.rateFor(cart.shipping_option_id, rateQuery)) ?? null)
      : null;

  const totals = computeTotals({
    lines: priced.map((p) => ({ unitPrice: p.price ?? 0, quantity: p.item.quantity })),
    shipping: selected?.price.amount ?? 0,
    tax: region,
  });
  const m = (amount: number) => money(amount, currency);
  const now = ctx.clock.now();
  const itemViews: CartItem[] = priced.map((p, i) => ({
    id: p.item.id,
    variant_id: p.item.variant_id,
    product_id: p.variant?.product_id ?? '',
    product_title: p.variant?.product_title ?? '',
    product_handle: p.variant?.product_handle ?? '',
    sku: p.variant?.sku ?? '',
    title: p.variant?.title ?? '',
    quantity: p.item.quantity,
    unit_price: m(p.price ?? 0),
    subtotal: m(totals.lines[i]?.subtotal ?? 0),
    tax_total: m(totals.lines[i]?.tax ?? 0),
    weight_grams: p.variant?.weight_grams ?? null,
    available: p.price !== undefined,
  }));
  const expires = cart.reservation_expires_at;
  const view: Cart = {
    id: cart.id,
    currency_code: currency,
    email: cart.email,
    customer_id: cart.customer_id,
    shipping_address: cart.shipping_address,
    billing_address: cart.billing_address,
    items: itemViews,
    shipping_option: selected
      ? { id: selected.option_id, name: selected.name, carrier: selected.carrier, price: selected.price }
      : null,
    subtotal: m(totals.subtotal),
    shipping_total: m(totals.shippingTotal),
    tax_total: m(totals.taxTotal),
    total: m(totals.total),
    tax_inclusive: totals.taxInclusive,
    reservation_expires_at:
      cart.completed_at === null && expires && expires > now && items.length > 0
        ? expires.toISOString()
        : null,
    completed_at: cart.completed_at?.toISOString() ?? null,
    order_id: cart.order_id,
    created_at: cart.created_at.toISOString(),
    updated_at: cart.updated_at.toISOString(),
  };
  return { view, rateQuery, selected };
}
