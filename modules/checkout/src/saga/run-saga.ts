import type { PreparedAuthorization, UnrecordedApproval } from '@emporium/payments/contract';
import type { FieldError, Logger } from '@emporium/platform';
import type { CheckoutDeps } from '../ports.ts';
import type { Authorizings } from './authorizing-together.ts';
import type { Completions } from './complete-together.ts';
import { cartProblem, expired, interrupted, invalidFields, outOfStock, paymentProblem } from './outcomes.ts';
import { paymentKey } from './payment-key.ts';
import { type ForwardStep, reached, recoveryAction, type SagaStep } from './saga-steps.ts';
import {
  need,
  type Saga,
  type SagaPatch,
  type SagaResponse,
  type SagaStore,
  type StepWork,
} from './saga-store.ts';

/**
 * Where the test hook may stop the process:
 * - `reserved`: the cart's hold refreshed for the checkout, nothing else recorded yet;
 * - `authorizing`: the pending order and its payment intent recorded with the step;
 * - `authorization_answered`: the provider approved, the approval not yet used;
 * - `placed`: stock sold, order placed, cart completed and the answer stored, not yet sent.
 */
export type CrashPoint = 'reserved' | 'authorizing' | 'authorization_answered' | 'placed';

/** The parts of a checkout whose durations are measured (`checkout_step_duration_seconds`). */
export type TimedStep = 'started' | 'stock_held' | 'authorizing' | 'authorization' | 'completion';

export const crashPoints: readonly CrashPoint[] = [
  'reserved',
  'authorizing',
  'authorization_answered',
  'placed',
];

export interface SagaContext {
  readonly store: SagaStore;
  readonly deps: CheckoutDeps;
  readonly logger: Logger;
  /** How long the cart's stock hold is extended for the checkout. */
  readonly holdTtlMs: number;
  /** Test hook: stop the process hard at this point (EMPORIUM_CHECKOUT_CRASH_AT). */
  readonly crashAt: CrashPoint | undefined;
  readonly crash: () => void;
  readonly outcome: (outcome: string) => void;
  /** Records how long a step took, from `since` (a performance.now() reading) to now. */
  readonly timed: (step: TimedStep, since: number) => void;
  /** Wakes the event relay: events other modules wrote in a step's transaction are committed. */
  readonly nudge: () => void;
  /** Records new checkouts at `authorizing`, together with those reaching it at the same time. */
  readonly authorizings: Authorizings;
  /** Completes approved checkouts, together with those ready at the same time. */
  readonly completions: Completions;
}

async function advance(
  ctx: SagaContext,
  saga: Saga,
  step: SagaStep,
  patch?: SagaPatch | StepWork,
  detail?: unknown,
): Promise<Saga> {
  const next = await ctx.store.advance(saga, step, patch, detail);
  if (typeof patch === 'function') ctx.nudge();
  hook(ctx, step);
  return next;
}

function hook(ctx: SagaContext, point: string): void {
  if (ctx.crashAt === point) ctx.crash();
}

/**
 * Runs a new checkout to its end: each step recorded in one transaction with the other modules'
 * changes it stands for. Throws on an infrastructure failure, leaving the saga running: the
 * recovery worker takes it over once its lease lapses.
 */
export async function runNewSaga(ctx: SagaContext, saga: Saga): Promise<Saga> {
  const { carts } = ctx.deps;
  const req = saga.request;
  const changes = {
    ...(req.email !== undefined ? { email: req.email } : {}),
    ...(req.shipping_address !== undefined ? { shipping_address: req.shipping_address } : {}),
    ...(req.billing_address !== undefined ? { billing_address: req.billing_address } : {}),
    shipping_option_id: req.shipping_option_id,
  };
  let since = performance.now();
  // New details are saved with the step below, in its transaction, when the hold needs no write.
  const ready = await carts.prepareCheckout(saga.cartId, changes, {
    ttlMs: ctx.holdTtlMs,
    saveDetails: 'caller',
  });
  ctx.timed('stock_held', since);
  if (!ready.ok) {
    if (ready.code === 'out_of_stock') return fail(ctx, saga, outOfStock(ready.shortages, ready.cart));
    if (ready.missing) return fail(ctx, saga, invalidFields(ready.missing.map(missingDetail)));
    return fail(ctx, saga, cartProblem(ready.code, ready.message, ready.item_id));
  }
  const { cart } = ready;
  const reservationId = cart.reservation.id;
  hook(ctx, 'reserved');
  // The pending order and its payment intent commit with the step that records them (and the
  // hold they rest on, and the checkout's details when the cart left them to us), in a
  // transaction shared with the checkouts reaching this step at the same time: a crash before
  // leaves the saga at `started`, whose compensation releases the cart's hold; after, at
  // `authorizing`, which asks for the authorization (again).
  since = performance.now();
  const authorized = await ctx.authorizings({
    saga,
    cart,
    reservationId,
    ...(ready.unsavedDetails ? { details: ready.unsavedDetails } : {}),
  });
  ctx.timed('authorizing', since);
  hook(ctx, 'authorizing');
  return authorized.prepared
    ? authorizePrepared(ctx, authorized.saga, authorized.prepared)
    : authorize(ctx, authorized.saga);
}

/**
 * Asks for the authorization prepared with the step (its attempt and card claim written), and
 * completes the checkout with the approval, recorded in the completion's transaction. A crash in
 * between leaves the saga at `authorizing`: asking again with the same key answers this approval
 * without charging twice.
 */
async function authorizePrepared(
  ctx: SagaContext,
  saga: Saga,
  prepared: PreparedAuthorization,
): Promise<Saga> {
  const since = performance.now();
  const auth = await ctx.deps.payments.authorizePrepared(prepared);
  ctx.timed('authorization', since);
  hook(ctx, 'authorization_answered');
  if (!auth.ok) {
    return compensateWith(ctx, saga, paymentProblem(auth.code, auth.message), { code: auth.code });
  }
  return complete(ctx, saga, auth.approval);
}

/** A detail neither the body nor the cart gives, as the 422 names it. */
function missingDetail(field: 'email' | 'shipping_address'): FieldError {
  return field === 'email'
    ? { path: '/email', message: 'Give an email address for the order confirmation.' }
    : { path: '/shipping_address', message: 'Give a shipping address to deliver the order to.' };
}

/** Asks for the authorization (again, with the same key, when recovering) and goes on by the answer. */
async function authorize(ctx: SagaContext, saga: Saga): Promise<Saga> {
  const { payments } = ctx.deps;
  const orderId = need(saga.orderId, 'orderId', saga);
  let paymentId = saga.paymentId;
  if (!paymentId) {
    // Sagas of earlier versions recorded `authorizing` before the intent: the order's intent is
    // ours, or none was made yet.
    paymentId =
      (await payments.listByReference(orderId)).filter((i) => i.status !== 'canceled').at(-1)?.id ??
      (
        await payments.createIntent({
          amount: need(saga.amount, 'amount', saga),
          currency: need(saga.currencyCode, 'currencyCode', saga),
          reference: orderId,
        })
      ).id;
    saga = await advance(ctx, saga, 'authorizing', { paymentId });
  }
  const since = performance.now();
  const auth = await payments.authorize(paymentId, { token: saga.request.payment.token }, paymentKey(saga));
  ctx.timed('authorization', since);
  hook(ctx, 'authorization_answered');
  if (!auth.ok) {
    return compensateWith(ctx, saga, paymentProblem(auth.code, auth.message), { code: auth.code });
  }
  // Not recorded on its own: a crash from here on leaves the saga at `authorizing`, and asking
  // again with the same key answers this approval without charging twice.
  return complete(ctx, saga);
}

/**
 * From an authorized payment to a placed order, in one transaction with the saga's end (shared with
 * the other checkouts completing at the same time, see createCompletions): the approval recorded
 * when it is not yet (`approval`), the hold sold, the order placed (`order.placed` with it), the
 * cart completed, the answer stored. A hold that can no longer be sold undoes the checkout,
 * voiding the authorization. Sagas of earlier versions may have sold
 * the stock, or placed the order, in steps of their own.
 */
async function complete(ctx: SagaContext, saga: Saga, approval?: UnrecordedApproval): Promise<Saga> {
  const orderId = need(saga.orderId, 'orderId', saga);
  const placedEarlier = reached(saga.step, 'placed');
  const placedBefore = placedEarlier ? await ctx.deps.orders.get(orderId) : null;
  if (placedEarlier && !placedBefore) throw new Error(`checkout saga ${saga.id}: order ${orderId} is gone`);
  const since = performance.now();
  const outcome = await ctx.completions({ saga, placedBefore, ...(approval ? { approval } : {}) });
  ctx.timed('completion', since);
  if (outcome.kind === 'sale_refused') return compensateWith(ctx, saga, expired(), { code: outcome.code });
  // The payment moved on before the approval was recorded: ask again with the key, which tells.
  if (outcome.kind === 'approval_unrecorded') return authorize(ctx, saga);
  hook(ctx, 'placed');
  ctx.outcome('placed');
  return outcome.saga;
}

/** Ends a saga that changed nothing outside checkout yet. */
async function fail(ctx: SagaContext, saga: Saga, response: SagaResponse): Promise<Saga> {
  ctx.outcome(codeOf(response));
  return ctx.store.finish(saga, 'failed', response);
}

/** Starts undoing the saga's steps; the shopper (and every replay) gets `response`. */
async function compensateWith(
  ctx: SagaContext,
  saga: Saga,
  response: SagaResponse,
  detail?: unknown,
): Promise<Saga> {
  saga = await ctx.store.advance(
    saga,
    saga.step,
    { status: 'compensating', response, failureCode: codeOf(response) },
    detail,
  );
  return compensate(ctx, saga);
}

/**
 * Undoes whatever the saga did, from what it recorded and what the other modules say, so it can
 * run again after a crash half-way: void every authorization of the order, cancel the pending
 * order, give the stock back. Each call is idempotent.
 */
export async function compensate(ctx: SagaContext, saga: Saga): Promise<Saga> {
  const { carts, inventory, orders, payments } = ctx.deps;
  if (reached(saga.step, 'stock_committed')) {
    throw new Error(`checkout saga ${saga.id}: cannot undo a saga whose stock was sold (${saga.step})`);
  }
  // The order and the step recording it commit together: an order this saga made is known here.
  const orderId = saga.orderId;
  if (orderId) {
    const intents = await payments.listByReference(orderId);
    const ids = new Set(intents.filter((i) => i.status !== 'canceled').map((i) => i.id));
    if (saga.paymentId && !intents.some((i) => i.id === saga.paymentId)) ids.add(saga.paymentId);
    for (const id of ids) {
      const voided = await payments.cancel(id);
      if (!voided.ok)
        throw new Error(`checkout saga ${saga.id}: could not void payment ${id} (${voided.code})`);
    }
    if (ids.size > 0)
      saga = await ctx.store.advance(saga, 'payment_voided', { orderId }, { payments: [...ids] });
    saga = await ctx.store.advance(saga, 'order_cancelled', async (trx) => {
      const result = await orders.cancelPending(
        orderId,
        `checkout failed: ${saga.failureCode ?? 'interrupted'}`,
        trx,
      );
      if (!result.ok)
        throw new Error(`checkout saga ${saga.id}: the pending order could not be canceled (${result.code})`);
      return {};
    });
  }
  let reservationId = saga.reservationId;
  if (!reservationId) {
    // Died while refreshing the hold: the cart's current hold may be the one we made.
    const ready = await carts.getForCheckout(saga.cartId);
    reservationId = ready.ok ? (ready.cart.reservation?.id ?? null) : null;
  }
  if (reservationId) {
    await inventory.release(reservationId);
    saga = await ctx.store.advance(saga, 'released', { reservationId });
  }
  const response = saga.response ?? interrupted();
  ctx.outcome(codeOf(response));
  return ctx.store.finish(saga, 'failed', response);
}

/**
 * Takes a saga whose process died (or failed) half-way to its end: see `recoveryAction` for what
 * is decided at each step.
 */
export async function recoverSaga(ctx: SagaContext, saga: Saga): Promise<Saga> {
  if (saga.status === 'compensating') return compensate(ctx, saga);
  if (saga.status !== 'running') return saga;
  const step = saga.step as ForwardStep;
  switch (recoveryAction(step)) {
    case 'compensate':
      return compensateWith(ctx, saga, interrupted(), { recovered: step });
    case 'reauthorize':
      return authorize(ctx, saga);
    case 'resume':
      return complete(ctx, saga);
  }
}

function codeOf(response: SagaResponse): string {
  const body = response.body as { code?: unknown };
  return typeof body.code === 'string' ? body.code : String(response.status);
}
