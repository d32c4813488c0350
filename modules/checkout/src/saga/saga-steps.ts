/**
 * The checkout saga's steps, in order. Each forward step's effect lives in another module, so
 * each is persisted (checkout.sagas.step) right after that module answered, and each has a
 * compensation:
 *
 * | step reached      | effect                                   | compensation                  |
 * |-------------------|------------------------------------------|-------------------------------|
 * | `started`         | saga recorded, nothing else              | —                             |
 * | `reserved`        | the cart's stock hold refreshed for us   | release the hold              |
 * | `order_created`   | a pending order                          | cancel the pending order      |
 * | `authorizing`     | payment intent created, authorize asked  | void (cancel) the intent      |
 * | `authorized`      | the card authorized                      | void (cancel) the intent      |
 * | `stock_committed` | the hold turned into a sale              | — (point of no return)        |
 * | `placed`          | order placed, `order.placed` emitted     | —                             |
 * | `done`            | cart completed, answer stored            | —                             |
 *
 * While compensating, the saga records `payment_voided`, `order_cancelled`, `released`.
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
