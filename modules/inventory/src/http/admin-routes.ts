import { AppError, type HttpApp, ProblemSchema, requirePermission, StrictObject } from '@emporium/platform';
import type { FastifyRequest } from 'fastify';
import { type Static, Type } from 'typebox';
import type { InventoryService, StockLevel } from '../contract/index.ts';
import { stockConflict } from '../errors.ts';
import type { InventoryContext } from '../inventory-context.ts';
import { MAX_ON_HAND } from '../stock/stock-rows.ts';
import { listLevels } from './list-levels.ts';

const tags = ['inventory (admin)'];
const ID = '^[A-Za-z0-9_-]{1,64}$';
const MAX_IDS = 100;

const VariantParams = StrictObject({ variant_id: Type.String({ pattern: ID }) });

const LevelSchema = Type.Object(
  {
    variant_id: Type.String(),
    on_hand: Type.Integer({ description: 'Units physically in stock.' }),
    reserved: Type.Integer({ description: 'Units held by unexpired reservations (carts, checkouts).' }),
    available: Type.Integer({ description: '`on_hand − reserved`: units that can be sold now.' }),
  },
  { additionalProperties: false },
);
const LevelReply = Type.Object({ stock_level: LevelSchema });

const Reason = Type.String({
  minLength: 1,
  maxLength: 200,
  pattern: '\\S',
  description: 'Why, for the ledger.',
});

const ListQuery = Type.Object({
  variant_id: Type.Optional(
    Type.Array(Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}(,[A-Za-z0-9_-]{1,64})*$' }), {
      maxItems: MAX_IDS,
      description:
        'Variant ids, comma-separated or repeated (at most 100). Without it: every stocked variant, by id.',
    }),
  ),
  limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
  cursor: Type.Optional(Type.String({ maxLength: 200 })),
});

const AdjustBody = StrictObject({
  delta: Type.Integer({
    minimum: -MAX_ON_HAND,
    maximum: MAX_ON_HAND,
    description: 'Units to add (negative: remove); not 0.',
  }),
  reason: Reason,
});

const SetBody = StrictObject({
  available: Type.Integer({
    minimum: 0,
    maximum: MAX_ON_HAND,
    description: 'Units that should be available now.',
  }),
  reason: Type.Optional(Reason),
});

const toJson = (l: StockLevel): Static<typeof LevelSchema> => ({
  variant_id: l.variantId,
  on_hand: l.onHand,
  reserved: l.reserved,
  available: l.available,
});

/** The access token's subject: who the ledger says made the change. */
const actorOf = (request: FastifyRequest): string => request.principal?.subject ?? 'unknown';

const badQuery = (path: string, message: string): AppError =>
  new AppError('validation_failed', 400, `The query string is invalid: ${path} ${message}.`, {
    extensions: { errors: [{ path, message }] },
  });

/**
 * `/admin/inventory`: read stock levels, adjust on-hand stock by a delta, or set what is available.
 * Reads need `inventory:read`, changes `inventory:write`; the check runs before validation, so a
 * caller without access learns nothing about the schema.
 */
export function registerAdminRoutes(app: HttpApp, ctx: InventoryContext, service: InventoryService): void {
  const read = requirePermission('inventory:read');
  const write = requirePermission('inventory:write');
  const conflict = { 409: ProblemSchema };

  app.get(
    '/admin/inventory',
    {
      onRequest: read,
      schema: {
        tags,
        summary: 'Stock levels of some variants, or a page of all',
        querystring: ListQuery,
        response: {
          200: Type.Object({
            data: Type.Array(LevelSchema),
            next_cursor: Type.Union([Type.String(), Type.Null()]),
          }),
        },
      },
    },
    async (request) => {
      const { variant_id, limit, cursor } = request.query;
      if (variant_id === undefined) {
        const page = await listLevels(ctx, limit, cursor);
        return { data: page.data.map(toJson), next_cursor: page.nextCursor };
      }
      const ids = [...new Set(variant_id.flatMap((v) => v.split(',')))];
      if (ids.length > MAX_IDS) throw badQuery('/variant_id', `names more than ${MAX_IDS} variants`);
      return { data: (await service.levels(ids)).map(toJson), next_cursor: null };
    },
  );

  app.post(
    '/admin/inventory/:variant_id/adjust',
    {
      onRequest: write,
      schema: {
        tags,
        summary: 'Add or remove on-hand stock, with a reason',
        params: VariantParams,
        body: AdjustBody,
        response: { 200: LevelReply, ...conflict },
      },
    },
    async (request) => {
      const { delta, reason } = request.body;
      if (delta === 0) {
        throw new AppError('validation_failed', 422, 'The request body is invalid: /delta must not be 0.', {
          extensions: { errors: [{ path: '/delta', message: 'must not be 0' }] },
        });
      }
      const r = await service.adjust(request.params.variant_id, delta, { reason, actor: actorOf(request) });
      if (!r.ok) throw stockConflict(r.level, `${delta > 0 ? 'add' : 'remove'} ${Math.abs(delta)} units`);
      return { stock_level: toJson(r.level) };
    },
  );

  app.put(
    '/admin/inventory/:variant_id',
    {
      onRequest: write,
      schema: {
        tags,
        summary: 'Set stock so that a number of units is available',
        params: VariantParams,
        body: SetBody,
        response: { 200: LevelReply, ...conflict },
      },
    },
    async (request) => {
      const { available, reason } = request.body;
      const r = await service.setAvailable(request.params.variant_id, available, {
        actor: actorOf(request),
        ...(reason === undefined ? {} : { reason }),
      });
      if (!r.ok) throw stockConflict(r.level, `make ${available} units available`);
      return { stock_level: toJson(r.level) };
    },
  );
}
