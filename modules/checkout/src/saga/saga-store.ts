import { type Clock, type Database, type Logger, newId } from '@emporium/platform';
import { type Kysely, sql } from 'kysely';
import { type CheckoutTables, jsonb, type SagaStatus, type Trx } from '../db/tables.ts';
import { batchTogether } from './batch-together.ts';
import type { CheckoutRequest } from './checkout-request.ts';
import type { SagaStep } from './saga-steps.ts';

/** The answer a shopper got (or gets on replay): an HTTP status and a JSON body. */
export interface SagaResponse {
  status: number;
  body: unknown;
}

/** A checkout saga as the code sees it (checkout.sagas, camel-cased). */
export interface Saga {
  id: string;
  cartId: string;
  idempotencyKey: string;
  requestHash: string;
  request: CheckoutRequest;
  actor: string;
  status: SagaStatus;
  step: SagaStep;
  reservationId: string | null;
  orderId: string | null;
  paymentId: string | null;
  amount: number | null;
  currencyCode: string | null;
  orderSecret: string | null;
  failureCode: string | null;
  response: SagaResponse | null;
  attempts: number;
  leaseUntil: Date;
}

/** The fields a step may set besides `step` and `status`. */
export type SagaPatch = Partial<
  Pick<
    Saga,
    | 'status'
    | 'reservationId'
    | 'orderId'
    | 'paymentId'
    | 'amount'
    | 'currencyCode'
    | 'orderSecret'
    | 'failureCode'
  >
> & { response?: SagaResponse };

/** Work done in the step's own transaction (e.g. the orders service's change), returning the patch. */
export type StepWork = (trx: Trx) => Promise<SagaPatch>;

/** What starting a saga records: the checkout's request and who made it. */
export interface StartInput {
  cartId: string;
  idempotencyKey: string;
  requestHash: string;
  request: CheckoutRequest;
  actor: string;
}

/** How many new sagas one statement records at most. */
const MAX_START_BATCH = 32;

export interface SagaStore {
  /**
   * Records a new saga for (cart, key), or finds the one already there. `busy`: another checkout
   * of the same cart (another key) is still running.
   */
  start(
    input: StartInput,
  ): Promise<{ kind: 'new'; saga: Saga } | { kind: 'existing'; saga: Saga } | { kind: 'busy' }>;
  get(id: string): Promise<Saga | undefined>;
  /**
   * Moves the saga to `step` (with `patch`), logs the step and renews the lease. `patch` may be a
   * function of the transaction: another module's change made with it commits with the step.
   */
  advance(saga: Saga, step: SagaStep, patch?: SagaPatch | StepWork, detail?: unknown): Promise<Saga>;
  /** Ends the saga with the answer replays will get. */
  finish(saga: Saga, status: 'completed' | 'failed', response: SagaResponse, detail?: unknown): Promise<Saga>;
  /**
   * Moves several sagas to `step` in one transaction with the work they stand for: `work` runs
   * first and answers the patch of each saga it did its part for (a saga it leaves out is not
   * recorded, and its driver goes on with it); those are recorded in one statement, each only if
   * still at the step its driver saw (`finish`: and ended, with the patch's status and response).
   * If any was moved on by another driver, nothing commits (SagaFinished): the caller retries the
   * sagas one by one to tell which.
   */
  advanceMany(
    sagas: readonly Saga[],
    step: SagaStep,
    work: (trx: Trx) => Promise<ReadonlyMap<string, SagaPatch>>,
    options?: { finish?: boolean },
  ): Promise<Saga[]>;
  /** Takes over up to `limit` unfinished sagas whose lease lapsed (their process died). */
  claimLapsed(limit: number): Promise<Saga[]>;
}

/**
 * Thrown when a step is recorded on a saga another driver already finished, or (for a step done
 * with other modules' work) moved past the step this driver saw.
 */
export class SagaFinished extends Error {
  constructor(id: string) {
    super(`checkout saga ${id} already finished, or moved on by another driver`);
    this.name = 'SagaFinished';
  }
}

/** A saga's field its step must have set; a saga without it is a bug or a corrupted row. */
export function need<T>(value: T | null, name: string, saga: Saga): T {
  if (value === null) throw new Error(`checkout saga ${saga.id} at ${saga.step} has no ${name}`);
  return value;
}

function toSaga(row: Record<string, unknown>): Saga {
  const r = row as {
    id: string;
    cart_id: string;
    idempotency_key: string;
    request_hash: string;
    request: CheckoutRequest;
    actor: string;
    status: SagaStatus;
    step: SagaStep;
    reservation_id: string | null;
    order_id: string | null;
    payment_id: string | null;
    amount: number | null;
    currency_code: string | null;
    order_secret: string | null;
    failure_code: string | null;
    response_status: number | null;
    response_body: unknown;
    attempts: number;
    lease_until: Date;
  };
  return {
    id: r.id,
    cartId: r.cart_id,
    idempotencyKey: r.idempotency_key,
    requestHash: r.request_hash,
    request: r.request,
    actor: r.actor,
    status: r.status,
    step: r.step,
    reservationId: r.reservation_id,
    orderId: r.order_id,
    paymentId: r.payment_id,
    amount: r.amount,
    currencyCode: r.currency_code,
    orderSecret: r.order_secret,
    failureCode: r.failure_code,
    response: r.response_status === null ? null : { status: r.response_status, body: r.response_body },
    attempts: r.attempts,
    leaseUntil: r.lease_until,
  };
}

/** The saga's columns a patch sets (only those it names). */
/** The columns a patch sets, with their plain values (the response body as it is). */
function patchValues(patch: SagaPatch) {
  return {
    ...(patch.status !== undefined ? { status: patch.status } : {}),
    ...(patch.reservationId !== undefined ? { reservation_id: patch.reservationId } : {}),
    ...(patch.orderId !== undefined ? { order_id: patch.orderId } : {}),
    ...(patch.paymentId !== undefined ? { payment_id: patch.paymentId } : {}),
    ...(patch.amount !== undefined ? { amount: patch.amount } : {}),
    ...(patch.currencyCode !== undefined ? { currency_code: patch.currencyCode } : {}),
    ...(patch.orderSecret !== undefined ? { order_secret: patch.orderSecret } : {}),
    ...(patch.failureCode !== undefined ? { failure_code: patch.failureCode } : {}),
    ...(patch.response !== undefined
      ? { response_status: patch.response.status, response_body: patch.response.body }
      : {}),
  };
}

/** The columns a patch sets, for an update (the response body as jsonb). */
function columns(patch: SagaPatch) {
  const { response_body, ...values } = patchValues(patch);
  return { ...values, ...(patch.response !== undefined ? { response_body: jsonb(response_body) } : {}) };
}

/**
 * Up to `limit` unfinished sagas whose lease lapsed, locked (skipping those another worker holds).
 * The statuses are literals so that a generic plan uses the partial index of unfinished sagas
 * instead of scanning every checkout ever made at each poll.
 */
export const lapsedSagas = (executor: Kysely<CheckoutTables>, now: Date, limit: number) =>
  executor
    .selectFrom('checkout.sagas')
    .select('id')
    .where('status', 'in', [sql.lit<SagaStatus>('running'), sql.lit<SagaStatus>('compensating')])
    .where('lease_until', '<', now)
    .orderBy('lease_until')
    .limit(limit)
    .forUpdate()
    .skipLocked();

export function createSagaStore(
  db: Database<CheckoutTables>,
  clock: Clock,
  leaseMs: number,
  logger: Logger,
): SagaStore {
  const lease = (now: Date) => new Date(now.getTime() + leaseMs);

  /**
   * Moves a running (or compensating) saga to `step` and logs the step, in one statement: the
   * update takes the saga's row lock (two drivers of one saga take turns), renews the lease and
   * counts the step; the step log is written from what it returned. With `from`, only a saga
   * still at that step moves. No row: the saga finished (or moved on).
   */
  const record = async (
    executor: Kysely<CheckoutTables>,
    id: string,
    step: SagaStep,
    patch: SagaPatch,
    detail: unknown,
    finished: boolean,
    from?: SagaStep,
  ) => {
    const now = clock.now();
    const row = await executor
      .with('s', (qb) =>
        qb
          .updateTable('checkout.sagas')
          .set((eb) => ({
            step,
            ...columns(patch),
            ...(finished ? { finished_at: now } : {}),
            step_count: eb('step_count', '+', 1),
            lease_until: lease(now),
            updated_at: now,
          }))
          .where('id', '=', id)
          .where('status', 'in', ['running', 'compensating'])
          .$if(from !== undefined, (qb) => qb.where('step', '=', from as SagaStep))
          .returningAll(),
      )
      .with('l', (qb) =>
        qb
          .insertInto('checkout.saga_steps')
          .columns(['saga_id', 'seq', 'step', 'status', 'detail', 'at'])
          .expression((eb) =>
            eb
              .selectFrom('s')
              .select([
                's.id',
                's.step_count',
                's.step',
                's.status',
                (detail === undefined ? sql<null>`null::jsonb` : jsonb(detail)).as('detail'),
                sql<Date>`${now}::timestamptz`.as('at'),
              ]),
          ),
      )
      .selectFrom('s')
      .selectAll()
      .executeTakeFirst();
    if (!row) throw new SagaFinished(id);
    return toSaga(row);
  };

  const update = async (
    saga: Saga,
    step: SagaStep,
    work: SagaPatch | StepWork,
    detail: unknown,
    finished: boolean,
  ): Promise<Saga> => {
    if (typeof work !== 'function') return record(db.primary, saga.id, step, work, detail, finished);
    // Other modules' changes commit with the step: the work first, then the step with what the
    // work returned, recorded only if the saga is still where this driver found it. A second
    // driver of the same saga (the recovery worker, once the lease lapsed) doing the same work
    // meanwhile waits on the rows the work locks, or on the saga's, and then either finds the
    // work done (a guarded change refuses, and throws) or the saga moved on (SagaFinished):
    // either way its transaction rolls back whole.
    return db.transaction(async (trx) =>
      record(trx, saga.id, step, await work(trx), detail, finished, saga.step),
    );
  };

  const byKey = async (cartId: string, key: string) => {
    const row = await db.primary
      .selectFrom('checkout.sagas')
      .selectAll()
      .where('cart_id', '=', cartId)
      .where('idempotency_key', '=', key)
      .executeTakeFirst();
    return row ? toSaga(row) : undefined;
  };

  /**
   * New sagas and their first step, for the checkouts starting at the same time, in one statement
   * (batchTogether; at most one per cart, so two rows of a batch never meet on a unique index).
   * Either unique index may refuse a row: the same key (idempotent replay) or another live
   * checkout of the cart; such a checkout gets null and reads what is there. A batch the database
   * refuses for one row is done again one checkout at a time.
   */
  const starting = batchTogether(
    logger,
    'started',
    async (inputs: readonly StartInput[]) => {
      const now = clock.now();
      const rows = inputs.map((i) => ({
        id: newId('chk'),
        cart_id: i.cartId,
        idempotency_key: i.idempotencyKey,
        request_hash: i.requestHash,
        request: i.request,
        actor: i.actor,
      }));
      const { rows: made } = await sql<Record<string, unknown>>`
        with v as (
          select * from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
            as v(id text, cart_id text, idempotency_key text, request_hash text, request jsonb, actor text)
        ), s as (
          insert into checkout.sagas (id, cart_id, idempotency_key, request_hash, request, actor,
            status, step, step_count, attempts, lease_until, created_at, updated_at)
          select id, cart_id, idempotency_key, request_hash, request, actor,
            'running', 'started', 1, 1, ${lease(now)}, ${now}, ${now}
          from v
          on conflict do nothing
          returning *
        ), l as (
          insert into checkout.saga_steps (saga_id, seq, step, status, at)
          select id, step_count, step, status, created_at from s
        )
        select * from s`.execute(db.primary);
      const byId = new Map(made.map((row) => [row.id, toSaga(row)]));
      return rows.map((row) => byId.get(row.id) ?? null);
    },
    { maxBatch: MAX_START_BATCH, distinctBy: (i) => i.cartId },
  );

  return {
    async start(input) {
      const inserted = await starting(input);
      if (inserted) return { kind: 'new', saga: inserted };
      const existing = await byKey(input.cartId, input.idempotencyKey);
      return existing ? { kind: 'existing', saga: existing } : { kind: 'busy' };
    },
    async get(id) {
      const row = await db.primary
        .selectFrom('checkout.sagas')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirst();
      return row ? toSaga(row) : undefined;
    },
    advance: (saga, step, patch = {}, detail) => update(saga, step, patch, detail, false),
    finish: (saga, status, response, detail) => update(saga, 'done', { status, response }, detail, true),
    advanceMany: (sagas, step, work, options = {}) =>
      db.transaction(async (trx) => {
        const patches = await work(trx);
        const moving = sagas.filter((saga) => patches.has(saga.id));
        if (moving.length === 0) return [];
        const now = clock.now();
        const rows = moving.map((saga) => ({
          id: saga.id,
          from_step: saga.step,
          ...patchValues(patches.get(saga.id) as SagaPatch),
        }));
        // Each column keeps its value where a patch leaves it out; the step log is written from the
        // rows the update returned, as `record` does. The ids are named as an array too: PostgreSQL
        // guesses a hundred rows from jsonb_to_recordset and would otherwise scan every saga.
        const { rows: moved } = await sql<Record<string, unknown>>`
          with v as (
            select * from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as v(
              id text, from_step text, status text, reservation_id text, order_id text, payment_id text,
              amount integer, currency_code text, order_secret text, failure_code text,
              response_status integer, response_body jsonb)
          ), s as (
            update checkout.sagas s
            set step = ${step}, status = coalesce(v.status, s.status),
                reservation_id = coalesce(v.reservation_id, s.reservation_id),
                order_id = coalesce(v.order_id, s.order_id),
                payment_id = coalesce(v.payment_id, s.payment_id),
                amount = coalesce(v.amount, s.amount),
                currency_code = coalesce(v.currency_code, s.currency_code),
                order_secret = coalesce(v.order_secret, s.order_secret),
                failure_code = coalesce(v.failure_code, s.failure_code),
                response_status = coalesce(v.response_status, s.response_status),
                response_body = coalesce(v.response_body, s.response_body),
                finished_at = ${options.finish ? now : null}::timestamptz,
                step_count = s.step_count + 1, lease_until = ${lease(now)}, updated_at = ${now}
            from v
            where s.id = v.id and s.id = any(${moving.map((saga) => saga.id)}::text[])
              and s.status in ('running', 'compensating') and s.step = v.from_step
            returning s.*
          ), l as (
            insert into checkout.saga_steps (saga_id, seq, step, status, detail, at)
            select id, step_count, step, status, null, ${now} from s
          )
          select * from s
        `.execute(trx);
        if (moved.length !== moving.length) {
          const recorded = new Set(moved.map((r) => r.id));
          throw new SagaFinished(moving.find((saga) => !recorded.has(saga.id))?.id ?? '?');
        }
        return moved.map(toSaga);
      }),
    async claimLapsed(limit) {
      const now = clock.now();
      const rows = await db.transaction(async (trx) => {
        const lapsed = await lapsedSagas(trx, now, limit).execute();
        if (lapsed.length === 0) return [];
        return trx
          .updateTable('checkout.sagas')
          .set((eb) => ({ lease_until: lease(now), attempts: eb('attempts', '+', 1), updated_at: now }))
          .where(
            'id',
            'in',
            lapsed.map((r) => r.id),
          )
          .returningAll()
          .execute();
      });
      return rows.map(toSaga);
    },
  };
}
