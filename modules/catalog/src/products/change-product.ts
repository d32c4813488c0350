import { notFound } from '@emporium/platform';
import type { Transaction } from 'kysely';
import type { CatalogContext } from '../catalog-context.ts';
import type { ProductChanged, ProductDocument } from '../contract/index.ts';
import type { CatalogTables } from '../db/tables.ts';
import { fromUniqueViolation } from '../db/unique-violations.ts';
import { versionConflict } from '../errors.ts';
import { loadProduct } from './load-products.ts';
import { renderProduct } from './product-document.ts';
import { afterProductCommit, writeProductEvents } from './product-events.ts';

/** What a change did: its label for the event, or `false` when it changed nothing. */
export type ChangeOutcome = ProductChanged['change'] | false;

/**
 * Runs one change to an existing product in a transaction: locks the row, checks the version the
 * caller last read (optimistic concurrency: a stale one is 409 `version_conflict`), lets `change`
 * write, then bumps the version and writes the events. A change that reports `false` leaves the
 * version alone and writes no event (publishing a published product).
 */
export async function changeProduct(
  ctx: CatalogContext,
  productId: string,
  expectedVersion: number | undefined,
  change: (trx: Transaction<CatalogTables>, before: ProductDocument, now: Date) => Promise<ChangeOutcome>,
): Promise<ProductDocument> {
  let before: ProductDocument | undefined;
  let changed = false;
  let after: ProductDocument;
  try {
    after = await ctx.db.transaction(async (trx) => {
      const locked = await trx
        .selectFrom('catalog.products')
        .select('version')
        .where('id', '=', productId)
        .forUpdate()
        .executeTakeFirst();
      if (!locked) throw notFound('This product');
      if (expectedVersion !== undefined && locked.version !== expectedVersion) {
        throw versionConflict(locked.version, expectedVersion);
      }
      const current = await loadProduct(trx, productId);
      if (!current) throw notFound('This product');
      before = current;
      const now = ctx.clock.now();
      const outcome = await change(trx, current, now);
      if (outcome === false) return current;
      changed = true;
      await trx
        .updateTable('catalog.products')
        .set((eb) => ({ version: eb('version', '+', 1), updated_at: now }))
        .where('id', '=', productId)
        .execute();
      const updated = await renderProduct(trx, productId);
      await writeProductEvents(trx, ctx.clock, updated, outcome, current);
      return updated;
    });
  } catch (err) {
    throw fromUniqueViolation(err) ?? err;
  }
  if (changed) await afterProductCommit(ctx, after, before);
  return after;
}
