import { newId, notFound } from '@emporium/platform';
import { sql, type Transaction } from 'kysely';
import type { CatalogContext } from '../catalog-context.ts';
import type { CategoryDocument } from '../contract/index.ts';
import { isForeignKeyViolation, violatedUnique } from '../db/pg-errors.ts';
import type { CatalogTables } from '../db/tables.ts';
import { fromUniqueViolation } from '../db/unique-violations.ts';
import { categoryCycle, categoryNotEmpty, handleTaken, invalidBody } from '../errors.ts';
import { freeHandle, isHandleFree } from '../handles/free-handle.ts';
import { slugify } from '../handles/slug.ts';
import { afterCategoryCommit, writeCategoryEvents } from './category-events.ts';
import { loadCategory } from './category-rows.ts';
import type { CreateCategoryBody, UpdateCategoryBody } from './category-schemas.ts';

type Trx = Transaction<CatalogTables>;

/** Tree moves take this transaction-level lock, so two crossing moves cannot each pass the cycle check. */
const TREE_LOCK = sql`select pg_advisory_xact_lock(hashtext('catalog.category_tree'))`;

async function assertParentExists(trx: Trx, parentId: string): Promise<void> {
  const parent = await trx
    .selectFrom('catalog.categories')
    .select('id')
    .where('id', '=', parentId)
    .executeTakeFirst();
  if (!parent) throw invalidBody([{ path: '/parent_id', message: `no category has the id "${parentId}"` }]);
}

/** True when `ancestorId` is `categoryId` or one of its ancestors' chain reaches it. */
async function isSelfOrDescendant(trx: Trx, categoryId: string, candidateParentId: string): Promise<boolean> {
  const { rows } = await sql<{ found: number }>`
    with recursive up (id, parent_id) as (
      select id, parent_id from catalog.categories where id = ${candidateParentId}
      union
      select c.id, c.parent_id from catalog.categories c join up on c.id = up.parent_id
    )
    select 1 as found from up where id = ${categoryId} limit 1`.execute(trx);
  return rows.length > 0;
}

async function withHandleRetry<T>(generated: boolean, run: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (err) {
      if (generated && violatedUnique(err) === 'categories_handle_key' && attempt < 3) continue;
      throw fromUniqueViolation(err) ?? err;
    }
  }
}

export async function createCategory(
  ctx: CatalogContext,
  input: CreateCategoryBody,
): Promise<CategoryDocument> {
  const category = await withHandleRetry(input.handle === undefined, () =>
    ctx.db.transaction(async (trx) => {
      const parentId = input.parent_id ?? null;
      if (parentId !== null) await assertParentExists(trx, parentId);
      let handle = input.handle;
      if (handle === undefined)
        handle = await freeHandle(trx, 'catalog.categories', slugify(input.name, 'category'));
      else if (!(await isHandleFree(trx, 'catalog.categories', handle)))
        throw handleTaken('category', handle);
      const now = ctx.clock.now();
      const row: CategoryDocument = {
        id: newId('cat', now.getTime()),
        handle,
        name: input.name,
        description: input.description ?? '',
        parent_id: parentId,
        rank: input.rank ?? 0,
      };
      await trx
        .insertInto('catalog.categories')
        .values({ ...row, created_at: now, updated_at: now })
        .execute();
      await writeCategoryEvents(trx, ctx.clock, row, 'created');
      return row;
    }),
  );
  await afterCategoryCommit(ctx);
  return category;
}

export async function updateCategory(
  ctx: CatalogContext,
  id: string,
  patch: UpdateCategoryBody,
): Promise<CategoryDocument> {
  const category = await withHandleRetry(false, () =>
    ctx.db.transaction(async (trx) => {
      const moving = patch.parent_id !== undefined;
      if (moving) await TREE_LOCK.execute(trx);
      const before = await trx
        .selectFrom('catalog.categories')
        .select('id')
        .where('id', '=', id)
        .forUpdate()
        .executeTakeFirst();
      if (!before) throw notFound('This category');
      const parentId = patch.parent_id;
      if (parentId) {
        await assertParentExists(trx, parentId);
        if (await isSelfOrDescendant(trx, id, parentId)) throw categoryCycle();
      }
      if (patch.handle !== undefined && !(await isHandleFree(trx, 'catalog.categories', patch.handle, id))) {
        throw handleTaken('category', patch.handle);
      }
      await trx
        .updateTable('catalog.categories')
        .set({
          ...(patch.name === undefined ? {} : { name: patch.name }),
          ...(patch.handle === undefined ? {} : { handle: patch.handle }),
          ...(patch.description === undefined ? {} : { description: patch.description }),
          ...(parentId === undefined ? {} : { parent_id: parentId }),
          ...(patch.rank === undefined ? {} : { rank: patch.rank }),
          updated_at: ctx.clock.now(),
        })
        .where('id', '=', id)
        .execute();
      const after = await loadCategory(trx, id);
      if (!after) throw new Error(`category ${id} vanished inside its own transaction`);
      await writeCategoryEvents(trx, ctx.clock, after, 'updated');
      return after;
    }),
  );
  await afterCategoryCommit(ctx);
  return category;
}

/**
 * Deletes a category that has no subcategories and no products (moving them is the merchant's
 * decision, not a side effect of a delete).
 */
export async function deleteCategory(ctx: CatalogContext, id: string): Promise<void> {
  try {
    await ctx.db.transaction(async (trx) => {
      await TREE_LOCK.execute(trx);
      const category = await loadCategory(trx, id);
      if (!category) throw notFound('This category');
      const children = await hasRows(trx, 'catalog.categories', 'parent_id', id);
      const products = await hasRows(trx, 'catalog.product_categories', 'category_id', id);
      if (children || products) throw categoryNotEmpty(children, products);
      await trx.deleteFrom('catalog.categories').where('id', '=', id).execute();
      await writeCategoryEvents(trx, ctx.clock, category, 'deleted');
    });
  } catch (err) {
    // A product linked to it between our count and the delete.
    if (isForeignKeyViolation(err)) throw categoryNotEmpty(false, true);
    throw err;
  }
  await afterCategoryCommit(ctx);
}

async function hasRows(
  trx: Trx,
  table: 'catalog.categories' | 'catalog.product_categories',
  column: 'parent_id' | 'category_id',
  id: string,
): Promise<boolean> {
  const { rows } = await sql<{ found: number }>`
    select 1 as found from ${sql.table(table)} where ${sql.ref(column)} = ${id} limit 1`.execute(trx);
  return rows.length > 0;
}
