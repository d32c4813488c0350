import { isId } from '@emporium/platform';
import type { CatalogContext } from '../catalog-context.ts';
import { decodeCursor, toPage } from '../http/cursor.ts';
import { documentOf } from './product-document.ts';
import type { ListProductsQuery } from './product-schemas.ts';

/** `%` and `_` in what an admin typed are literal characters, not wildcards. */
const escapeLike = (text: string): string => text.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * The admin product list as the JSON text of `{ data: ProductDocument[], next_cursor }` (the
 * documents as stored on the rows, see product-document.ts). Newest first (ids are
 * time-sortable), by keyset on the id: each filter
 * has an index that yields rows in id order (primary key; `(status, id)`; the link tables' primary
 * keys `(category_id, product_id)`), so page 1 and page 50 000 read the same few index entries.
 * `q` matches the title: contains (trigram index) from three characters, prefix below that.
 */
export async function listProducts(ctx: CatalogContext, query: ListProductsQuery): Promise<string> {
  const after = decodeCursor(query.cursor);
  const db = ctx.db.replica();
  const categoryId =
    query.category === undefined ? undefined : await resolveId(ctx, 'category', query.category);
  const collectionId =
    query.collection === undefined ? undefined : await resolveId(ctx, 'collection', query.collection);
  if (categoryId === null || collectionId === null) return '{"data":[],"next_cursor":null}';

  let select = db.selectFrom('catalog.products as p').select(['p.id', documentOf.as('doc')]);
  let idColumn: 'p.id' | 'pc.product_id' | 'pl.product_id' = 'p.id';
  if (categoryId !== undefined) {
    select = select
      .innerJoin('catalog.product_categories as pc', 'pc.product_id', 'p.id')
      .where('pc.category_id', '=', categoryId);
    idColumn = 'pc.product_id';
  }
  if (collectionId !== undefined) {
    select = select
      .innerJoin('catalog.product_collections as pl', 'pl.product_id', 'p.id')
      .where('pl.collection_id', '=', collectionId);
    if (categoryId === undefined) idColumn = 'pl.product_id';
  }
  if (query.status !== undefined) select = select.where('p.status', '=', query.status);
  if (query.q !== undefined) {
    const text = escapeLike(query.q.toLowerCase());
    const pattern = query.q.length >= 3 ? `%${text}%` : `${text}%`;
    select = select.where((eb) => eb(eb.fn('lower', ['p.title']), 'like', pattern));
  }
  // The id of the table the index walks, so the keyset condition and the order use that index.
  const key = db.dynamic.ref<string>(idColumn);
  if (after !== undefined) select = select.where(key, '<', after);
  const rows = await select
    .orderBy(key, 'desc')
    .limit(query.limit + 1)
    .execute();
  const { data, next_cursor } = toPage(rows, query.limit);
  return `{"data":[${data.map((r) => r.doc).join(',')}],"next_cursor":${JSON.stringify(next_cursor)}}`;
}

/** A category or collection named by id or handle: its id, or null when there is none. */
async function resolveId(ctx: CatalogContext, kind: 'category' | 'collection', idOrHandle: string) {
  const table = kind === 'category' ? 'catalog.categories' : 'catalog.collections';
  const prefix = kind === 'category' ? 'cat' : 'col';
  if (isId(idOrHandle, prefix)) return idOrHandle;
  const row = await ctx.db
    .replica()
    .selectFrom(table)
    .select('id')
    .where('handle', '=', idOrHandle)
    .executeTakeFirst();
  return row?.id ?? null;
}
