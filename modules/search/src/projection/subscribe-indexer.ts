import { type CategoryChanged, catalogEvents, type ProductChanged } from '@emporium/catalog/contract';
import { type Database, type EventBus, type EventEnvelope, handleOnce } from '@emporium/platform';
import type { Transaction } from 'kysely';
import type { SearchTables } from '../tables.ts';
import { applyCategoryChanged } from './apply-category-changed.ts';
import { applyProductChanged, applyProductChanges, type ProjectionOutcome } from './apply-product-changed.ts';

/** The durable consumer name of the projection; keep it stable across releases. */
export const INDEXER_CONSUMER = 'search-indexer';

/**
 * Applies one catalog event to the projection, at most once (`handleOnce`). Returns undefined when
 * the event had already been handled. Exported for tests and replays; the bus calls it through
 * `subscribeIndexer`.
 */
export async function indexCatalogEvent(
  db: Database,
  event: EventEnvelope,
): Promise<ProjectionOutcome | undefined> {
  let outcome: ProjectionOutcome | undefined;
  await handleOnce(db, INDEXER_CONSUMER, event, async (trx) => {
    const searchTrx = trx as Transaction<SearchTables>;
    if (event.type === catalogEvents.productChanged) {
      outcome = await applyProductChanged(searchTrx, asProductChanged(event.payload));
    } else if (event.type === catalogEvents.categoryChanged) {
      outcome = await applyCategoryChanged(searchTrx, asCategoryChanged(event.payload), event.id);
    }
  });
  return outcome;
}

/**
 * Keeps the projection current from catalog events; `onChanged` runs after every event that may
 * have changed it (also after a redelivery, in case the first delivery failed before it ran).
 */
export function subscribeIndexer(bus: EventBus, db: Database, onChanged: () => Promise<void>): void {
  bus.subscribe(
    INDEXER_CONSUMER,
    [catalogEvents.productChanged, catalogEvents.categoryChanged],
    async (event) => {
      const outcome = await indexCatalogEvent(db, event);
      if (outcome !== 'stale') await onChanged();
    },
  );
}

// The catalog is trusted, but a malformed payload must fail loudly (and be dead-lettered after its
// retries) rather than write half a row.
function asProductChanged(payload: unknown): ProductChanged {
  const p = payload as Partial<ProductChanged> | null;
  const product = p?.product;
  const ok =
    product !== undefined &&
    typeof product.id === 'string' &&
    Number.isInteger(product.version) &&
    typeof product.status === 'string' &&
    typeof product.title === 'string' &&
    Array.isArray(product.category_ids) &&
    Array.isArray(product.variants) &&
    Array.isArray(p?.categories);
  if (!ok) throw new Error(`malformed ${catalogEvents.productChanged} payload`);
  return p as ProductChanged;
}

function asCategoryChanged(payload: unknown): CategoryChanged {
  const p = payload as Partial<CategoryChanged> | null;
  const category = p?.category;
  const ok = category !== undefined && typeof category.id === 'string' && typeof category.name === 'string';
  if (!ok) throw new Error(`malformed ${catalogEvents.categoryChanged} payload`);
  return p as CategoryChanged;
}

/**
 * Indexes many product changes in one transaction, in a fixed number of statements: for bulk loads
 * (seeding, rebuilding the projection from the catalog), which write no events. The version guard
 * still applies, so a bulk load never overwrites a newer version written by the event path.
 */
export async function bulkIndexProducts(
  db: Database,
  changes: readonly ProductChanged[],
): Promise<Map<string, ProjectionOutcome>> {
  return db.transaction((trx) => applyProductChanges(trx as Transaction<SearchTables>, changes));
}
