import {
  AppError,
  authenticate,
  consumeRateLimit,
  createProblem,
  type HttpApp,
  notFound,
  type RateLimitRule,
  StrictObject,
  sendProblem,
} from '@emporium/platform';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { CheckoutDeps } from '../ports.ts';
import { type CheckoutRequest, requestHash } from '../saga/checkout-request.ts';
import { runNewSaga, type SagaContext } from '../saga/run-saga.ts';
import type { Saga, SagaResponse } from '../saga/saga-store.ts';

const tags = ['checkout (store)'];

const Text = (maxLength: number) => Type.String({ minLength: 1, maxLength, pattern: '\\S' });

/** An address as API.md defines it. */
const Address = StrictObject({
  first_name: Text(100),
  last_name: Text(100),
  line1: Text(200),
  line2: Type.Optional(Type.Union([Type.String({ maxLength: 200 }), Type.Null()])),
  city: Text(100),
  postal_code: Text(20),
  region: Type.Optional(Type.Union([Type.String({ maxLength: 100 }), Type.Null()])),
  country_code: Type.String({ pattern: '^[a-z]{2}$', description: 'ISO 3166-1 alpha-2, lower case' }),
  phone: Type.Optional(Type.Union([Type.String({ maxLength: 40 }), Type.Null()])),
});

const Body = StrictObject({
  email: Type.Optional(Type.String({ format: 'email', maxLength: 254 })),
  shipping_address: Type.Optional(Address),
  billing_address: Type.Optional(Address),
  shipping_option_id: Type.String({ minLength: 1, maxLength: 64 }),
  payment: StrictObject({
    token: Type.String({
      pattern: '^tok_[A-Za-z0-9]+$',
      maxLength: 64,
      description: 'A card token from `POST /vault/tokens`; never a card number.',
    }),
  }),
});

const Headers = Type.Object({
  'idempotency-key': Type.String({
    pattern: '^[\\x21-\\x7e]{1,255}$',
    description:
      'Required: a unique key per checkout attempt (a UUID); a retry with the same key and body replays the answer.',
  }),
});

const BEARER = /^Bearer (\S+)$/;

/** Attempts (new or replayed) per cart: enough for a few declined cards and retries, not for card testing. */
const CHECKOUTS_PER_CART: RateLimitRule = { name: 'checkout_per_cart', max: 12, windowMs: 10 * 60_000 };
/** Attempts per source address across carts (card testing with many carts), generous for shared offices. */
const CHECKOUTS_PER_IP: RateLimitRule = { name: 'checkout_per_ip', max: 60, windowMs: 10 * 60_000 };
/** Attempts per signed-in customer across carts. */
const CHECKOUTS_PER_CUSTOMER: RateLimitRule = {
  name: 'checkout_per_customer',
  max: 30,
  windowMs: 10 * 60_000,
};

export interface CheckoutRouteOptions {
  /** How long a duplicate request waits for the first one with its key to finish. */
  duplicateWaitMs: number;
}

/** `POST /store/carts/{id}/checkout`: runs the checkout saga once per Idempotency-Key. */
export function registerCheckoutRoute(
  app: HttpApp,
  ctx: SagaContext,
  deps: CheckoutDeps,
  options: CheckoutRouteOptions,
): void {
  app.post(
    '/store/carts/:id/checkout',
    {
      schema: {
        tags,
        summary: 'Pay for a cart: holds stock, creates the order, authorizes the card, places the order',
        params: Type.Object({ id: Type.String({ maxLength: 64 }) }),
        headers: Headers,
        body: Body,
      },
    },
    async (request, reply) => {
      const cartId = request.params.id;
      const principal = await authenticate(request);
      const customerId = principal?.kind === 'customer' ? principal.subject : null;
      const token = BEARER.exec(request.headers.authorization ?? '')?.[1] ?? null;
      if (!(await deps.carts.canAccess(cartId, { token, customerId }))) throw notFound('This cart');
      // Card testing: a cart, an address and a customer may try a bounded number of checkouts (and
      // so of cards) per window.
      await consumeRateLimit(request, reply, CHECKOUTS_PER_IP, `ip:${request.ip}`);
      if (customerId)
        await consumeRateLimit(request, reply, CHECKOUTS_PER_CUSTOMER, `customer:${customerId}`);
      await consumeRateLimit(request, reply, CHECKOUTS_PER_CART, `cart:${cartId}`);

      const body = request.body as CheckoutRequest;
      const key = request.headers['idempotency-key'];
      const since = performance.now();
      const started = await ctx.store.start({
        cartId,
        idempotencyKey: key,
        requestHash: requestHash(body),
        request: body,
        actor: customerId ?? 'cart',
      });
      ctx.timed('started', since);
      if (started.kind === 'busy') {
        reply.header('retry-after', '1');
        throw inProgress('Another checkout of this cart is still running.');
      }
      if (started.kind === 'existing') {
        if (started.saga.requestHash !== requestHash(body)) {
          throw new AppError(
            'idempotency_conflict',
            409,
            'This Idempotency-Key was already used for a different checkout request; use a new key for a new request.',
          );
        }
        const finished = await waitForEnd(ctx, started.saga, options.duplicateWaitMs);
        if (!finished.response || (finished.status !== 'completed' && finished.status !== 'failed')) {
          reply.header('retry-after', '1');
          throw inProgress('This checkout is still being processed.');
        }
        reply.header('idempotent-replayed', 'true');
        return send(request, reply, finished.response);
      }
      const done = await runNewSaga(ctx, started.saga);
      if (!done.response) throw new Error(`checkout saga ${done.id} ended without an answer`);
      return send(request, reply, done.response);
    },
  );
}

function inProgress(detail: string): AppError {
  return new AppError('checkout_in_progress', 409, `${detail} Try again in a moment.`, {
    extensions: { retry_after: 1 },
  });
}

/** Polls the saga until it has ended or `waitMs` passed (a duplicate never runs the saga again). */
async function waitForEnd(ctx: SagaContext, saga: Saga, waitMs: number): Promise<Saga> {
  const until = Date.now() + waitMs;
  let current = saga;
  while ((current.status === 'running' || current.status === 'compensating') && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 25));
    current = (await ctx.store.get(saga.id)) ?? current;
  }
  return current;
}

function send(request: FastifyRequest, reply: FastifyReply, response: SagaResponse): FastifyReply {
  if (response.status < 400) {
    return reply.code(response.status).header('cache-control', 'no-store').send(response.body);
  }
  const { code, detail, ...extensions } = response.body as { code: string; detail: string };
  return sendProblem(
    reply,
    createProblem({
      status: response.status,
      code,
      detail,
      requestId: request.id,
      instance: request.url.split('?')[0] ?? '',
      extensions,
    }),
  );
}
