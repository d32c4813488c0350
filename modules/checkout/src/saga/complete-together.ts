import { type Order, orderJson } from '@emporium/orders/contract';
import { createBatcher, type Logger } from '@emporium/platform';
import type { CheckoutDeps } from '../ports.ts';
import { placed } from './outcomes.ts';
import { reached } from './saga-steps.ts';
import { need, type Saga, type SagaResponse, type SagaStore } from './saga-store.ts';

/** A saga whose payment is approved, to be completed; `placedBefore` when an earlier version placed it. */
export interface Completion {
  saga: Saga;
  placedBefore: Order | null;
}

/** How a completion ended: the order placed (the saga done), or the hold refused to be sold. */
export type CompletionOutcome = { kind: 'placed'; saga: Saga } | { kind: 'sale_refused'; code: string };

export type Completions = (completion: Completion) => Promise<CompletionOutcome>;

interface Parts {
  store: SagaStore;
  deps: CheckoutDeps;
  logger: Logger;
  /** Wakes the event relay once a batch committed its events. */
  nudge: () => void;
  /** Told of each committed batch, with the number of checkouts it completed. */
  committed: (completed: number) => void;
}

/**
 * Completes approved checkouts, batching those that are ready at the same time (createBatcher): one
 * transaction, and the same dozen statements, sell their holds, place their orders, complete their
 * carts and record their sagas `done` with the answers replays get. Under load this is what keeps
 * a checkout's last step from costing a transaction of its own; a lone checkout is a batch of one.
 *
 * A hold that can no longer be sold leaves its checkout out of the batch (the driver undoes it);
 * the others go on. Anything else that goes wrong in a batch of several (an order that cannot be
 * placed, a saga another driver moved on, a database error) rolls the batch back, and each of its
 * checkouts is completed again alone, so that it fails only the checkout it belongs to.
 */
export function createCompletions(parts: Parts, options: { maxBatch: number }): Completions {
  return createBatcher(async (batch: readonly Completion[]) => {
    try {
      return (await completeTogether(parts, batch)).map(fulfilled);
    } catch (err) {
      if (batch.length === 1) throw err;
      parts.logger.warn(
        { err, checkouts: batch.length },
        'checkout: a batch of completions failed; completing each alone',
      );
      return Promise.allSettled(
        batch.map(async (one) => (await completeTogether(parts, [one]))[0] as CompletionOutcome),
      );
    }
  }, options);
}

const fulfilled = <T>(value: T): PromiseFulfilledResult<T> => ({ status: 'fulfilled', value });

/** One transaction completing `batch`: see createCompletions. Outcomes in the batch's order. */
async function completeTogether(parts: Parts, batch: readonly Completion[]): Promise<CompletionOutcome[]> {
  const { carts, inventory, orders } = parts.deps;
  const refused = new Map<string, string>();
  const done = await parts.store.completeMany(
    batch.map((c) => c.saga),
    async (trx) => {
      // Sagas of earlier versions may have sold the stock, or placed the order, in steps of their own.
      const toSell = batch.filter((c) => !reached(c.saga.step, 'stock_committed'));
      const sold = await inventory.commitMany(
        toSell.map((c) => need(c.saga.reservationId, 'reservationId', c.saga)),
        trx,
      );
      for (const { saga } of toSell) {
        const sale = sold.get(need(saga.reservationId, 'reservationId', saga));
        if (sale && !sale.ok) refused.set(saga.id, sale.code);
      }
      const selling = batch.filter((c) => !refused.has(c.saga.id));
      const placing = selling.filter((c) => !c.placedBefore);
      const placings = await orders.markPlacedMany(
        placing.map(({ saga }) => ({
          orderId: need(saga.orderId, 'orderId', saga),
          paymentIntentId: need(saga.paymentId, 'paymentId', saga),
        })),
        {},
        trx,
      );
      const completedCarts = await carts.completeMany(
        selling.map(({ saga }) => ({ cartId: saga.cartId, orderId: need(saga.orderId, 'orderId', saga) })),
        trx,
      );
      const responses = new Map<string, SagaResponse>();
      for (const { saga, placedBefore } of selling) {
        const orderId = need(saga.orderId, 'orderId', saga);
        const placing = placings.get(orderId);
        const order = placedBefore ?? (placing?.ok ? placing.order : null);
        if (!order) {
          const code = placing && !placing.ok ? placing.code : 'no outcome';
          throw new Error(`checkout saga ${saga.id}: the order could not be placed (${code})`);
        }
        const cart = completedCarts.get(saga.cartId);
        if (cart && !cart.ok) {
          parts.logger.warn(
            { sagaId: saga.id, code: cart.code },
            'checkout: the cart could not be marked completed',
          );
        }
        responses.set(saga.id, placed(orderJson(order), need(saga.orderSecret, 'orderSecret', saga)));
      }
      return responses;
    },
  );
  parts.committed(done.length);
  if (done.length > 0) parts.nudge();
  const byId = new Map(done.map((saga) => [saga.id, saga]));
  return batch.map(({ saga }): CompletionOutcome => {
    const code = refused.get(saga.id);
    if (code) return { kind: 'sale_refused', code };
    const finished = byId.get(saga.id);
    if (!finished) throw new Error(`checkout saga ${saga.id}: completed without a record`);
    return { kind: 'placed', saga: finished };
  });
}
