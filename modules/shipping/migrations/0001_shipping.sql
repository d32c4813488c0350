-- Shipping zones, options with their price rules, and shipments (modules/shipping).
-- Times are written by the application's clock, never by now(), so tests can move time.

create table shipping.zones (
  id text primary key,                 -- shz_<ulid>
  name text not null,
  created_at timestamptz not null,
  updated_at timestamptz not null
);

-- A country ships through at most one zone, so a cart's options never depend on which zone wins.
create table shipping.zone_countries (
  country_code text primary key,       -- ISO 3166-1 alpha-2, lower-case
  zone_id text not null references shipping.zones (id) on delete cascade,
  constraint zone_countries_code check (country_code ~ '^[a-z]{2}$')
);
create index zone_countries_by_zone on shipping.zone_countries (zone_id);

-- rule: {"kind":"flat"} | {"kind":"free_above","free_above":[Money]} | {"kind":"weight","brackets":[…]}
-- prices: [Money], the base price per currency (flat and free_above).
create table shipping.options (
  id text primary key,                 -- sho_<ulid>
  zone_id text not null references shipping.zones (id) on delete cascade,
  name text not null,
  description text,
  carrier text,
  rule jsonb not null,
  prices jsonb not null,
  enabled boolean not null default true,
  rank integer not null default 0,
  created_at timestamptz not null,
  updated_at timestamptz not null
);
create index options_by_zone on shipping.options (zone_id, rank, id);

create table shipping.shipments (
  id text primary key,                 -- shp_<ulid>
  order_id text not null,
  carrier text not null,
  tracking_number text,
  tracking_url text,
  lines jsonb not null,
  idempotency_key text unique,
  created_at timestamptz not null
);
create index shipments_by_order on shipping.shipments (order_id, id);
