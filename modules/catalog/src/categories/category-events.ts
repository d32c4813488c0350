import { type AnyTables, type Clock, type NewEvent, writeEvents } from '@emporium/platform';
import type { Transaction } from 'kysely';
import { categoriesTag } from '../cache/cache-tags.ts';
import { invalidateAfterCommit } from '../cache/invalidate.ts';
import type { CatalogContext } from '../catalog-context.ts';
import {
  type CategoryChanged,
  type CategoryDocument,
  catalogEvents,
  type SurrogateKeysPurged,
} from '../contract/index.ts';
import type { CatalogTables } from '../db/tables.ts';

/** Surrogate key of `GET /store/categories`. */
export const CATEGORIES_SURROGATE_KEY = 'categories';

export async function writeCategoryEvents(
  trx: Transaction<CatalogTables>,
  clock: Clock,
  category: CategoryDocument,
  change: CategoryChanged['change'],
): Promise<void> {
  const changed: CategoryChanged = { category, change };
  const purged: SurrogateKeysPurged = { keys: [category.id, CATEGORIES_SURROGATE_KEY] };
  const events: NewEvent[] = [
    { type: catalogEvents.categoryChanged, key: category.id, payload: changed },
    { type: catalogEvents.surrogateKeysPurged, key: category.id, payload: purged },
  ];
  await writeEvents(trx as Transaction<AnyTables>, events, clock);
}

export async function afterCategoryCommit(ctx: CatalogContext): Promise<void> {
  ctx.bus.nudge();
  await invalidateAfterCommit(ctx, [categoriesTag]);
}
