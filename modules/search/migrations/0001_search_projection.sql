-- The store's search projection: built from catalog events (or a bulk loader), read by the search port.
-- Nothing here is the source of truth; it can be dropped and rebuilt from the catalog.

-- lower(unaccent(text)). unaccent() is only STABLE, so nothing indexed calls this: the projection
-- stores its results (title_norm, vector) when a row is written.
create function search.normalize(input text) returns text
  language sql stable parallel safe
  as $$ select lower(unaccent(coalesce(input, ''))) $$;

-- Prefixes (2 to 20 characters, shorter than the word) of the words of an already normalised text:
-- stored in the document so that as-you-type prefixes are exact lexemes, which the GIN index finds
-- as fast as whole words (a `word:*` prefix query has to read every matching posting list).
create function search.prefixes(normalized text) returns text
  language sql immutable parallel safe
  as $$
    select coalesce(string_agg(left(w, n), ' '), '')
    from unnest(tsvector_to_array(to_tsvector('simple', normalized))) w
    cross join lateral generate_series(2, least(length(w) - 1, 20)) n
    where w !~ '[[:punct:]]'
  $$;

-- The weighted document:
--   A  title words
--   B  category names, attribute values and option values
--   C  description words, and prefixes of title words
--   D  prefixes of B words
-- 'simple' keeps every word as written (no stemming, no stop words), which suits product names in
-- any language and keeps prefixes predictable. Lexemes weighted A or B are the whole words of the
-- vocabulary (search.words).
create function search.document_vector(title text, keywords text, description text) returns tsvector
  language sql stable parallel safe
  as $$
    select setweight(to_tsvector('simple', t), 'A')
        || setweight(to_tsvector('simple', k), 'B')
        || setweight(to_tsvector('simple', search.normalize(description)), 'C')
        || setweight(to_tsvector('simple', search.prefixes(t)), 'C')
        || setweight(to_tsvector('simple', search.prefixes(k)), 'D')
    from (select search.normalize(title) as t, search.normalize(keywords) as k) n
  $$;

-- The category tree, from catalog.category.changed.v1. Deleted categories stay as tombstones so a
-- late, older event cannot bring them back.
create table search.categories (
  id text primary key,
  handle text not null,
  name text not null,
  parent_id text,
  rank integer not null default 0,
  -- Ids from the root down to this category (itself last); maintained from parent_id.
  path text[] not null,
  deleted boolean not null default false,
  -- Id of the newest event applied (event ids sort by time); older deliveries are ignored.
  last_event_id text
);
create index categories_handle_idx on search.categories (handle);

-- A product's direct categories plus all their ancestors (unknown categories stand for themselves).
create function search.category_closure(ids text[]) returns text[]
  language sql stable parallel safe
  as $$
    select coalesce(array_agg(distinct x order by x), '{}')
    from unnest(ids) d
    left join search.categories c on c.id = d and not c.deleted and cardinality(c.path) > 0
    cross join lateral unnest(coalesce(c.path, array[d])) x
  $$;

-- Category membership as lexemes ('_c:' || id, no position): a category filter then becomes part
-- of the tsquery, and the GIN index intersects it with the words in one scan (two bitmaps ANDed
-- cost several times more). No query word can produce one: query words are letters and digits.
create function search.category_terms(ids text[]) returns text[]
  language sql immutable parallel safe
  as $$ select coalesce(array_agg(distinct '_c:' || id), '{}') from unnest(ids) id $$;

-- The newest version seen of every product, published or not: the guard against out-of-order events.
create table search.product_versions (
  id text primary key,
  version integer not null
);

-- One row per published product: what a result card, a text match, a filter or a facet needs.
create table search.products (
  id text primary key,
  handle text not null,
  title text not null,
  thumbnail text,
  -- As the catalog has them (returned in hits).
  category_ids text[] not null,
  -- category_ids plus ancestors: `category=` matches descendants, and facets count them.
  category_path_ids text[] not null,
  -- 'Title:Value' for every option value some variant has, e.g. 'Size:M'.
  option_values text[] not null,
  -- Lowest variant price per currency in minor units: {"usd": 1999, "eur": 1899}.
  prices jsonb not null,
  title_norm text not null,
  -- search.document_vector(...) || array_to_tsvector(search.category_terms(category_path_ids))
  vector tsvector not null,
  version integer not null,
  created_at timestamptz not null,
  published_at timestamptz not null
);
create index products_vector_idx on search.products using gin (vector);
create index products_title_trgm_idx on search.products using gin (title_norm gin_trgm_ops);
create index products_options_idx on search.products using gin (option_values);
-- Only for re-deriving ancestors when a category moves; queries filter categories through the vector.
create index products_category_idx on search.products using gin (category_path_ids);

-- Where each product is listed, in sort order: one row per (currency it has a price in, category
-- it is in or under), plus one with category_id '' for the whole catalogue. A category page sorted
-- by price or date is then a range scan of one index, however the categories, prices and dates of
-- a million products correlate. min_amount is the lowest variant price in minor units (as in
-- products.prices).
create table search.listings (
  product_id text not null references search.products (id) on delete cascade,
  currency text not null,
  category_id text not null,
  min_amount bigint not null,
  published_at timestamptz not null,
  primary key (product_id, currency, category_id)
);
create index listings_price_idx on search.listings (category_id, currency, min_amount, product_id);
create index listings_newest_idx on search.listings (category_id, currency, published_at, product_id);

-- Rebuilds the per-category listing rows of the given products from their whole-catalogue rows
-- (category_id '') and their category_path_ids; run after either changes.
create function search.refresh_listings(ids text[]) returns void
  language sql volatile
  as $$
    delete from search.listings where product_id = any(ids) and category_id <> '';
    insert into search.listings (product_id, currency, category_id, min_amount, published_at)
    select l.product_id, l.currency, c.id, l.min_amount, l.published_at
    from search.listings l
    join search.products p on p.id = l.product_id
    cross join lateral unnest(p.category_path_ids) as c(id)
    where l.product_id = any(ids) and l.category_id = ''
    order by 1, 2, 3;
  $$;

-- Vocabulary of title and keyword lexemes, for "did you mean" (nearest words by trigram distance).
-- Words are never removed: a word whose products have gone corrects to a search that finds nothing,
-- which is then not offered.
create table search.words (
  word text primary key
);
create index words_trgm_idx on search.words using gist (word gist_trgm_ops);
