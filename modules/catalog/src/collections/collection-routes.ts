import { type HttpApp, notFound, requirePermission } from '@emporium/platform';
import type { CatalogContext } from '../catalog-context.ts';
import { IdParams } from '../http/common-schemas.ts';
import { decodeCursor, toPage } from '../http/cursor.ts';
import {
  createCollection,
  deleteCollection,
  selectCollections,
  updateCollection,
} from './collection-commands.ts';
import { CreateCollectionBody, ListCollectionsQuery, UpdateCollectionBody } from './collection-schemas.ts';

const tags = ['catalog (admin)'];

/** Collections: create, read, rename, delete. Products join them through their `collection_ids`. */
export function registerCollectionRoutes(app: HttpApp, ctx: CatalogContext): void {
  const read = requirePermission('catalog:read');
  const write = requirePermission('catalog:write');

  app.post(
    '/admin/collections',
    { onRequest: write, schema: { tags, summary: 'Create a collection', body: CreateCollectionBody } },
    async (request, reply) => reply.code(201).send({ collection: await createCollection(ctx, request.body) }),
  );

  app.get(
    '/admin/collections',
    {
      onRequest: read,
      schema: { tags, summary: 'List collections by id', querystring: ListCollectionsQuery },
    },
    async (request) => {
      const { limit, cursor } = request.query;
      const after = decodeCursor(cursor);
      let query = selectCollections(ctx.db.primary);
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
    '/admin/collections/:id',
    { onRequest: read, schema: { tags, summary: 'One collection', params: IdParams } },
    async (request) => {
      const collection = await selectCollections(ctx.db.primary)
        .where('id', '=', request.params.id)
        .executeTakeFirst();
      if (!collection) throw notFound('This collection');
      return { collection };
    },
  );

  app.patch(
    '/admin/collections/:id',
    {
      onRequest: write,
      schema: { tags, summary: 'Rename a collection', params: IdParams, body: UpdateCollectionBody },
    },
    async (request) => ({ collection: await updateCollection(ctx, request.params.id, request.body) }),
  );

  app.delete(
    '/admin/collections/:id',
    { onRequest: write, schema: { tags, summary: 'Delete an empty collection', params: IdParams } },
    async (request, reply) => {
      await deleteCollection(ctx, request.params.id);
      return reply.code(204).send();
    },
  );
}
