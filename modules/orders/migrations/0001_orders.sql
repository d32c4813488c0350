-- Orders, their lines as sold, the timeline, fulfilments and refunds (modules/orders).
-- Times are written by the application's clock. Amounts are integer minor units of the order's
-- currency. Addresses are copied from the cart at checkout and never re-read from it.

-- Human order numbers, sequential per shop: 1001, 1002, … (a gap after a rolled-back checkout is fine).
create sequence orders.order_number_seq start with 1001;

create table orders.orders (
  id text primary key,                          -- order_<ulid>
  number integer not null unique,
  status text not null check (status in ('pending', 'placed', 'partially_fulfilled', 'fulfilled', 'completed', 'canceled')),
  payment_status text not null check (payment_status in ('not_paid', 'authorized', 'captured', 'partially_refunded', 'refunded', 'voided')),
  email text not null,
  customer_id text,                             -- cus_… or null for a guest
  cart_id text,
  currency_code text not null,
  shipping_address jsonb,
  billing_address jsonb,
  shipping_method jsonb,                        -- { optionId, name, amount } as quoted
  subtotal integer not null check (subtotal >= 0),
  shipping_total integer not null check (shipping_total >= 0),
  tax_total integer not null check (tax_total >= 0),
  discount_total integer not null default 0 check (discount_total >= 0),
  total integer not null check (total >= 0),
  captured_total integer not null default 0,
  refunded_total integer not null default 0,
  payment_intent_id text,
  reservation_id text,
  secret_hash text not null,                    -- sha256 of the order secret; the secret itself is never stored
  version integer not null default 1,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  placed_at timestamptz,
  canceled_at timestamptz,
  cancel_reason text,
  constraint orders_refund_within_capture check (refunded_total >= 0 and refunded_total <= captured_total),
  constraint orders_capture_within_total check (captured_total >= 0 and captured_total <= total)
);
create index orders_customer on orders.orders (customer_id, id) where customer_id is not null;
create index orders_status on orders.orders (status, id);
create index orders_email on orders.orders (lower(email), id);
create index orders_created on orders.orders (created_at, id);

create table orders.order_lines (
  id text primary key,                          -- oline_<ulid>
  order_id text not null references orders.orders (id),
  position integer not null,
  variant_id text not null,
  product_id text,
  sku text,
  title text not null,
  variant_title text,
  quantity integer not null check (quantity > 0),
  unit_price integer not null check (unit_price >= 0),
  total integer not null check (total >= 0),
  fulfilled_quantity integer not null default 0,
  canceled_quantity integer not null default 0,
  constraint order_lines_units check (
    fulfilled_quantity >= 0 and canceled_quantity >= 0 and fulfilled_quantity + canceled_quantity <= quantity
  ),
  unique (order_id, position)
);

-- The timeline staff see: every change, who made it and when (append-only).
create table orders.order_events (
  id text primary key,                          -- oevt_<ulid>
  order_id text not null references orders.orders (id),
  kind text not null,
  message text not null,
  actor text not null,
  data jsonb not null default '{}',
  at timestamptz not null
);
create index order_events_order on orders.order_events (order_id, id);

create table orders.fulfillments (
  id text primary key,                          -- ful_<ulid>
  order_id text not null references orders.orders (id),
  shipment_id text,                             -- the shipping module's shp_…
  carrier text not null,
  tracking_number text,
  lines jsonb not null,                         -- [{ lineId, variantId, quantity }]
  created_at timestamptz not null
);
create index fulfillments_order on orders.fulfillments (order_id, id);

create table orders.refunds (
  id text primary key,                          -- oref_<ulid>
  order_id text not null references orders.orders (id),
  amount integer not null check (amount > 0),
  reason text not null,
  payment_refund_key text not null,             -- the idempotency key handed to payments
  actor text not null,
  created_at timestamptz not null
);
create index refunds_order on orders.refunds (order_id, id);
