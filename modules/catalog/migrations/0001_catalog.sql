-- Catalog (modules/catalog): products and their variants, the category tree and collections.
-- Times are written by the application's clock. Products are never deleted, only archived, so
-- ids held by orders and carts always resolve.

-- The category tree: parent_id null for a root. Cycles are refused by the application, which
-- serialises tree moves with an advisory lock; a category cannot be its own parent here either.
create table catalog.categories (
  id text primary key,                  -- cat_<ulid>
  handle text not null,
  name text not null,
  description text not null default '',
  parent_id text references catalog.categories (id),
  rank integer not null default 0,      -- position among its siblings
  created_at timestamptz not null,
  updated_at timestamptz not null,
  constraint categories_handle_key unique (handle),
  constraint categories_not_own_parent check (parent_id <> id)
);
create index categories_parent on catalog.categories (parent_id, rank, id);

-- Merchant-curated groups of products, independent of the tree.
create table catalog.collections (
  id text primary key,                  -- col_<ulid>
  handle text not null,
  title text not null,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  constraint collections_handle_key unique (handle)
);

create table catalog.products (
  id text primary key,                  -- prod_<ulid>: sorts by creation, the admin list's order
  handle text not null,
  title text not null,
  description text not null default '',
  status text not null default 'draft',
  version integer not null default 1,   -- optimistic-concurrency token, +1 per change
  attributes jsonb not null default '{}',
  images jsonb not null default '[]',   -- [{ url, alt, width, height }]
  options jsonb not null default '[]',  -- [{ title, values: [..] }]
  created_at timestamptz not null,
  updated_at timestamptz not null,
  published_at timestamptz,
  constraint products_handle_key unique (handle),
  constraint products_status check (status in ('draft', 'published', 'archived')),
  constraint products_handle_format check (handle ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
  constraint products_version_positive check (version > 0)
);
-- Admin list: keyset on id (desc) within a status; the primary key serves the unfiltered list.
create index products_status_id on catalog.products (status, id);
-- Admin search by title: contains (trigram, 3+ characters) and prefix (1-2 characters).
create index products_title_trgm on catalog.products using gin (lower(title) gin_trgm_ops);
create index products_title_prefix on catalog.products (lower(title) text_pattern_ops);

create table catalog.variants (
  id text primary key,                  -- var_<ulid>
  product_id text not null references catalog.products (id) on delete cascade,
  sku text not null,
  title text not null,
  options jsonb not null default '{}',  -- { <option title>: <value> }
  prices jsonb not null,                -- [{ amount (minor units), currency_code }], one per currency
  weight_grams integer,
  barcode text,
  rank integer not null default 0,      -- position within the product
  created_at timestamptz not null,
  updated_at timestamptz not null,
  constraint variants_sku_key unique (sku),
  constraint variants_weight check (weight_grams is null or weight_grams >= 0),
  constraint variants_prices check (jsonb_typeof(prices) = 'array' and jsonb_array_length(prices) > 0),
  constraint variants_options check (jsonb_typeof(options) = 'object')
);
-- One variant per option combination within a product. jsonb's text form is canonical (keys in
-- a fixed order), so equal combinations compare equal; the index also serves lookups by product.
create unique index variants_product_options on catalog.variants (product_id, (options::text));

-- A product's categories; `rank` keeps the merchant's order (the first is the primary one).
-- The primary key serves the admin list filtered by category, in product id order.
create table catalog.product_categories (
  category_id text not null references catalog.categories (id),
  product_id text not null references catalog.products (id) on delete cascade,
  rank integer not null default 0,
  primary key (category_id, product_id)
);
create index product_categories_product on catalog.product_categories (product_id, rank);

create table catalog.product_collections (
  collection_id text not null references catalog.collections (id),
  product_id text not null references catalog.products (id) on delete cascade,
  rank integer not null default 0,
  primary key (collection_id, product_id)
);
create index product_collections_product on catalog.product_collections (product_id, rank);
