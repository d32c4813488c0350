-- Stock levels, reservations with expiry and the adjustment ledger (modules/inventory).
-- Times are written by the application's clock, never by now(), so tests can move time.

-- One row per variant and location ('default' until locations exist). `reserved` counts the units
-- of reservation lines still marked `held`; some of those may have expired and not been given back
-- yet (see reservation_lines), so readers subtract expired held lines (see stock-rows.ts).
create table inventory.stock_levels (
  variant_id text not null,
  location_id text not null default 'default',
  on_hand integer not null default 0,
  reserved integer not null default 0,
  version integer not null default 1,  -- bumped by every change of on_hand or reserved
  created_at timestamptz not null,
  updated_at timestamptz not null,
  primary key (variant_id, location_id),
  -- The last line of defence against overselling: the application's conditional updates never
  -- get here, but a bug that tried would fail rather than sell what is not there.
  constraint stock_levels_on_hand_not_negative check (on_hand >= 0),
  constraint stock_levels_reserved_not_negative check (reserved >= 0),
  constraint stock_levels_reserved_within_on_hand check (reserved <= on_hand)
);

-- A holder's (cart's, checkout's) hold on stock. 'active' until committed, released (or replaced
-- by the holder's next hold: replaced_by) or expired; an active one past expires_at no longer counts.
create table inventory.reservations (
  id text primary key,                 -- res_<ulid>
  holder_id text not null,
  status text not null,
  expires_at timestamptz not null,
  created_at timestamptz not null,
  settled_at timestamptz,              -- when it stopped being active
  replaced_by text,
  constraint reservations_status check (status in ('active', 'committed', 'released', 'expired'))
);
create unique index reservations_one_active_per_holder on inventory.reservations (holder_id)
  where status = 'active';
create index reservations_active_by_expiry on inventory.reservations (expires_at) where status = 'active';

-- `held` is true while the line's units are counted in stock_levels.reserved; it turns false
-- exactly once (commit, release, replacement or expiry), under the stock row's lock, and the
-- same statement's caller takes the units off `reserved`. expires_at copies the reservation's so
-- that availability reads one table.
create table inventory.reservation_lines (
  reservation_id text not null references inventory.reservations (id),
  variant_id text not null,
  location_id text not null default 'default',
  quantity integer not null,
  expires_at timestamptz not null,
  held boolean not null default true,
  primary key (reservation_id, variant_id, location_id),
  constraint reservation_lines_quantity_positive check (quantity > 0)
);
create index reservation_lines_held on inventory.reservation_lines (variant_id, location_id, expires_at)
  where held;

-- Every change of on-hand stock, by hand ('adjust', 'set') or by a sale ('sale', with its
-- reservation): the sum of a variant's deltas is its on_hand. Append-only.
create table inventory.adjustments (
  id text primary key,                 -- adj_<ulid>
  variant_id text not null,
  location_id text not null default 'default',
  kind text not null,
  delta integer not null,
  on_hand_after integer not null,
  reason text not null,
  actor text not null,
  reservation_id text,
  created_at timestamptz not null,
  constraint adjustments_kind check (kind in ('adjust', 'set', 'sale')),
  constraint adjustments_delta_not_zero check (delta <> 0)
);
create index adjustments_by_variant on inventory.adjustments (variant_id, created_at);

create function inventory.refuse_ledger_change() returns trigger language plpgsql as $$
begin
  raise exception 'inventory.adjustments is append-only' using errcode = '55000';
end
$$;
create trigger adjustments_append_only before update or delete on inventory.adjustments
  for each row execute function inventory.refuse_ledger_change();
