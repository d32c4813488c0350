-- Carts, their lines and tax regions (modules/cart).
-- Times are written by the application's clock, never by now(), so tests can move time.

-- secret_hash: sha256 of the cart's bearer secret (the secret itself is shown once, never stored).
-- version: bumped by every change; item changes hold stock first, then write only if the cart
-- did not change meanwhile (else they re-read and hold again), so the hold matches the lines.
create table cart.carts (
  id text primary key,                 -- cart_<ulid>
  secret_hash text not null,
  currency_code text not null,
  customer_id text,
  email text,
  shipping_address jsonb,
  billing_address jsonb,
  shipping_option_id text,
  reservation_id text,
  reservation_expires_at timestamptz,
  completed_at timestamptz,
  order_id text,
  version integer not null default 1,
  created_at timestamptz not null,
  updated_at timestamptz not null
);
create index carts_by_customer on cart.carts (customer_id) where customer_id is not null;

create table cart.items (
  id text primary key,                 -- cli_<ulid>
  cart_id text not null references cart.carts (id) on delete cascade,
  variant_id text not null,
  quantity integer not null,
  created_at timestamptz not null,
  constraint items_quantity check (quantity between 1 and 999),
  constraint items_one_line_per_variant unique (cart_id, variant_id)
);

-- Tax by destination: a row for a country (region null) and optional rows for its regions
-- (states, provinces), which win over the country's row. rate_bp: basis points (2000 = 20 %).
-- inclusive: the catalog's prices already contain the tax (VAT); else it is added on top.
create table cart.tax_regions (
  id text primary key,                 -- txr_<ulid>
  country_code text not null,
  region text not null default '',     -- '' for the whole country
  name text not null,
  rate_bp integer not null,
  inclusive boolean not null,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  constraint tax_regions_country check (country_code ~ '^[a-z]{2}$'),
  constraint tax_regions_rate check (rate_bp between 0 and 10000),
  constraint tax_regions_unique unique (country_code, region)
);
