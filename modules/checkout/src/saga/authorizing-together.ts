import type { CartDetails, CheckoutCart } from '@emporium/cart/contract';
import type { PreparedAuthorization } from '@emporium/payments/contract';
import { batchTogether } from './batch-together.ts';
import { pendingOrderInput } from './order-input.ts';
import { paymentKey } from './payment-key.ts';
import type { Saga, SagaPatch } from './saga-store.ts';
import type { StepParts } from './step-parts.ts';

/** A new saga whose cart is priced and held, to record `authorizing` with its order and intent. */
export interface Authorizing {
  saga: Saga;
  cart: CheckoutCart;
  reservationId: string;
  /** The checkout's details, when prepareCheckout left them to be saved with this step. */
  details?: CartDetails;
}

/**
 * The saga at `authorizing`, and its authorization prepared in the same transaction (its attempt
 * and its card's claim written) when the provider allows: in memory only, for this process to ask
 * the provider without writing first.
 */
export interface Authorized {
  saga: Saga;
  prepared: PreparedAuthorization | undefined;
}

export type Authorizings = (authorizing: Authorizing) => Promise<Authorized>;

/**
 * Records new checkouts at `authorizing`, batching those that reach it at the same time (see
 * batchTogether): one transaction writes their carts' new details (saveDetailsMany), their pending
 * orders (createPendingMany), their payment intents (createIntentMany), their authorizations'
 * pending attempts and card claims (prepareAuthorizations) and the step of each saga, guarded by
 * the step its driver saw. A crash before leaves a saga at `started` (undone by the recovery
 * worker, the cart's hold given back); after, at `authorizing` (the authorization asked for again,
 * with the same key).
 */
export function createAuthorizings(parts: StepParts, options: { maxBatch: number }): Authorizings {
  return batchTogether(
    parts.logger,
    'authorizing',
    (batch: readonly Authorizing[]) => authorizingTogether(parts, batch),
    options,
  );
}

async function authorizingTogether(parts: StepParts, batch: readonly Authorizing[]): Promise<Authorized[]> {
  const { carts, orders, payments } = parts.deps;
  let prepared: (PreparedAuthorization | undefined)[] = [];
  const moved = await parts.store.advanceMany(
    batch.map((a) => a.saga),
    'authorizing',
    async (trx) => {
      await carts.saveDetailsMany(
        batch.flatMap((a) => (a.details ? [a.details] : [])),
        trx,
      );
      const created = await orders.createPendingMany(
        batch.map((a) => pendingOrderInput(a.cart, a.reservationId)),
        trx,
      );
      const intents = await payments.createIntentMany(
        batch.map((a, i) => ({
          amount: a.cart.total.amount,
          currency: a.cart.total.currency_code,
          reference: created[i]?.order.id ?? '',
        })),
        trx,
      );
      prepared = await payments.prepareAuthorizations(
        batch.map((a, i) => {
          const intent = intents[i];
          if (!intent) throw new Error(`checkout saga ${a.saga.id}: no intent was made`);
          return {
            intent,
            source: { token: a.saga.request.payment.token },
            idempotencyKey: paymentKey(a.saga),
          };
        }),
        trx,
      );
      const patches = new Map<string, SagaPatch>();
      batch.forEach((a, i) => {
        const order = created[i];
        const intent = intents[i];
        if (!order || !intent) throw new Error(`checkout saga ${a.saga.id}: no order or intent was made`);
        patches.set(a.saga.id, {
          reservationId: a.reservationId,
          amount: a.cart.total.amount,
          currencyCode: a.cart.total.currency_code,
          orderId: order.order.id,
          orderSecret: order.orderSecret,
          paymentId: intent.id,
        });
      });
      return patches;
    },
  );
  parts.nudge();
  const byId = new Map(moved.map((saga) => [saga.id, saga]));
  return batch.map(({ saga }, i) => {
    const next = byId.get(saga.id);
    if (!next) throw new Error(`checkout saga ${saga.id}: recorded without a row`);
    return { saga: next, prepared: prepared[i] };
  });
}
