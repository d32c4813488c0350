import { type HttpApp, requirePermission, StrictObject } from '@emporium/platform';
import { Type } from 'typebox';
import type { ShippingService } from '../contract/index.ts';
import type { ShippingContext } from '../shipping-context.ts';
import {
  createOption,
  createZone,
  deleteOption,
  deleteZone,
  listZones,
  updateOption,
  updateZone,
} from '../zones/zone-writes.ts';
import { Id, OptionBody, OptionPatch, ZoneBody, ZonePatch } from './schemas.ts';

const tags = ['shipping (admin)'];
const ZoneParams = StrictObject({ id: Id('shz') });
const OptionParams = StrictObject({ id: Id('sho') });

/**
 * `/admin/shipping/...`: zones (sets of countries) and their options. Everything needs
 * `settings:manage`; the check runs before validation.
 */
export function registerAdminRoutes(app: HttpApp, ctx: ShippingContext, service: ShippingService): void {
  const manage = requirePermission('settings:manage');

  app.get(
    '/admin/shipping/zones',
    { onRequest: manage, schema: { tags, summary: 'Zones with their options' } },
    async () => ({
      data: await listZones(ctx),
      next_cursor: null,
    }),
  );

  app.post(
    '/admin/shipping/zones',
    { onRequest: manage, schema: { tags, summary: 'Create a zone', body: ZoneBody } },
    async (request, reply) => {
      reply.code(201);
      return { zone: await createZone(ctx, request.body) };
    },
  );

  app.patch(
    '/admin/shipping/zones/:id',
    {
      onRequest: manage,
      schema: { tags, summary: 'Rename a zone or set its countries', params: ZoneParams, body: ZonePatch },
    },
    async (request) => ({ zone: await updateZone(ctx, request.params.id, request.body) }),
  );

  app.delete(
    '/admin/shipping/zones/:id',
    { onRequest: manage, schema: { tags, summary: 'Delete a zone and its options', params: ZoneParams } },
    async (request, reply) => {
      await deleteZone(ctx, request.params.id);
      return reply.code(204).send();
    },
  );

  app.post(
    '/admin/shipping/zones/:id/options',
    {
      onRequest: manage,
      schema: { tags, summary: 'Add a shipping option to a zone', params: ZoneParams, body: OptionBody },
    },
    async (request, reply) => {
      reply.code(201);
      return { shipping_option: await createOption(ctx, request.params.id, request.body) };
    },
  );

  app.patch(
    '/admin/shipping/options/:id',
    {
      onRequest: manage,
      schema: { tags, summary: 'Change a shipping option', params: OptionParams, body: OptionPatch },
    },
    async (request) => ({ shipping_option: await updateOption(ctx, request.params.id, request.body) }),
  );

  app.delete(
    '/admin/shipping/options/:id',
    { onRequest: manage, schema: { tags, summary: 'Delete a shipping option', params: OptionParams } },
    async (request, reply) => {
      await deleteOption(ctx, request.params.id);
      return reply.code(204).send();
    },
  );

  app.get(
    '/admin/shipments',
    {
      onRequest: requirePermission('orders:read'),
      schema: {
        tags,
        summary: "An order's shipments",
        querystring: Type.Object({ order_id: Type.String({ minLength: 1, maxLength: 64 }) }),
      },
    },
    async (request) => ({ data: await service.listShipments(request.query.order_id), next_cursor: null }),
  );
}
