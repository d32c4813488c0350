import { type HttpApp, requirePermission, StrictObject } from '@emporium/platform';
import { Type } from 'typebox';
import type { CartContext } from '../cart-context.ts';
import { createTaxRegion, taxRegionNotFound, toTaxRegion } from '../tax/tax-regions.ts';
import { TaxRegionBody, TaxRegionPatch } from './schemas.ts';

const tags = ['tax (admin)'];
const Params = StrictObject({ id: Type.String({ pattern: '^txr_[0-9a-z]{26}$' }) });

/** `/admin/tax-regions`: tax rates by destination country and region. Needs `settings:manage`. */
export function registerAdminRoutes(app: HttpApp, ctx: CartContext): void {
  const manage = requirePermission('settings:manage');

  app.get(
    '/admin/tax-regions',
    { onRequest: manage, schema: { tags, summary: 'Every tax region' } },
    async () => {
      const rows = await ctx.db.primary
        .selectFrom('cart.tax_regions')
        .selectAll()
        .orderBy('country_code')
        .orderBy('region')
        .execute();
      return { data: rows.map(toTaxRegion), next_cursor: null };
    },
  );

  app.post(
    '/admin/tax-regions',
    { onRequest: manage, schema: { tags, summary: 'Add a tax region', body: TaxRegionBody } },
    async (request, reply) => {
      const created = await createTaxRegion(ctx.db, request.body, ctx.clock.now());
      await ctx.taxRates.invalidate();
      reply.code(201);
      return { tax_region: created };
    },
  );

  app.patch(
    '/admin/tax-regions/:id',
    {
      onRequest: manage,
      schema: { tags, summary: 'Change a tax region', params: Params, body: TaxRegionPatch },
    },
    async (request) => {
      const row = await ctx.db.primary
        .updateTable('cart.tax_regions')
        .set({ ...request.body, updated_at: ctx.clock.now() })
        .where('id', '=', request.params.id)
        .returningAll()
        .executeTakeFirst();
      if (!row) throw taxRegionNotFound();
      await ctx.taxRates.invalidate();
      return { tax_region: toTaxRegion(row) };
    },
  );

  app.delete(
    '/admin/tax-regions/:id',
    { onRequest: manage, schema: { tags, summary: 'Delete a tax region', params: Params } },
    async (request, reply) => {
      const r = await ctx.db.primary
        .deleteFrom('cart.tax_regions')
        .where('id', '=', request.params.id)
        .executeTakeFirst();
      if (r.numDeletedRows === 0n) throw taxRegionNotFound();
      await ctx.taxRates.invalidate();
      return reply.code(204).send();
    },
  );
}
