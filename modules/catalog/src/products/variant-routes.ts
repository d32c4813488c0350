import { type HttpApp, notFound, requirePermission, StrictObject } from '@emporium/platform';
import { Type } from 'typebox';
import type { CatalogContext } from '../catalog-context.ts';
import { IdParams } from '../http/common-schemas.ts';
import { expectedVersion, IfMatchHeaders, versionTag } from '../http/expected-version.ts';
import { loadProduct } from './load-products.ts';
import { sendProduct } from './product-routes.ts';
import { PricesBody, VariantBody, VariantPatchBody } from './product-schemas.ts';
import { addVariant, removeVariant, updateVariant, type VariantResult } from './variant-commands.ts';

const tags = ['catalog (admin)'];
const VariantParams = StrictObject({
  id: Type.String({ maxLength: 64 }),
  variantId: Type.String({ maxLength: 64 }),
});

/**
 * Variants of a product. Each change is a change of the product: it takes the product's version in
 * `If-Match` (optional), answers `{ variant, product }` with the product's new version as ETag.
 */
export function registerVariantRoutes(app: HttpApp, ctx: CatalogContext): void {
  const read = requirePermission('catalog:read');
  const write = requirePermission('catalog:write');
  const base = '/admin/products/:id/variants';
  const result = (r: VariantResult) => ({ variant: r.variant, product: r.product });

  app.get(
    base,
    { onRequest: read, schema: { tags, summary: "A product's variants", params: IdParams } },
    async (request) => {
      const product = await loadProduct(ctx.db.primary, request.params.id);
      if (!product) throw notFound('This product');
      return { data: product.variants, next_cursor: null };
    },
  );

  app.get(
    `${base}/:variantId`,
    { onRequest: read, schema: { tags, summary: 'One variant', params: VariantParams } },
    async (request, reply) => {
      const product = await loadProduct(ctx.db.primary, request.params.id);
      const variant = product?.variants.find((v) => v.id === request.params.variantId);
      if (!product || !variant) throw notFound('This variant');
      return reply.header('etag', versionTag(product.version)).send({ variant });
    },
  );

  app.post(
    base,
    {
      onRequest: write,
      schema: {
        tags,
        summary: 'Add a variant',
        params: IdParams,
        headers: IfMatchHeaders,
        body: VariantBody,
      },
    },
    async (request, reply) => {
      const r = await addVariant(
        ctx,
        request.params.id,
        expectedVersion(request.headers['if-match']),
        request.body,
      );
      return reply.code(201).header('etag', versionTag(r.product.version)).send(result(r));
    },
  );

  app.patch(
    `${base}/:variantId`,
    {
      onRequest: write,
      schema: {
        tags,
        summary: 'Change a variant',
        params: VariantParams,
        headers: IfMatchHeaders,
        body: VariantPatchBody,
      },
    },
    async (request, reply) => {
      const { id, variantId } = request.params;
      const r = await updateVariant(
        ctx,
        id,
        variantId,
        expectedVersion(request.headers['if-match']),
        request.body,
      );
      return reply.header('etag', versionTag(r.product.version)).send(result(r));
    },
  );

  app.put(
    `${base}/:variantId/prices`,
    {
      onRequest: write,
      schema: {
        tags,
        summary: "Replace a variant's prices",
        params: VariantParams,
        headers: IfMatchHeaders,
        body: PricesBody,
      },
    },
    async (request, reply) => {
      const { id, variantId } = request.params;
      const r = await updateVariant(ctx, id, variantId, expectedVersion(request.headers['if-match']), {
        prices: request.body.prices,
      });
      return reply.header('etag', versionTag(r.product.version)).send(result(r));
    },
  );

  app.delete(
    `${base}/:variantId`,
    {
      onRequest: write,
      schema: { tags, summary: 'Remove a variant', params: VariantParams, headers: IfMatchHeaders },
    },
    async (request, reply) => {
      const { id, variantId } = request.params;
      return sendProduct(
        reply,
        await removeVariant(ctx, id, variantId, expectedVersion(request.headers['if-match'])),
      );
    },
  );
}
