import type { ColumnType, Generated } from 'kysely';
import type { OrderAddress, OrderShippingMethod, OrderStatus, PaymentStatus } from '../contract/index.ts';

/** A jsonb column: read as T, written through `jsonb()`. */
type Jsonb<T> = ColumnType<T, unknown, unknown>;

export interface OrdersTable {
  id: string;
  number: number;
  status: OrderStatus;
  payment_status: PaymentStatus;
  email: string;
  customer_id: string | null;
  cart_id: string | null;
  currency_code: string;
  shipping_address: Jsonb<OrderAddress | null>;
  billing_address: Jsonb<OrderAddress | null>;
  shipping_method: Jsonb<OrderShippingMethod | null>;
  subtotal: number;
  shipping_total: number;
  tax_total: number;
  discount_total: number;
  total: number;
  captured_total: Generated<number>;
  refunded_total: Generated<number>;
  payment_intent_id: string | null;
  reservation_id: string | null;
  secret_hash: string;
  version: Generated<number>;
  created_at: Date;
  updated_at: Date;
  placed_at: Date | null;
  canceled_at: Date | null;
  cancel_reason: string | null;
}

export interface OrderLinesTable {
  id: string;
  order_id: string;
  position: number;
  variant_id: string;
  product_id: string | null;
  sku: string | null;
  title: string;
  variant_title: string | null;
  quantity: number;
  unit_price: number;
  total: number;
  fulfilled_quantity: Generated<number>;
  canceled_quantity: Generated<number>;
}

export interface OrderEventsTable {
  id: string;
  order_id: string;
  kind: string;
  message: string;
  actor: string;
  data: Jsonb<Record<string, unknown>>;
  at: Date;
}

export interface FulfillmentsTable {
  id: string;
  order_id: string;
  shipment_id: string | null;
  carrier: string;
  tracking_number: string | null;
  lines: Jsonb<Array<{ lineId: string; variantId: string; quantity: number }>>;
  created_at: Date;
}

export interface RefundsTable {
  id: string;
  order_id: string;
  amount: number;
  reason: string;
  payment_refund_key: string;
  actor: string;
  created_at: Date;
}

export interface OrdersTables {
  'orders.orders': OrdersTable;
  'orders.order_lines': OrderLinesTable;
  'orders.order_events': OrderEventsTable;
  'orders.fulfillments': FulfillmentsTable;
  'orders.refunds': RefundsTable;
}
