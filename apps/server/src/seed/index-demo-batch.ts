import { type CategoryDocument, catalogEvents, type ProductChanged } from '@emporium/catalog/contract';
import { type Database, type EventEnvelope, newId } from '@emporium/platform';
import { bulkIndexProducts, indexCatalogEvent } from '@emporium/search';
import { type DemoProduct, demoCategories, demoDepartments } from './demo-catalog.ts';

const envelope = (type: string, payload: unknown, key: string): EventEnvelope => ({
  id: newId('evt'),
  type,
  key,
  occurredAt: new Date().toISOString(),
  payload,
  headers: { source: 'seed' },
});

const tree = [
  ...demoDepartments.map((d, rank) => ({
    handle: d.handle,
    name: d.name,
    parent: null as string | null,
    rank,
  })),
  ...demoCategories.map((c, rank) => ({ handle: c.handle, name: c.name, parent: c.parent, rank })),
];
const names = new Map(tree.map((c) => [c.handle, c.name]));

/**
 * The seeder's bulk load writes no events, so search is told what the catalog would have
 * written: the category tree first, through the projection's own event handler (once per run, so
 * that a category filter finds products of its subcategories), then each batch of products through
 * the projection's set-based bulk path (the same SQL as the event path, a batch per statement).
 */
export async function indexDemoCategories(db: Database, categoryIds: Map<string, string>): Promise<void> {
  for (const c of tree) {
    const category: CategoryDocument = {
      id: categoryIds.get(c.handle) ?? '',
      handle: c.handle,
      name: c.name,
      description: '',
      parent_id: c.parent ? (categoryIds.get(c.parent) ?? null) : null,
      rank: c.rank,
    };
    await indexCatalogEvent(
      db,
      envelope(catalogEvents.categoryChanged, { category, change: 'created' }, category.id),
    );
  }
}

export async function indexDemoBatch(
  db: Database,
  batch: ReadonlyArray<{ demo: DemoProduct; productId: string; variantIds: string[] }>,
  categoryIds: Map<string, string>,
): Promise<void> {
  const changes = batch.map(({ demo, productId, variantIds }): ProductChanged => {
    const categoryId = categoryIds.get(demo.categoryHandle) ?? '';
    const at = demo.createdAt.toISOString();
    return {
      product: {
        id: productId,
        handle: demo.handle,
        title: demo.title,
        description: demo.description,
        status: 'published',
        version: 1,
        attributes: demo.attributes,
        images: demo.images,
        options: demo.options,
        category_ids: [categoryId],
        collection_ids: [],
        variants: demo.variants.map((v, i) => ({
          id: variantIds[i] ?? '',
          sku: v.sku,
          title: v.title,
          options: v.options,
          prices: v.prices,
          weight_grams: v.weight_grams,
          barcode: v.barcode,
        })),
        created_at: at,
        updated_at: at,
        published_at: at,
      },
      categories: [
        { id: categoryId, handle: demo.categoryHandle, name: names.get(demo.categoryHandle) ?? '' },
      ],
      change: 'created',
    };
  });
  await bulkIndexProducts(db, changes);
}
