import type { ProductChanged } from '@emporium/catalog/contract';
import { sql, type Transaction } from 'kysely';
import type { SearchTables } from '../tables.ts';
import { toProductRow } from './product-row.ts';

/** What an event did to the projection. */
export type ProjectionOutcome = 'indexed' | 'removed' | 'stale';

/**
 * Applies one `catalog.product.changed.v1` inside the caller's transaction (run it under
 * `handleOnce`). Events may arrive out of order: one whose product version is not newer than the
 * newest already seen for that product changes nothing.
 */
export async function applyProductChanged(
  trx: Transaction<SearchTables>,
  event: ProductChanged,
): Promise<ProjectionOutcome> {
  const outcomes = await applyProductChanges(trx, [event]);
  return outcomes.get(event.product.id) ?? 'stale';
}

/**
 * Applies many product changes in a fixed number of statements, whatever their count: the event
 * path applies one at a time, the bulk loader (seeding, rebuilds) a few thousand per transaction.
 * A product may appear once per call. Returns each product's outcome.
 */
export async function applyProductChanges(
  trx: Transaction<SearchTables>,
  events: readonly ProductChanged[],
): Promise<Map<string, ProjectionOutcome>> {
  const outcomes = new Map<string, ProjectionOutcome>();
  if (events.length === 0) return outcomes;
  // Sorted by id: one lock order for every writer, so concurrent batches cannot deadlock.
  const sorted = [...events].sort((a, b) => (a.product.id < b.product.id ? -1 : 1));

  // The row locks taken here also serialise concurrent events for the same product.
  const claimed = await trx
    .insertInto('search.product_versions')
    .values(sorted.map((e) => ({ id: e.product.id, version: e.product.version })))
    .onConflict((oc) =>
      oc
        .column('id')
        .doUpdateSet({ version: (eb) => eb.ref('excluded.version') })
        .where('search.product_versions.version', '<', (eb) => eb.ref('excluded.version')),
    )
    .returning('id')
    .execute();
  const fresh = new Set(claimed.map((r) => r.id));
  for (const e of sorted) if (!fresh.has(e.product.id)) outcomes.set(e.product.id, 'stale');

  const current = sorted.filter((e) => fresh.has(e.product.id));
  const removed = current.filter((e) => e.product.status !== 'published').map((e) => e.product.id);
  if (removed.length > 0) {
    await trx.deleteFrom('search.products').where('id', 'in', removed).execute();
    for (const id of removed) outcomes.set(id, 'removed');
  }
  const published = current.filter((e) => e.product.status === 'published');
  if (published.length === 0) return outcomes;

  await rememberCategoryNames(trx, published);
  const ids = published.map((e) => e.product.id);
  const rows = published.map((e) => {
    const row = toProductRow(e.product, e.categories);
    return {
      id: row.id,
      handle: row.handle,
      title: row.title,
      thumbnail: row.thumbnail,
      category_ids: row.categoryIds,
      option_values: row.optionValues,
      prices: Object.fromEntries(row.prices.map((p) => [p.currency, p.minAmount])),
      keywords: row.keywords,
      description: row.description,
      version: row.version,
      created_at: row.createdAt,
      published_at: row.publishedAt,
    };
  });

  // One JSON parameter rather than 13 × N bind parameters: PostgreSQL caps a statement at 65 535.
  await sql`
    insert into search.products (id, handle, title, thumbnail, category_ids, category_path_ids,
      option_values, prices, title_norm, vector, version, created_at, published_at)
    select r.id, r.handle, r.title, r.thumbnail, r.category_ids, c.path, r.option_values, r.prices,
      search.normalize(r.title),
      search.document_vector(r.title, r.keywords, r.description)
        || array_to_tsvector(search.category_terms(c.path)),
      r.version, r.created_at, r.published_at
    from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as r(id text, handle text, title text,
      thumbnail text, category_ids text[], option_values text[], prices jsonb, keywords text,
      description text, version integer, created_at timestamptz, published_at timestamptz)
    cross join lateral (select search.category_closure(r.category_ids) as path) c
    order by r.id
    on conflict (id) do update set handle = excluded.handle, title = excluded.title,
      thumbnail = excluded.thumbnail, category_ids = excluded.category_ids,
      category_path_ids = excluded.category_path_ids, option_values = excluded.option_values,
      prices = excluded.prices, title_norm = excluded.title_norm, vector = excluded.vector,
      version = excluded.version, created_at = excluded.created_at, published_at = excluded.published_at`.execute(
    trx,
  );

  await trx.deleteFrom('search.listings').where('product_id', 'in', ids).execute();
  await sql`
    insert into search.listings (product_id, currency, category_id, min_amount, published_at)
    select p.id, price.key, '', price.value::bigint, p.published_at
    from search.products p cross join lateral jsonb_each_text(p.prices) price
    where p.id = any(${ids}::text[])
    order by 1, 2`.execute(trx);
  await sql`select search.refresh_listings(${ids}::text[])`.execute(trx);

  await sql`
    insert into search.words (word)
    select distinct w.lexeme from search.products p, unnest(p.vector) w
    where p.id = any(${ids}::text[]) and w.weights && '{A,B}'::text[]
      and length(w.lexeme) between 3 and 40 and w.lexeme !~ '[[:punct:]]'
    order by w.lexeme -- one lock order for every writer: concurrent inserts of shared words cannot deadlock
    on conflict (word) do nothing`.execute(trx);

  for (const id of ids) outcomes.set(id, 'indexed');
  return outcomes;
}

// Names from the events, so facets can label a category before its own event arrives.
async function rememberCategoryNames(
  trx: Transaction<SearchTables>,
  events: readonly ProductChanged[],
): Promise<void> {
  const known = new Map<string, { id: string; handle: string; name: string; path: string[] }>();
  for (const e of events) {
    for (const c of e.categories) {
      if (e.product.category_ids.includes(c.id)) {
        known.set(c.id, { id: c.id, handle: c.handle, name: c.name, path: [c.id] });
      }
    }
  }
  if (known.size === 0) return;
  await trx
    .insertInto('search.categories')
    .values([...known.values()].sort((a, b) => (a.id < b.id ? -1 : 1)))
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
}
