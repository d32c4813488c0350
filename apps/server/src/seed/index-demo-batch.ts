import type { Database } from '@emporium/platform';
import type { DemoProduct } from './demo-catalog.ts';

/** Indexes a seeded batch for search. Filled in when the search module lands. */
export async function indexDemoBatch(
  _db: Database,
  _batch: ReadonlyArray<{ demo: DemoProduct; productId: string; variantIds: string[] }>,
  _categoryIds: Map<string, string>,
): Promise<void> {}
