import { type AnyTables, newId, notFound, writeEvents } from '@emporium/platform';
import type { Transaction } from 'kysely';
import type { CatalogContext } from '../catalog-context.ts';
import { type CollectionChanged, type CollectionDocument, catalogEvents } from '../contract/index.ts';
import type { Executor } from '../db/executor.ts';
import { isForeignKeyViolation, violatedUnique } from '../db/pg-errors.ts';
import type { CatalogTables } from '../db/tables.ts';
import { fromUniqueViolation } from '../db/unique-violations.ts';
import { collectionNotEmpty, handleTaken } from '../errors.ts';
import { freeHandle, isHandleFree } from '../handles/free-handle.ts';
import { slugify } from '../handles/slug.ts';
import type { CreateCollectionBody, UpdateCollectionBody } from './collection-schemas.ts';

type Trx = Transaction<CatalogTables>;

export function selectCollections(db: Executor) {
  return db.selectFrom('catalog.collections').select(['id', 'handle', 'title']);
}

async function writeCollectionEvent(
  trx: Trx,
  ctx: CatalogContext,
  collection: CollectionDocument,
  change: CollectionChanged['change'],
): Promise<void> {
  const payload: CollectionChanged = { collection, change };
  await writeEvents(
    trx as Transaction<AnyTables>,
    [{ type: catalogEvents.collectionChanged, key: collection.id, payload }],
    ctx.clock,
  );
}

async function inTransaction<T>(
  ctx: CatalogContext,
  generatedHandle: boolean,
  fn: (trx: Trx) => Promise<T>,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      const result = await ctx.db.transaction(fn);
      ctx.bus.nudge();
      return result;
    } catch (err) {
      if (generatedHandle && violatedUnique(err) === 'collections_handle_key' && attempt < 3) continue;
      if (isForeignKeyViolation(err)) throw collectionNotEmpty();
      throw fromUniqueViolation(err) ?? err;
    }
  }
}

export function createCollection(
  ctx: CatalogContext,
  input: CreateCollectionBody,
): Promise<CollectionDocument> {
  return inTransaction(ctx, input.handle === undefined, async (trx) => {
    let handle = input.handle;
    if (handle === undefined)
      handle = await freeHandle(trx, 'catalog.collections', slugify(input.title, 'collection'));
    else if (!(await isHandleFree(trx, 'catalog.collections', handle)))
      throw handleTaken('collection', handle);
    const now = ctx.clock.now();
    const collection: CollectionDocument = { id: newId('col', now.getTime()), handle, title: input.title };
    await trx
      .insertInto('catalog.collections')
      .values({ ...collection, created_at: now, updated_at: now })
      .execute();
    await writeCollectionEvent(trx, ctx, collection, 'created');
    return collection;
  });
}

export function updateCollection(
  ctx: CatalogContext,
  id: string,
  patch: UpdateCollectionBody,
): Promise<CollectionDocument> {
  return inTransaction(ctx, false, async (trx) => {
    if (patch.handle !== undefined && !(await isHandleFree(trx, 'catalog.collections', patch.handle, id))) {
      throw handleTaken('collection', patch.handle);
    }
    const updated = await trx
      .updateTable('catalog.collections')
      .set({ ...patch, updated_at: ctx.clock.now() })
      .where('id', '=', id)
      .returning(['id', 'handle', 'title'])
      .executeTakeFirst();
    if (!updated) throw notFound('This collection');
    await writeCollectionEvent(trx, ctx, updated, 'updated');
    return updated;
  });
}

/** Deletes an empty collection; one that still holds products is refused (409). */
export function deleteCollection(ctx: CatalogContext, id: string): Promise<void> {
  return inTransaction(ctx, false, async (trx) => {
    const linked = await trx
      .selectFrom('catalog.product_collections')
      .select('product_id')
      .where('collection_id', '=', id)
      .limit(1)
      .executeTakeFirst();
    if (linked) throw collectionNotEmpty();
    const deleted = await trx
      .deleteFrom('catalog.collections')
      .where('id', '=', id)
      .returning(['id', 'handle', 'title'])
      .executeTakeFirst();
    if (!deleted) throw notFound('This collection');
    await writeCollectionEvent(trx, ctx, deleted, 'deleted');
  });
}
