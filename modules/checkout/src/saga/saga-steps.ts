/**
 * The checkout saga's steps, in order. A step is persisted (checkout.sagas.step) in the same
 * transaction as the other modules' changes it stands for, so the step recorded always tells
 * recovery what exists. This version records three forward steps:
 *
 * | step reached      | effect                                               | compensation          |
 * |-------------------|------------------------------------------------------|-----------------------|
 * | `started`         | saga recorded; the cart's hold may have been renewed | release the cart's hold |
 * | `authorizing`     | pending order and payment intent (one transaction), authorize asked | void every intent of the order, cancel the order, release the hold |
 * | `done`            | hold sold, order placed (`order.placed`), cart completed, answer stored (one transaction) | — |
 *
 * `reserved`, `order_created`, `authorized`, `stock_committed` and `placed` were steps of their
 * own in earlier versions: a saga one of those left mid-way is still recovered by them (sold
 * stock is the point of no return). While compensating, the saga records `payment_voided`,
 * `order_cancelled`, `released`.
 */
export const forwardSteps = [
  'started',
  'reserved',
  'order_created',
  'authorizing',
  'authorized',
  'stock_committed',
  'placed',
  'done',
] as const;

export const compensationSteps = ['payment_voided', 'order_cancelled', 'released'] as const;

export type ForwardStep = (typeof forwardSteps)[number];
export type CompensationStep = (typeof compensationSteps)[number];
export type SagaStep = ForwardStep | CompensationStep;

export const sagaSteps: readonly SagaStep[] = [...forwardSteps, ...compensationSteps];

export function isSagaStep(value: string): value is SagaStep {
  return (sagaSteps as readonly string[]).includes(value);
}

/**
 * What the recovery worker does with a running saga whose process died at `step`:
 * - before the authorization was asked for, nobody was charged and the shopper got no answer:
 *   undo (`compensate`);
 * - while authorizing, the outcome is unknown: ask the provider again with the same idempotency
 *   key (`reauthorize`), then go on or undo by its answer;
 * - once authorized, finish the order (`resume`): the stock commit may still fail (hold lapsed),
 *   which then undoes everything, voiding the authorization.
 */
export type RecoveryAction = 'compensate' | 'reauthorize' | 'resume';

export function recoveryAction(step: ForwardStep): RecoveryAction {
  switch (step) {
    case 'started':
    case 'reserved':
    case 'order_created':
      return 'compensate';
    case 'authorizing':
      return 'reauthorize';
    case 'authorized':
    case 'stock_committed':
    case 'placed':
    case 'done':
      return 'resume';
  }
}

/** True once `step` is at or beyond `than` in the forward order. */
export function reached(step: SagaStep, than: ForwardStep): boolean {
  const at = (forwardSteps as readonly string[]).indexOf(step);
  return at >= forwardSteps.indexOf(than);
}
