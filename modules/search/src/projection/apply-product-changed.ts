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
  const { product } = event;
  // The row lock taken here also serialises concurrent events for the same product.
  const claimed = await trx
    .insertInto('search.product_versions')
    .values({ id: product.id, version: product.version })
    .onConflict((oc) =>
      oc
        .column('id')
        .doUpdateSet({ version: (eb) => eb.ref('excluded.version') })
        .where('search.product_versions.version', '<', (eb) => eb.ref('excluded.version')),
    )
    .returning('id')
    .executeTakeFirst();
  if (!claimed) return 'stale';

  if (product.status !== 'published') {
    await trx.deleteFrom('search.products').where('id', '=', product.id).execute();
    return 'removed';
  }

  // Names from the event, so facets can label a category before its own event arrives.
  const known = event.categories
    .filter((c) => product.category_ids.includes(c.id))
    .sort((a, b) => (a.id < b.id ? -1 : 1));
  if (known.length > 0) {
    await trx
      .insertInto('search.categories')
      .values(known.map((c) => ({ id: c.id, handle: c.handle, name: c.name, path: [c.id] })))
      .onConflict((oc) => oc.column('id').doNothing())
      .execute();
  }

  const row = toProductRow(product, event.categories);
  const prices = Object.fromEntries(row.prices.map((p) => [p.currency, p.minAmount]));
  await sql`
    insert into search.products (id, handle, title, thumbnail, category_ids, category_path_ids,
      option_values, prices, title_norm, vector, version, created_at, published_at)
    select ${row.id}, ${row.handle}, ${row.title}, ${row.thumbnail}, ${row.categoryIds}::text[], c.path,
      ${row.optionValues}::text[], ${JSON.stringify(prices)}::jsonb, search.normalize(${row.title}),
      search.document_vector(${row.title}, ${row.keywords}, ${row.description})
        || array_to_tsvector(search.category_terms(c.path)),
      ${row.version}, ${row.createdAt}, ${row.publishedAt}
    from (select search.category_closure(${row.categoryIds}::text[]) as path) c
    on conflict (id) do update set handle = excluded.handle, title = excluded.title,
      thumbnail = excluded.thumbnail, category_ids = excluded.category_ids,
      category_path_ids = excluded.category_path_ids, option_values = excluded.option_values,
      prices = excluded.prices, title_norm = excluded.title_norm, vector = excluded.vector,
      version = excluded.version, created_at = excluded.created_at, published_at = excluded.published_at`.execute(
    trx,
  );

  await trx.deleteFrom('search.listings').where('product_id', '=', row.id).execute();
  if (row.prices.length > 0) {
    await trx
      .insertInto('search.listings')
      .values(
        row.prices.map((p) => ({
          product_id: row.id,
          currency: p.currency,
          category_id: '',
          min_amount: p.minAmount,
          published_at: row.publishedAt,
        })),
      )
      .execute();
    await sql`select search.refresh_listings(${[row.id]}::text[])`.execute(trx);
  }

  await sql`
    insert into search.words (word)
    select w.lexeme from search.products p, unnest(p.vector) w
    where p.id = ${row.id} and w.weights && '{A,B}'::text[] and length(w.lexeme) between 3 and 40
      and w.lexeme !~ '[[:punct:]]'
    order by w.lexeme -- one lock order for every writer: concurrent inserts of shared words cannot deadlock
    on conflict (word) do nothing`.execute(trx);
  return 'indexed';
}
