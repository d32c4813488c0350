import { type HttpApp, notFound, requirePermission } from '@emporium/platform';
import type { CatalogContext } from '../catalog-context.ts';
import { IdParams } from '../http/common-schemas.ts';
import { decodeCursor, toPage } from '../http/cursor.ts';
import { createCategory, deleteCategory, updateCategory } from './category-commands.ts';
import { loadCategory, selectCategories } from './category-rows.ts';
import { CreateCategoryBody, ListCategoriesQuery, UpdateCategoryBody } from './category-schemas.ts';

const tags = ['catalog (admin)'];

export function registerCategoryRoutes(app: HttpApp, ctx: CatalogContext): void {
  const read = requirePermission('catalog:read');
  const write = requirePermission('catalog:write');

  app.post(
    '/admin/categories',
    { onRequest: write, schema: { tags, summary: 'Create a category', body: CreateCategoryBody } },
    async (request, reply) => reply.code(201).send({ category: await createCategory(ctx, request.body) }),
  );

  app.get(
    '/admin/categories',
    { onRequest: read, schema: { tags, summary: 'List categories by id', querystring: ListCategoriesQuery } },
    async (request) => {
      const { limit, cursor, parent_id } = request.query;
      const after = decodeCursor(cursor);
      let query = selectCategories(ctx.db.primary);
      if (parent_id !== undefined) query = query.where('parent_id', '=', parent_id);
      if (after !== undefined) query = query.where('id', '>', after);
      return toPage(
        await query
          .orderBy('id')
          .limit(limit + 1)
          .execute(),
        limit,
      );
    },
  );

  app.get(
    '/admin/categories/:id',
    { onRequest: read, schema: { tags, summary: 'One category', params: IdParams } },
    async (request) => {
      const category = await loadCategory(ctx.db.primary, request.params.id);
      if (!category) throw notFound('This category');
      return { category };
    },
  );

  app.patch(
    '/admin/categories/:id',
    {
      onRequest: write,
      schema: {
        tags,
        summary: 'Rename or move a category (no cycles)',
        params: IdParams,
        body: UpdateCategoryBody,
      },
    },
    async (request) => ({ category: await updateCategory(ctx, request.params.id, request.body) }),
  );

  app.delete(
    '/admin/categories/:id',
    { onRequest: write, schema: { tags, summary: 'Delete an empty category', params: IdParams } },
    async (request, reply) => {
      await deleteCategory(ctx, request.params.id);
      return reply.code(204).send();
    },
  );
}
