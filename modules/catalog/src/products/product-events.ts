import { type AnyTables, type Clock, type NewEvent, writeEvents } from '@emporium/platform';
import type { Transaction } from 'kysely';
import { productChangeTags } from '../cache/cache-tags.ts';
import { invalidateAfterCommit } from '../cache/invalidate.ts';
import type { CatalogContext } from '../catalog-context.ts';
import {
  catalogEvents,
  type ProductChanged,
  type ProductDocument,
  type SurrogateKeysPurged,
} from '../contract/index.ts';
import type { CatalogTables } from '../db/tables.ts';

/**
 * Writes `catalog.product.changed.v1` (the whole document and its category names) and, when the
 * store shows or showed the product, `catalog.surrogate_keys.purged.v1` (its id and its category
 * ids before and after), in the transaction of the change.
 */
export async function writeProductEvents(
  trx: Transaction<CatalogTables>,
  clock: Clock,
  product: ProductDocument,
  change: ProductChanged['change'],
  before?: ProductDocument,
): Promise<void> {
  const rows =
    product.category_ids.length === 0
      ? []
      : await trx
          .selectFrom('catalog.categories')
          .select(['id', 'handle', 'name'])
          .where('id', 'in', product.category_ids)
          .execute();
  const byId = new Map(rows.map((r) => [r.id, r]));
  const categories = product.category_ids.flatMap((id) => {
    const row = byId.get(id);
    return row ? [{ id: row.id, handle: row.handle, name: row.name }] : [];
  });
  const payload: ProductChanged = {
    product,
    categories,
    change,
    previous_handle: before && before.handle !== product.handle ? before.handle : null,
    previous_variant_ids: (before?.variants ?? [])
      .map((v) => v.id)
      .filter((id) => !product.variants.some((v) => v.id === id)),
  };
  const events: NewEvent[] = [{ type: catalogEvents.productChanged, key: product.id, payload }];
  if (product.status === 'published' || before?.status === 'published') {
    const keys: SurrogateKeysPurged = {
      keys: [...new Set([product.id, ...(before?.category_ids ?? []), ...product.category_ids])],
    };
    events.push({ type: catalogEvents.surrogateKeysPurged, key: product.id, payload: keys });
  }
  await writeEvents(trx as Transaction<AnyTables>, events, clock);
}

/** After the commit: wake the relay, and drop what this process (or Redis) cached of the product. */
export async function afterProductCommit(
  ctx: CatalogContext,
  product: ProductDocument,
  before?: ProductDocument,
): Promise<void> {
  ctx.bus.nudge();
  await invalidateAfterCommit(
    ctx,
    productChangeTags(
      product.id,
      [product.handle, before?.handle],
      [...product.variants, ...(before?.variants ?? [])].map((v) => v.id),
    ),
  );
}
