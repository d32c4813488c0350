import type { Address, CheckoutCart } from '@emporium/cart/contract';
import type { CreatePendingOrderInput, OrderAddress } from '@emporium/orders/contract';

const address = (a: Address): OrderAddress => ({
  firstName: a.first_name,
  lastName: a.last_name,
  line1: a.line1,
  line2: a.line2 ?? null,
  city: a.city,
  postalCode: a.postal_code,
  region: a.region ?? null,
  countryCode: a.country_code,
  phone: a.phone ?? null,
});

/**
 * The pending order for a cart as priced at checkout: lines, addresses and totals copied, never
 * recomputed. With tax-inclusive prices the tax is already inside the subtotal, so the order's
 * `taxTotal` (which it adds to the total) is 0 and the total stays the cart's.
 */
export function pendingOrderInput(cart: CheckoutCart, reservationId: string | null): CreatePendingOrderInput {
  return {
    email: cart.email,
    customerId: cart.customer_id,
    cartId: cart.id,
    currencyCode: cart.currency_code,
    lines: cart.lines.map((l) => ({
      variantId: l.variant_id,
      productId: l.product_id,
      sku: l.sku,
      title: l.product_title,
      variantTitle: l.title || null,
      quantity: l.quantity,
      unitPrice: l.unit_price.amount,
      total: l.subtotal.amount,
    })),
    shippingAddress: address(cart.shipping_address),
    billingAddress: address(cart.billing_address),
    shippingMethod: {
      optionId: cart.shipping_option.id,
      name: cart.shipping_option.name,
      amount: cart.shipping_option.price.amount,
    },
    subtotal: cart.subtotal.amount,
    shippingTotal: cart.shipping_total.amount,
    taxTotal: cart.tax_inclusive ? 0 : cart.tax_total.amount,
    discountTotal: 0,
    total: cart.total.amount,
    reservationId,
  };
}
