import type { Order, OrderAddress } from './order.ts';
import type { OrdersService } from './orders-service.ts';

/** Money as the HTTP API shows it (API.md): integer minor units plus a lower-case currency code. */
export interface MoneyJson {
  amount: number;
  currency_code: string;
}

/** An address as the HTTP API shows it (snake_case, API.md "Store API"). */
export function addressJson(a: OrderAddress | null): Record<string, unknown> | null {
  if (!a) return null;
  return {
    first_name: a.firstName,
    last_name: a.lastName,
    line1: a.line1,
    line2: a.line2 ?? null,
    city: a.city,
    postal_code: a.postalCode,
    region: a.region ?? null,
    country_code: a.countryCode,
    phone: a.phone ?? null,
  };
}

/**
 * The public JSON of an order, the same for `POST /store/carts/{id}/checkout` (checkout returns
 * `{ order: orderJson(order), order_secret }`), `GET /store/orders/{id}` and the admin API.
 */
export function orderJson(order: Order): Record<string, unknown> {
  const m = (amount: number): MoneyJson => ({ amount, currency_code: order.currencyCode });
  return {
    id: order.id,
    number: order.number,
    status: order.status,
    payment_status: order.paymentStatus,
    email: order.email,
    customer_id: order.customerId,
    currency_code: order.currencyCode,
    items: order.lines.map((l) => ({
      id: l.id,
      variant_id: l.variantId,
      product_id: l.productId,
      sku: l.sku,
      title: l.title,
      variant_title: l.variantTitle,
      quantity: l.quantity,
      unit_price: m(l.unitPrice),
      total: m(l.total),
      fulfilled_quantity: l.fulfilledQuantity,
      canceled_quantity: l.canceledQuantity,
    })),
    shipping_address: addressJson(order.shippingAddress),
    billing_address: addressJson(order.billingAddress),
    shipping_method: order.shippingMethod
      ? {
          option_id: order.shippingMethod.optionId,
          name: order.shippingMethod.name,
          price: m(order.shippingMethod.amount),
        }
      : null,
    subtotal: m(order.subtotal),
    shipping_total: m(order.shippingTotal),
    tax_total: m(order.taxTotal),
    discount_total: m(order.discountTotal),
    total: m(order.total),
    captured_total: m(order.capturedTotal),
    refunded_total: m(order.refundedTotal),
    payment_intent_id: order.paymentIntentId,
    created_at: order.createdAt.toISOString(),
    placed_at: order.placedAt?.toISOString() ?? null,
    canceled_at: order.canceledAt?.toISOString() ?? null,
    cancel_reason: order.cancelReason,
  };
}

/**
 * A customer's orders in their public JSON, newest first: what `GET /store/customers/me/orders`
 * lists (identity's `CustomerOrdersPort`), over `OrdersService.listForCustomer`.
 * @example createIdentityModule(ports, { orders: customerOrdersJson(orders.service) })
 */
export function customerOrdersJson(service: Pick<OrdersService, 'listForCustomer'>) {
  return {
    async listForCustomer(customerId: string, options?: { limit?: number; cursor?: string }) {
      const page = await service.listForCustomer(customerId, options);
      return { data: page.data.map(orderJson), nextCursor: page.nextCursor };
    },
  };
}
