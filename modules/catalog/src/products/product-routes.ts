import { type HttpApp, notFound, requirePermission } from '@emporium/platform';
import type { FastifyReply } from 'fastify';
import type { CatalogContext } from '../catalog-context.ts';
import type { ProductDocument } from '../contract/index.ts';
import { IdParams } from '../http/common-schemas.ts';
import { expectedVersion, IfMatchHeaders, versionTag } from '../http/expected-version.ts';
import { changeStatus } from './change-status.ts';
import { createProduct } from './create-product.ts';
import { listProducts } from './list-products.ts';
import { loadProduct } from './load-products.ts';
import { CreateProductBody, ListProductsQuery, UpdateProductBody } from './product-schemas.ts';
import type { StatusAction } from './status-transition.ts';
import { updateProduct } from './update-product.ts';

const tags = ['catalog (admin)'];

/** `{ product }` with the version as ETag, for the next write's `If-Match`. */
export function sendProduct(reply: FastifyReply, product: ProductDocument, status = 200): FastifyReply {
  return reply.code(status).header('etag', versionTag(product.version)).send({ product });
}

export function registerProductRoutes(app: HttpApp, ctx: CatalogContext): void {
  const read = requirePermission('catalog:read');
  const write = requirePermission('catalog:write');

  app.post(
    '/admin/products',
    {
      onRequest: write,
      schema: { tags, summary: 'Create a product with its variants', body: CreateProductBody },
    },
    async (request, reply) => sendProduct(reply, await createProduct(ctx, request.body), 201),
  );

  app.get(
    '/admin/products',
    {
      onRequest: read,
      schema: { tags, summary: 'List products, newest first (keyset pages)', querystring: ListProductsQuery },
    },
    async (request, reply) =>
      reply.type('application/json; charset=utf-8').send(await listProducts(ctx, request.query)),
  );

  app.get(
    '/admin/products/:id',
    { onRequest: read, schema: { tags, summary: 'A product with its variants', params: IdParams } },
    async (request, reply) => {
      // The primary: an admin who just saved expects to read the version they wrote.
      const product = await loadProduct(ctx.db.primary, request.params.id);
      if (!product) throw notFound('This product');
      return sendProduct(reply, product);
    },
  );

  app.patch(
    '/admin/products/:id',
    {
      onRequest: write,
      schema: {
        tags,
        summary: 'Change a product (If-Match or `version`: a stale one is 409 version_conflict)',
        params: IdParams,
        headers: IfMatchHeaders,
        body: UpdateProductBody,
      },
    },
    async (request, reply) => {
      const { version, ...patch } = request.body;
      const expected = expectedVersion(request.headers['if-match'], version);
      return sendProduct(reply, await updateProduct(ctx, request.params.id, expected, patch));
    },
  );

  const actions: Array<[StatusAction, string]> = [
    ['publish', 'Publish: the store shows it'],
    ['unpublish', 'Unpublish: back to draft, hidden from the store'],
    ['archive', 'Archive: hidden from the store and from carts'],
  ];
  for (const [action, summary] of actions) {
    app.post(
      `/admin/products/:id/${action}`,
      {
        onRequest: write,
        schema: { tags, summary, params: IdParams, headers: IfMatchHeaders },
      },
      async (request, reply) => {
        const expected = expectedVersion(request.headers['if-match']);
        return sendProduct(reply, await changeStatus(ctx, request.params.id, expected, action));
      },
    );
  }
}
