import { type Order, orderJson } from '@emporium/orders/contract';
import type { UnrecordedApproval } from '@emporium/payments/contract';
import { batchTogether } from './batch-together.ts';
import { placed } from './outcomes.ts';
import { reached } from './saga-steps.ts';
import { need, type Saga, type SagaPatch } from './saga-store.ts';
import type { StepParts } from './step-parts.ts';

/**
 * A saga whose payment is approved, to be completed; `placedBefore` when an earlier version placed
 * it; `approval` when the provider's approval is still to be recorded (authorizePrepared).
 */
export interface Completion {
  saga: Saga;
  placedBefore: Order | null;
  approval?: UnrecordedApproval;
}

/**
 * How a completion ended: the order placed (the saga done), the hold refused to be sold, or the
 * approval no longer applying to the payment (`authorize` with the checkout's key tells why).
 */
export type CompletionOutcome =
  | { kind: 'placed'; saga: Saga }
  | { kind: 'sale_refused'; code: string }
  | { kind: 'approval_unrecorded' };

export type Completions = (completion: Completion) => Promise<CompletionOutcome>;

interface Parts extends StepParts {
  /** Told of each committed batch, with the number of checkouts it completed. */
  committed: (completed: number) => void;
}

/**
 * Completes approved checkouts, batching those that are ready at the same time (createBatcher): one
 * transaction, and the same dozen statements, record their payments' approvals (and spend their
 * card tokens), sell their holds, place their orders, complete their carts and record their sagas
 * `done` with the answers replays get. Under load this is what keeps a checkout's last step from
 * costing a transaction of its own; a lone checkout is a batch of one.
 *
 * A hold that can no longer be sold leaves its checkout out of the batch (the driver undoes it), as
 * does an approval that no longer applies (the driver asks payments what holds); the others go on.
 * Anything else that goes wrong in a batch of several rolls it back, and each of its checkouts is
 * completed again alone (batchTogether).
 */
export function createCompletions(parts: Parts, options: { maxBatch: number }): Completions {
  return batchTogether(
    parts.logger,
    'done',
    (batch: readonly Completion[]) => completeTogether(parts, batch),
    options,
  );
}

/** One transaction completing `batch`: see createCompletions. Outcomes in the batch's order. */
async function completeTogether(parts: Parts, batch: readonly Completion[]): Promise<CompletionOutcome[]> {
  const { carts, inventory, orders, payments } = parts.deps;
  const refused = new Map<string, string>();
  const unrecorded = new Set<string>();
  const done = await parts.store.advanceMany(
    batch.map((c) => c.saga),
    'done',
    async (trx) => {
      unrecorded.clear();
      const approving = batch.flatMap((c) => (c.approval ? [{ saga: c.saga, approval: c.approval }] : []));
      const recorded = await payments.recordApprovals(
        approving.map((a) => a.approval),
        trx,
      );
      approving.forEach((a, i) => {
        if (!recorded[i]) unrecorded.add(a.saga.id);
      });
      // Sagas of earlier versions may have sold the stock, or placed the order, in steps of their own.
      const toSell = batch.filter(
        (c) => !unrecorded.has(c.saga.id) && !reached(c.saga.step, 'stock_committed'),
      );
      const sold = await inventory.commitMany(
        toSell.map((c) => need(c.saga.reservationId, 'reservationId', c.saga)),
        trx,
      );
      for (const { saga } of toSell) {
        const sale = sold.get(need(saga.reservationId, 'reservationId', saga));
        if (sale && !sale.ok) refused.set(saga.id, sale.code);
      }
      const selling = batch.filter((c) => !refused.has(c.saga.id) && !unrecorded.has(c.saga.id));
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
      const patches = new Map<string, SagaPatch>();
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
        const response = placed(orderJson(order), need(saga.orderSecret, 'orderSecret', saga));
        patches.set(saga.id, { status: 'completed', response });
      }
      return patches;
    },
    { finish: true },
  );
  parts.committed(done.length);
  if (done.length > 0) parts.nudge();
  const byId = new Map(done.map((saga) => [saga.id, saga]));
  return batch.map(({ saga }): CompletionOutcome => {
    const code = refused.get(saga.id);
    if (code) return { kind: 'sale_refused', code };
    if (unrecorded.has(saga.id)) return { kind: 'approval_unrecorded' };
    const finished = byId.get(saga.id);
    if (!finished) throw new Error(`checkout saga ${saga.id}: completed without a record`);
    return { kind: 'placed', saga: finished };
  });
}
