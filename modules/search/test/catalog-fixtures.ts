import {
  type CategoryChanged,
  type CategoryDocument,
  catalogEvents,
  type ProductChanged,
  type ProductDocument,
} from '@emporium/catalog/contract';
import { type Database, type EventEnvelope, migrate, newId, writeEvents } from '@emporium/platform';
import { searchMigrations } from '../src/index.ts';
import { indexCatalogEvent } from '../src/projection/subscribe-indexer.ts';

/** Until the composition root registers them, tests apply the search migrations (idempotent). */
export async function migrateSearch(db: Database): Promise<void> {
  await migrate(db, [searchMigrations]);
}

export type ProductInput = Partial<Omit<ProductDocument, 'variants'>> & {
  title: string;
  /** Shorthand for variants: `{ usd: 1999, eur: 1799 }` per variant, with its options. */
  prices?: Record<string, number>;
  variantOptions?: Array<Record<string, string>>;
};

/** A product document as the catalog would publish it, with sensible defaults. */
export function productDoc(input: ProductInput): ProductDocument {
  const id = input.id ?? newId('prod');
  const prices = Object.entries(input.prices ?? { usd: 1000 }).map(([currency_code, amount]) => ({
    amount,
    currency_code,
  }));
  const combos = input.variantOptions ?? [{}];
  const at = input.created_at ?? '2026-01-01T00:00:00.000Z';
  return {
    id,
    handle: input.handle ?? `${input.title.toLowerCase().replace(/[^a-z0-9]+/g, '-')}-${id.slice(-6)}`,
    title: input.title,
    description: input.description ?? '',
    status: input.status ?? 'published',
    version: input.version ?? 1,
    attributes: input.attributes ?? {},
    images: input.images ?? [{ url: `/media/${id}.jpg`, alt: input.title, width: 100, height: 100 }],
    options: input.options ?? [],
    category_ids: input.category_ids ?? [],
    collection_ids: [],
    variants: combos.map((options, i) => ({
      id: `var_${id.slice(5)}${i}`,
      sku: `${id}-${i}`,
      title: Object.values(options).join(' / ') || 'Default',
      options,
      prices,
      weight_grams: null,
      barcode: null,
    })),
    created_at: at,
    updated_at: input.updated_at ?? at,
    published_at: input.published_at === undefined ? at : input.published_at,
  };
}

export function categoryDoc(input: Partial<CategoryDocument> & { handle: string }): CategoryDocument {
  return {
    id: input.id ?? newId('cat'),
    handle: input.handle,
    name: input.name ?? input.handle,
    description: '',
    parent_id: input.parent_id ?? null,
    rank: input.rank ?? 0,
  };
}

/** Writes catalog events to the outbox in one transaction, as the catalog does. */
export async function writeCatalogEvents(
  db: Database,
  events: ReadonlyArray<
    { type: 'product'; payload: ProductChanged } | { type: 'category'; payload: CategoryChanged }
  >,
): Promise<EventEnvelope[]> {
  return db.transaction((trx) =>
    writeEvents<ProductChanged | CategoryChanged>(
      trx,
      events.map((e) =>
        e.type === 'product'
          ? { type: catalogEvents.productChanged, key: e.payload.product.id, payload: e.payload }
          : { type: catalogEvents.categoryChanged, key: e.payload.category.id, payload: e.payload },
      ),
    ),
  ) as Promise<EventEnvelope[]>;
}

export const productChanged = (
  product: ProductDocument,
  categories: readonly CategoryDocument[] = [],
): ProductChanged => ({
  product,
  categories: categories
    .filter((c) => product.category_ids.includes(c.id))
    .map((c) => ({ id: c.id, handle: c.handle, name: c.name })),
  change: product.status === 'published' ? 'published' : 'unpublished',
});

/** Writes the events and hands each to the projection's handler directly, in order. */
export async function indexDirectly(
  db: Database,
  events: Parameters<typeof writeCatalogEvents>[1],
): Promise<EventEnvelope[]> {
  const envelopes = await writeCatalogEvents(db, events);
  for (const envelope of envelopes) await indexCatalogEvent(db, envelope);
  return envelopes;
}
