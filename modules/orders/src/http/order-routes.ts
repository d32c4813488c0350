import {
  authenticate,
  type HttpApp,
  type IdempotencyStore,
  idempotent,
  requirePermission,
  StrictObject,
} from '@emporium/platform';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { type Order, orderJson } from '../contract/index.ts';
import { loadOrder, loadTimeline, withLines } from '../db/order-rows.ts';
import { badQuery, orderNotFound } from '../errors.ts';
import type { OrdersContext } from '../orders-context.ts';
import type { OrderAdminCommands } from '../service/admin-commands.ts';
import { publicOrder, secretMatches } from '../service/orders-service.ts';

const adminTags = ['orders (admin)'];
const ID = '^[A-Za-z0-9_-]{1,64}$';
const IdParams = StrictObject({ id: Type.String({ pattern: ID }) });
const Text = (maxLength: number) => Type.String({ minLength: 1, maxLength, pattern: '\\S' });
const STATUSES = ['pending', 'placed', 'partially_fulfilled', 'fulfilled', 'completed', 'canceled'] as const;

const ListQuery = Type.Object(
  {
    status: Type.Optional(Type.Union(STATUSES.map((s) => Type.Literal(s)))),
    email: Type.Optional(Type.String({ minLength: 1, maxLength: 254 })),
    created_from: Type.Optional(Type.String({ format: 'date-time' })),
    created_to: Type.Optional(Type.String({ format: 'date-time' })),
    limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
    cursor: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
);

const CancelBody = StrictObject({ reason: Type.Optional(Text(500)) });
const RefundBody = StrictObject({
  amount: Type.Integer({
    minimum: 1,
    maximum: 2_000_000_000,
    description: 'Minor units of the order currency.',
  }),
  reason: Text(500),
});
const FulfilmentBody = StrictObject({
  lines: Type.Array(
    StrictObject({
      line_id: Type.String({ pattern: ID }),
      quantity: Type.Integer({ minimum: 1, maximum: 1_000_000 }),
    }),
    { minItems: 1, maxItems: 200 },
  ),
  carrier: Type.String({ minLength: 1, maxLength: 50, pattern: '\\S' }),
  tracking_number: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 100 }), Type.Null()])),
  tracking_url: Type.Optional(
    Type.Union([Type.String({ format: 'uri', maxLength: 500, pattern: '^https://' }), Type.Null()]),
  ),
});

const actorOf = (request: FastifyRequest): string => request.principal?.subject ?? 'unknown';

function encodeCursor(id: string): string {
  return Buffer.from(JSON.stringify({ after: id })).toString('base64url');
}
function decodeCursor(cursor: string | undefined): string | undefined {
  if (cursor === undefined) return undefined;
  try {
    const after = (
      JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { after?: unknown } | null
    )?.after;
    if (typeof after === 'string' && /^order_[0-9a-z]{26}$/.test(after)) return after;
  } catch {
    // the 400 below
  }
  throw badQuery('/cursor', 'is not a cursor from a previous page of this list');
}

/**
 * `GET /store/orders/{id}` (order secret or owning customer) and `/admin/orders` (list, get with
 * timeline, capture, cancel, fulfillments, refunds, complete).
 */
export function registerOrderRoutes(
  app: HttpApp,
  ctx: OrdersContext,
  commands: OrderAdminCommands,
  idempotency: IdempotencyStore,
): void {
  const db = ctx.db.primary;
  const reply = (order: Order) => ({ order: orderJson(order) });

  app.get(
    '/store/orders/:id',
    {
      schema: {
        tags: ['orders'],
        summary: 'An order, for its guest (Bearer <order_secret>) or its signed-in customer',
        params: IdParams,
      },
    },
    async (request) => {
      const order = await loadOrder(db, request.params.id);
      // Someone else's order, a pending one, or no credentials: all look like no order at all.
      if (!order || order.status === 'pending') throw orderNotFound();
      const token = /^Bearer (\S+)$/.exec(request.headers.authorization ?? '')?.[1] ?? '';
      if (token.startsWith('osec_')) {
        if (secretMatches(token, order.secretHash)) return reply(publicOrder(order));
        throw orderNotFound();
      }
      const principal = token ? await authenticate(request).catch(() => null) : null;
      if (
        principal?.kind === 'customer' &&
        order.customerId !== null &&
        principal.subject === order.customerId
      ) {
        return reply(publicOrder(order));
      }
      throw orderNotFound();
    },
  );

  app.get(
    '/admin/orders',
    {
      onRequest: requirePermission('orders:read'),
      schema: { tags: adminTags, summary: 'Orders, newest first, with filters', querystring: ListQuery },
    },
    async (request) => {
      const q = request.query;
      const after = decodeCursor(q.cursor);
      let sel = db
        .selectFrom('orders.orders')
        .selectAll()
        .orderBy('id', 'desc')
        .limit(q.limit + 1);
      if (q.status) sel = sel.where('status', '=', q.status);
      if (q.email) sel = sel.where((eb) => eb(eb.fn('lower', ['email']), '=', q.email?.toLowerCase() ?? ''));
      if (q.created_from) sel = sel.where('created_at', '>=', new Date(q.created_from));
      if (q.created_to) sel = sel.where('created_at', '<', new Date(q.created_to));
      if (after) sel = sel.where('id', '<', after);
      const rows = await sel.execute();
      const data = await withLines(db, rows.slice(0, q.limit));
      const last = data[data.length - 1];
      return {
        data: data.map(orderJson),
        next_cursor: rows.length > q.limit && last ? encodeCursor(last.id) : null,
      };
    },
  );

  app.get(
    '/admin/orders/:id',
    {
      onRequest: requirePermission('orders:read'),
      schema: {
        tags: adminTags,
        summary: 'An order with its timeline, fulfilments and refunds',
        params: IdParams,
      },
    },
    async (request) => {
      const order = await loadOrder(db, request.params.id);
      if (!order) throw orderNotFound();
      const [timeline, fulfillments, refunds] = await Promise.all([
        loadTimeline(db, order.id),
        db
          .selectFrom('orders.fulfillments')
          .selectAll()
          .where('order_id', '=', order.id)
          .orderBy('id')
          .execute(),
        db.selectFrom('orders.refunds').selectAll().where('order_id', '=', order.id).orderBy('id').execute(),
      ]);
      return {
        order: {
          ...orderJson(publicOrder(order)),
          timeline: timeline.map((t) => ({
            id: t.id,
            kind: t.kind,
            message: t.message,
            actor: t.actor,
            data: t.data,
            at: t.at.toISOString(),
          })),
          fulfillments: fulfillments.map((f) => ({
            id: f.id,
            shipment_id: f.shipment_id,
            carrier: f.carrier,
            tracking_number: f.tracking_number,
            lines: f.lines.map((l) => ({ line_id: l.lineId, variant_id: l.variantId, quantity: l.quantity })),
            created_at: f.created_at.toISOString(),
          })),
          refunds: refunds.map((r) => ({
            id: r.id,
            amount: { amount: Number(r.amount), currency_code: order.currencyCode },
            reason: r.reason,
            actor: r.actor,
            created_at: r.created_at.toISOString(),
          })),
        },
      };
    },
  );

  app.post(
    '/admin/orders/:id/capture',
    {
      onRequest: requirePermission('orders:write'),
      ...idempotent(idempotency),
      schema: { tags: adminTags, summary: 'Capture the authorized payment', params: IdParams },
    },
    async (request) => reply(await commands.capture(request.params.id, actorOf(request))),
  );

  app.post(
    '/admin/orders/:id/cancel',
    {
      onRequest: requirePermission('orders:write'),
      // The body is optional: no body at all means `{}`.
      preValidation: async (request) => {
        request.body ??= {};
      },
      ...idempotent(idempotency),
      schema: {
        tags: adminTags,
        summary: 'Cancel: void or refund the payment, give unshipped stock back',
        params: IdParams,
        body: CancelBody,
      },
    },
    async (request) =>
      reply(
        await commands.cancel(
          request.params.id,
          request.body.reason ?? 'canceled by staff',
          actorOf(request),
        ),
      ),
  );

  app.post(
    '/admin/orders/:id/complete',
    {
      onRequest: requirePermission('orders:write'),
      schema: { tags: adminTags, summary: 'Close a fulfilled order', params: IdParams },
    },
    async (request) => reply(await commands.complete(request.params.id, actorOf(request))),
  );

  app.post(
    '/admin/orders/:id/fulfillments',
    {
      onRequest: requirePermission('orders:write'),
      ...idempotent(idempotency),
      schema: {
        tags: adminTags,
        summary: 'Ship some or all lines (creates a shipment)',
        params: IdParams,
        body: FulfilmentBody,
      },
    },
    async (request, res) => {
      const b = request.body;
      const result = await commands.fulfil(
        request.params.id,
        {
          lines: b.lines.map((l) => ({ lineId: l.line_id, quantity: l.quantity })),
          carrier: b.carrier,
          trackingNumber: b.tracking_number ?? null,
          trackingUrl: b.tracking_url ?? null,
        },
        actorOf(request),
      );
      return res.code(201).send({
        ...reply(result.order),
        fulfillment: { id: result.fulfillmentId, shipment_id: result.shipmentId },
      });
    },
  );

  app.post(
    '/admin/orders/:id/refunds',
    {
      onRequest: requirePermission('orders:write'),
      ...idempotent(idempotency, { required: true }),
      schema: {
        tags: adminTags,
        summary: 'Refund part or all of the captured amount (Idempotency-Key required)',
        params: IdParams,
        body: RefundBody,
      },
    },
    async (request, res) => {
      const result = await commands.refund(
        request.params.id,
        request.body.amount,
        request.body.reason,
        actorOf(request),
      );
      return res.code(201).send({ ...reply(result.order), refund: { id: result.refundId } });
    },
  );
}
