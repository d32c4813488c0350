import {
  AppError,
  createBatcher,
  fulfilled,
  newId,
  validationFailed,
  writeEvents,
  writeWithEvents,
} from '@emporium/platform';
import { type Selectable, sql } from 'kysely';
import {
  type AuthorizeFailureCode,
  type AuthorizeResult,
  type PaymentCard,
  type PaymentEvent,
  type PaymentIntent,
  type PaymentOperationResult,
  type PaymentProvider,
  type PaymentsService,
  type ProviderAuthorization,
  type ProviderResult,
  paymentsEvents,
} from '../contract/index.ts';
import type { IntentsTable, RefundsTable, Trx } from '../db/tables.ts';

type RefundRow = RefundsTable;

import type { PaymentsContext } from '../payments-context.ts';
import { type Approval, recordApprovalRows } from './approvals.ts';
import { eventOf, toIntent } from './intent-rows.ts';
import { createPreparedAuthorizations, type RecordAnswer } from './prepared-authorizations.ts';
import { withRetries } from './retry.ts';

/** How many calls one batched statement serves at most. */
const MAX_BATCH = 32;

/** An authorization's start: its intent, its key, the id of the attempt it would write. */
interface Begin {
  intent_id: string;
  key: string;
  new_id: string;
  /** The provider that accepts the token, if any (no attempt is written without one). */
  provider: string | null;
}

/** The intent, with this key's attempt if any and the attempt written now, if one was. */
type Begun = Selectable<IntentsTable> & {
  attempt_id: string | null;
  attempt_provider: string | null;
  attempt_status: string | null;
  attempt_failure_code: string | null;
  inserted_id: string | null;
};

/** Sentences a shopper can read, per failure code (never the processor's own wording). */
const shopperMessages: Record<AuthorizeFailureCode, string> = {
  card_declined: 'Your card was declined. Please use another card.',
  insufficient_funds: 'Your card was declined for insufficient funds. Please use another card.',
  card_expired: 'Your card has expired. Please use another card.',
  token_used: 'Your card details have already been used. Please enter your card again.',
  token_not_found: 'Your card details have expired. Please enter your card again.',
  payment_failed: 'We could not process your payment. Please try again in a moment.',
};

const KNOWN: ReadonlySet<string> = new Set(Object.keys(shopperMessages));
const toFailureCode = (code: string): AuthorizeFailureCode =>
  KNOWN.has(code) ? (code as AuthorizeFailureCode) : 'payment_failed';

/** The intent's columns once `providerName` approved its authorization (`updated_at` aside). */
const approvedColumns = (providerName: string, approval: ProviderAuthorization) => ({
  status: 'authorized' as const,
  amount_authorized: sql<number>`amount`,
  provider: providerName,
  authorization_ref: approval.authorizationRef,
  card: approval.card ? sql<PaymentCard>`cast(${JSON.stringify(approval.card)} as jsonb)` : null,
  last_failure_code: null,
});

/** An attempt's columns once the provider answered `result` after `tries` tries. */
const finishedAttemptColumns = (result: ProviderResult<object>, tries: number, now: Date) => ({
  status: result.ok ? ('succeeded' as const) : ('failed' as const),
  failure_code: result.ok ? null : toFailureCode(result.code),
  failure_message: result.ok ? null : result.message.slice(0, 500),
  tries: sql<number>`tries + ${tries}`,
  finished_at: now,
});

const notFound = (): PaymentOperationResult => ({
  ok: false,
  code: 'payment_not_found',
  message: 'No payment has this id.',
});

/** Payment intents behind the provider port: see PaymentsService in contract/ for the rules. */
export function createPaymentsService(ctx: PaymentsContext): PaymentsService {
  const { db, clock } = ctx;

  const emit = async (trx: Trx, type: string, intent: PaymentIntent, extra: Partial<PaymentEvent> = {}) => {
    await writeEvents(trx, [eventOf(type, intent, extra)], clock);
  };

  const load = async (id: string): Promise<PaymentIntent | undefined> => {
    const row = await db.primary
      .selectFrom('payments.intents')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row ? toIntent(row) : undefined;
  };
  const lock = async (trx: Trx, id: string): Promise<PaymentIntent> =>
    toIntent(
      await trx
        .selectFrom('payments.intents')
        .selectAll()
        .where('id', '=', id)
        .forUpdate()
        .executeTakeFirstOrThrow(),
    );

  /**
   * Updates the intent (only while its status is `whileStatus`, when given) and writes its event in
   * the same transaction; answers the intent after, or undefined when the status guard refused.
   */
  const changeIf = async (
    trx: Trx,
    id: string,
    whileStatus: PaymentIntent['status'] | undefined,
    patch: Record<string, unknown>,
    event: string,
    extra: Partial<PaymentEvent> = {},
  ): Promise<PaymentIntent | undefined> => {
    let update = trx
      .updateTable('payments.intents')
      .set({ ...patch, updated_at: clock.now() })
      .where('id', '=', id);
    if (whileStatus !== undefined) update = update.where('status', '=', whileStatus);
    const row = await update.returningAll().executeTakeFirst();
    if (!row) return undefined;
    const intent = toIntent(row);
    await emit(trx, event, intent, extra);
    return intent;
  };

  /** `changeIf` without a status guard: the intent must exist. */
  const change = async (
    trx: Trx,
    id: string,
    patch: Record<string, unknown>,
    event: string,
    extra: Partial<PaymentEvent> = {},
  ): Promise<PaymentIntent> => {
    const intent = await changeIf(trx, id, undefined, patch, event, extra);
    if (!intent) throw new Error(`payment ${id} vanished inside its own transaction`);
    return intent;
  };

  /** Approvals recorded in one statement, shared by the authorizations answered at the same time. */
  const recordApproval = createBatcher(
    async (items: readonly Approval[]) => {
      const byId = await recordApprovalRows(db.primary, clock, items);
      return items.map((a) => fulfilled(byId.get(a.before.id)));
    },
    { maxBatch: MAX_BATCH, distinctBy: (a) => a.before.id },
  );

  /**
   * The start of authorizations, one statement for those starting at the same time (one call an
   * intent in each batch): each intent, its key's attempt if any, and a new pending attempt when
   * the intent awaits its authorization, a provider accepts the token and the key has none yet. A
   * unique index may refuse the new attempt (the same key racing us, or another key's attempt in
   * flight): it is then simply not written, and `authorize` tells which.
   */
  const beginAttempt = createBatcher(
    async (items: readonly Begin[]) => {
      const input = items.map((b, n) => ({ n, ...b }));
      // The ids also as an array, so that PostgreSQL reads the rows by their key (it guesses a
      // hundred rows from jsonb_to_recordset, and would scan the tables).
      const ids = items.map((b) => b.intent_id);
      const { rows } = await sql<Begun & { n: number }>`
        with v as (
          select * from jsonb_to_recordset(${JSON.stringify(input)}::jsonb)
            as v(n int, intent_id text, key text, new_id text, provider text)
        ), i as (
          select v.n, p.* from v join payments.intents p on p.id = v.intent_id
          where p.id = any(${ids}::text[])
        ), a as (
          select v.n, t.id, t.provider, t.status, t.failure_code
          from v join payments.attempts t on t.payment_id = v.intent_id and t.idempotency_key = v.key
          where t.payment_id = any(${ids}::text[])
        ), inserted as (
          insert into payments.attempts
            (id, payment_id, idempotency_key, provider, status, failure_code, failure_message, created_at, finished_at)
          select v.new_id, i.id, v.key, v.provider, 'pending', null, null, ${clock.now()}::timestamptz, null
          from v join i on i.n = v.n
          where i.status = 'requires_authorization' and v.provider is not null
            and not exists (select from a where a.n = v.n)
          on conflict do nothing
          returning id
        )
        select i.*, a.id as attempt_id, a.provider as attempt_provider, a.status as attempt_status,
          a.failure_code as attempt_failure_code,
          (select ins.id from inserted ins where ins.id = v.new_id) as inserted_id
        from v join i on i.n = v.n left join a on a.n = v.n`.execute(db.primary);
      const byN = new Map(rows.map((r) => [r.n, r]));
      return items.map((_, n) => fulfilled(byN.get(n)));
    },
    { maxBatch: MAX_BATCH, distinctBy: (b) => b.intent_id },
  );

  const providerFor = (name: string | null): PaymentProvider => {
    const p = ctx.providers.find((x) => x.name === name);
    if (!p) throw new Error(`payment provider ${name} is not configured`);
    return p;
  };

  const failed = (code: string, intent: PaymentIntent): AuthorizeResult => {
    const c = toFailureCode(code);
    return { ok: false, code: c, message: shopperMessages[c], intent };
  };

  /**
   * Records the provider's answer to the attempt `attemptId` on `intent`: an approval in the shared
   * statement (recordApproval); a failure, or an approval that did not apply, in a transaction
   * that tells what happened.
   */
  const recordAnswer: RecordAnswer = async (intent, attemptId, provider, result, tries) => {
    if (result.ok) {
      const authorized = await recordApproval({
        before: intent,
        attemptId,
        providerName: provider.name,
        approval: result,
        tries,
      });
      if (authorized) {
        ctx.nudge();
        return { ok: true, intent: authorized };
      }
      // Not applied: a concurrent replay finished the attempt, or the intent moved on. The
      // transaction below tells which and answers accordingly.
    }
    // No lock on the intent first: the attempt's `pending` guard lets one finisher through, and the
    // intent's own update checks its state.
    const outcome = await db.transaction(async (trx): Promise<AuthorizeResult> => {
      const finished = await trx
        .updateTable('payments.attempts')
        .set(finishedAttemptColumns(result, tries, clock.now()))
        .where('id', '=', attemptId)
        .where('status', '=', 'pending')
        .returning('id')
        .executeTakeFirst();
      if (!finished) {
        // A concurrent replay of the same key finished first: answer what it recorded.
        const current = await lock(trx, intent.id);
        const done = await trx
          .selectFrom('payments.attempts')
          .selectAll()
          .where('id', '=', attemptId)
          .executeTakeFirstOrThrow();
        return done.status === 'succeeded'
          ? { ok: true, intent: current }
          : failed(done.failure_code ?? 'payment_failed', current);
      }
      if (!result.ok) {
        const code = toFailureCode(result.code);
        const after = await change(
          trx,
          intent.id,
          { last_failure_code: code },
          paymentsEvents.authorizationFailed,
          {
            failureCode: code,
          },
        );
        return failed(code, after);
      }
      const after = await changeIf(
        trx,
        intent.id,
        'requires_authorization',
        approvedColumns(provider.name, result),
        paymentsEvents.authorized,
      );
      if (!after) {
        // Cannot happen while one attempt at a time is pending (attempts_one_pending); refuse loudly.
        const current = await lock(trx, intent.id);
        throw new AppError('payment_state_conflict', 409, `The payment is already ${current.status}.`);
      }
      return { ok: true, intent: after };
    });
    ctx.nudge();
    return outcome;
  };

  const service: PaymentsService = {
    ...createPreparedAuthorizations(ctx, recordAnswer),

    async createIntent(input, trx) {
      const [intent] = await service.createIntentMany([input], trx);
      if (!intent) throw new Error('no intent created');
      return intent;
    },

    async createIntentMany(inputs, trx) {
      inputs.forEach((input, i) => {
        const errors = [];
        const at = inputs.length === 1 ? '' : `/${i}`;
        if (!Number.isSafeInteger(input.amount) || input.amount <= 0) {
          errors.push({ path: `${at}/amount`, message: 'must be a positive integer of minor units' });
        }
        if (!/^[a-z]{3}$/.test(input.currency))
          errors.push({ path: `${at}/currency`, message: 'must be three lower-case letters' });
        if (input.reference.length < 1 || input.reference.length > 200) {
          errors.push({ path: `${at}/reference`, message: 'must be 1 to 200 characters' });
        }
        if (errors.length > 0) throw validationFailed('Invalid payment intent.', errors);
      });
      if (inputs.length === 0) return [];
      const now = clock.now();
      const rows = inputs.map(
        (input) =>
          ({
            id: newId('pay'),
            reference: input.reference,
            amount: input.amount,
            currency: input.currency,
            status: 'requires_authorization',
            provider: null,
            authorization_ref: null,
            card: null,
            last_failure_code: null,
            created_at: now,
            updated_at: now,
          }) as const,
      );
      const intents = rows.map((values) =>
        toIntent({ ...values, amount_authorized: 0, amount_captured: 0, amount_refunded: 0 }),
      );
      // The intents and their events in one statement (a checkout creates one per order).
      const executor = (trx as Trx | undefined) ?? db.primary;
      await writeWithEvents(
        executor,
        executor.insertInto('payments.intents').values(rows).returning('id'),
        intents.map((intent) => eventOf(paymentsEvents.created, intent)),
        clock,
      );
      if (!trx) ctx.nudge();
      return intents;
    },

    async authorize(intentId, source, idempotencyKey) {
      if (idempotencyKey.length < 1 || idempotencyKey.length > 255) {
        throw validationFailed('Invalid idempotency key.', [
          { path: '/idempotency_key', message: 'must be 1 to 255 characters' },
        ]);
      }
      const accepting = ctx.providers.find((p) => p.accepts(source.token));
      const found = await beginAttempt({
        intent_id: intentId,
        key: idempotencyKey,
        new_id: newId('payatt'),
        provider: accepting?.name ?? null,
      });
      if (!found) throw new AppError('payment_not_found', 404, 'No payment has this id.');
      const intent = toIntent(found);
      if (found.attempt_status === 'succeeded') return { ok: true, intent };
      if (found.attempt_status === 'failed')
        return failed(found.attempt_failure_code ?? 'payment_failed', intent);
      const attempt =
        found.attempt_id && found.attempt_provider
          ? { id: found.attempt_id, provider: found.attempt_provider }
          : found.inserted_id && accepting
            ? { id: found.inserted_id, provider: accepting.name }
            : undefined;
      if (!attempt) {
        if (intent.status !== 'requires_authorization') {
          throw new AppError(
            'payment_state_conflict',
            409,
            `The payment is ${intent.status.replace('_', ' ')}; it cannot be authorized again.`,
          );
        }
        if (!accepting) {
          throw validationFailed('The payment token is not one this shop accepts.', [
            { path: '/payment/token', message: 'is not a token of a configured payment provider' },
          ]);
        }
        // Not written: the same key raced us (replay it), or another key's attempt is in flight.
        const again = await db.primary
          .selectFrom('payments.attempts')
          .select('id')
          .where('payment_id', '=', intentId)
          .where('idempotency_key', '=', idempotencyKey)
          .executeTakeFirst();
        if (again) return service.authorize(intentId, source, idempotencyKey);
        throw new AppError(
          'payment_state_conflict',
          409,
          'Another authorization of this payment is in progress.',
        );
      }
      const pending = attempt;
      const provider = providerFor(pending.provider);
      const { result, tries } = await withRetries(ctx.retry, () =>
        provider.authorize({
          token: source.token,
          amount: intent.amount,
          currency: intent.currency,
          reference: intent.id,
          // One provider key per attempt: every retry and replay of it is the same charge.
          idempotencyKey: pending.id,
        }),
      );
      return recordAnswer(intent, pending.id, provider, result, tries);
    },

    async capture(intentId, amount) {
      const intent = await load(intentId);
      if (!intent) return notFound();
      if (intent.status === 'captured' && (amount === undefined || amount === intent.amountCaptured)) {
        return { ok: true, intent };
      }
      if (intent.status !== 'authorized') {
        return {
          ok: false,
          code: 'payment_state_conflict',
          message: `A ${intent.status.replace('_', ' ')} payment cannot be captured.`,
          intent,
        };
      }
      const value = amount ?? intent.amountAuthorized;
      if (!Number.isSafeInteger(value) || value <= 0) {
        throw validationFailed('Invalid capture amount.', [
          { path: '/amount', message: 'must be a positive integer' },
        ]);
      }
      if (value > intent.amountAuthorized) {
        return {
          ok: false,
          code: 'amount_exceeds_authorized',
          message: `At most ${intent.amountAuthorized} can be captured.`,
          intent,
        };
      }
      const ref = await authorizationRef(intentId);
      const { result } = await withRetries(ctx.retry, () =>
        providerFor(intent.provider).capture(ref, value, `${intentId}:capture`),
      );
      if (!result.ok)
        return {
          ok: false,
          code: 'payment_failed',
          message: 'The capture failed at the processor; try again later.',
          intent,
        };
      const after = await db.transaction(async (trx) => {
        const current = await lock(trx, intentId);
        if (current.status !== 'authorized') return current;
        return change(trx, intentId, { status: 'captured', amount_captured: value }, paymentsEvents.captured);
      });
      ctx.nudge();
      return after.status === 'captured'
        ? { ok: true, intent: after }
        : {
            ok: false,
            code: 'payment_state_conflict',
            message: `The payment is ${after.status}.`,
            intent: after,
          };
    },

    async cancel(intentId) {
      const intent = await load(intentId);
      if (!intent) return notFound();
      if (intent.status === 'canceled') return { ok: true, intent };
      if (intent.status === 'captured') {
        return {
          ok: false,
          code: 'payment_state_conflict',
          message: 'A captured payment cannot be canceled; refund it instead.',
          intent,
        };
      }
      if (intent.status === 'authorized') {
        const ref = await authorizationRef(intentId);
        const { result } = await withRetries(ctx.retry, () =>
          providerFor(intent.provider).void(ref, `${intentId}:void`),
        );
        if (!result.ok)
          return {
            ok: false,
            code: 'payment_failed',
            message: 'The void failed at the processor; try again later.',
            intent,
          };
      }
      const after = await db.transaction(async (trx) => {
        const current = await lock(trx, intentId);
        if (current.status === 'canceled' || current.status === 'captured') return current;
        if (current.status === 'requires_authorization') {
          // An attempt still in flight must not authorize a canceled payment afterwards.
          await trx
            .updateTable('payments.attempts')
            .set({
              status: 'failed',
              failure_code: 'payment_failed',
              failure_message: 'canceled',
              finished_at: clock.now(),
            })
            .where('payment_id', '=', intentId)
            .where('status', '=', 'pending')
            .execute();
        }
        return change(trx, intentId, { status: 'canceled' }, paymentsEvents.canceled);
      });
      ctx.nudge();
      return after.status === 'canceled'
        ? { ok: true, intent: after }
        : {
            ok: false,
            code: 'payment_state_conflict',
            message: `The payment is ${after.status}.`,
            intent: after,
          };
    },

    async refund(intentId, amount, idempotencyKey) {
      if (!Number.isSafeInteger(amount) || amount <= 0) {
        throw validationFailed('Invalid refund amount.', [
          { path: '/amount', message: 'must be a positive integer of minor units' },
        ]);
      }
      const intent = await load(intentId);
      if (!intent) return notFound();
      type Reserved = { error: PaymentOperationResult } | { refund: RefundRow; intent: PaymentIntent };
      const reserved = await db.transaction(async (trx): Promise<Reserved> => {
        const current = await lock(trx, intentId);
        const existing = await trx
          .selectFrom('payments.refunds')
          .selectAll()
          .where('payment_id', '=', intentId)
          .where('idempotency_key', '=', idempotencyKey)
          .executeTakeFirst();
        if (existing) {
          if (Number(existing.amount) !== amount) {
            throw new AppError(
              'idempotency_conflict',
              409,
              'This idempotency key was used for a refund of another amount.',
            );
          }
          return { refund: existing, intent: current };
        }
        if (current.status !== 'captured') {
          return {
            error: {
              ok: false,
              code: 'payment_state_conflict',
              message: 'Only a captured payment can be refunded.',
              intent: current,
            } as const,
          };
        }
        if (current.amountRefunded + amount > current.amountCaptured) {
          return {
            error: {
              ok: false,
              code: 'amount_exceeds_captured',
              message: `At most ${current.amountCaptured - current.amountRefunded} more can be refunded.`,
              intent: current,
            } as const,
          };
        }
        const refund = await trx
          .insertInto('payments.refunds')
          .values({
            id: newId('refund'),
            payment_id: intentId,
            idempotency_key: idempotencyKey,
            amount,
            status: 'pending',
            failure_code: null,
            created_at: clock.now(),
            finished_at: null,
          })
          .returningAll()
          .executeTakeFirstOrThrow();
        // Reserve the amount now, so concurrent refunds can never exceed what was captured.
        await trx
          .updateTable('payments.intents')
          .set({ amount_refunded: sql`amount_refunded + ${amount}`, updated_at: clock.now() })
          .where('id', '=', intentId)
          .execute();
        return { refund, intent: current };
      });
      if ('error' in reserved) return reserved.error;
      const { refund } = reserved;
      if (refund.status === 'succeeded')
        return { ok: true, intent: (await load(intentId)) ?? reserved.intent };
      if (refund.status === 'failed') {
        return {
          ok: false,
          code: 'payment_failed',
          message: 'The refund failed at the processor.',
          intent: reserved.intent,
        };
      }
      const ref = await authorizationRef(intentId);
      const { result } = await withRetries(ctx.retry, () =>
        providerFor(reserved.intent.provider).refund(ref, amount, refund.id),
      );
      const after = await db.transaction(async (trx) => {
        await lock(trx, intentId);
        const done = await trx
          .updateTable('payments.refunds')
          .set({
            status: result.ok ? 'succeeded' : 'failed',
            failure_code: result.ok ? null : 'payment_failed',
            finished_at: clock.now(),
          })
          .where('id', '=', refund.id)
          .where('status', '=', 'pending')
          .returningAll()
          .executeTakeFirst();
        if (!done)
          return toIntent(
            await trx
              .selectFrom('payments.intents')
              .selectAll()
              .where('id', '=', intentId)
              .executeTakeFirstOrThrow(),
          );
        if (result.ok)
          return change(trx, intentId, {}, paymentsEvents.refunded, {
            refundId: refund.id,
            refundAmount: amount,
          });
        const row = await trx
          .updateTable('payments.intents')
          .set({ amount_refunded: sql`amount_refunded - ${amount}`, updated_at: clock.now() })
          .where('id', '=', intentId)
          .returningAll()
          .executeTakeFirstOrThrow();
        return toIntent(row);
      });
      ctx.nudge();
      return result.ok
        ? { ok: true, intent: after }
        : {
            ok: false,
            code: 'payment_failed',
            message: 'The refund failed at the processor; try again later.',
            intent: after,
          };
    },

    get: load,

    async listByReference(reference) {
      const rows = await db.primary
        .selectFrom('payments.intents')
        .selectAll()
        .where('reference', '=', reference)
        .orderBy('id')
        .execute();
      return rows.map(toIntent);
    },

    async listRefunds(intentId) {
      const rows = await db.primary
        .selectFrom('payments.refunds')
        .select(['id', 'payment_id', 'amount', 'created_at'])
        .where('payment_id', '=', intentId)
        .where('status', '=', 'succeeded')
        .orderBy('id')
        .execute();
      return rows.map((r) => ({
        id: r.id,
        paymentId: r.payment_id,
        amount: Number(r.amount),
        createdAt: r.created_at,
      }));
    },
  };
  return service;

  async function authorizationRef(intentId: string): Promise<string> {
    const row = await db.primary
      .selectFrom('payments.intents')
      .select('authorization_ref')
      .where('id', '=', intentId)
      .executeTakeFirstOrThrow();
    if (!row.authorization_ref) throw new Error(`payment ${intentId} has no authorization reference`);
    return row.authorization_ref;
  }
}
