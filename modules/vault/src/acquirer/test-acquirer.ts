import { createHash } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { type Clock, createBatcher, type Database, fulfilled, newId } from '@emporium/platform';
import { sql } from 'kysely';
import { isExpired } from '../card/validate-card.ts';
import type { AcquirerFailureCode, AcquirerResult } from '../contract/index.ts';
import type { VaultTables } from '../db/tables.ts';
import type { Acquirer } from './acquirer.ts';

/** The test cards of API.md and what the test processor does with them. */
export const testCards = {
  approves: '4242424242424242',
  declined: '4000000000000002',
  insufficientFunds: '4000000000009995',
  /** Fails with a processor error the first two times it is tried for one payment, then approves. */
  flaky: '4000000000000119',
} as const;

const FLAKY_FAILURES = 2;
/** An in-flight request older than this is taken over (its process died mid-call). */
const STALE_IN_FLIGHT_MS = 30_000;

type Result = AcquirerResult<Record<string, unknown>>;

/** An authorization the processor grants, written with the request's final result (one statement). */
interface Granted {
  ref: string;
  reference: string;
  amount: number;
  currency: string;
}

const failure = (code: AcquirerFailureCode, retryable: boolean, message: string): Result => ({
  ok: false,
  code,
  retryable,
  message,
});

/** A request's final result, with the authorization it grants if any. */
interface Final {
  key: string;
  result: Result;
  granted: Granted | undefined;
}

/** How many calls one batched statement serves at most. */
const MAX_BATCH = 32;

const hashOf = (value: unknown): string => createHash('sha256').update(JSON.stringify(value)).digest('hex');

/**
 * The built-in test processor: behaves like a real acquirer for API.md's test cards, answering
 * each call `latencyMs` after it was made (its own bookkeeping included, as a remote acquirer's
 * answer time includes its own work; at 0, as soon as that is done). Every call is idempotent by
 * its key (a replay answers the first final result; a transient failure is not remembered, so a
 * retry with the same key runs again); any other valid, unexpired card approves.
 */
export function createTestAcquirer(db: Database<VaultTables>, clock: Clock, latencyMs: number): Acquirer {
  // The two statements a call with effects of its own makes (capture, void, refund, the flaky
  // card), each shared by the calls making it at the same time (natural batching): the claim of the
  // request's key, and its final result with what it grants. A call decided without effects makes
  // one (`record` below).
  const claim = createBatcher(
    async (items: readonly { key: string; operation: string; requestHash: string; now: Date }[]) => {
      const rows = await db.primary
        .insertInto('vault.test_acquirer_requests')
        .values(
          items.map((i) => ({
            idempotency_key: i.key,
            operation: i.operation,
            request_hash: i.requestHash,
            result: null,
            created_at: i.now,
          })),
        )
        .onConflict((oc) => oc.column('idempotency_key').doNothing())
        .returning('idempotency_key')
        .execute();
      const inserted = new Set(rows.map((r) => r.idempotency_key));
      return items.map((i) => fulfilled(inserted.has(i.key)));
    },
    { maxBatch: MAX_BATCH, distinctBy: (i) => i.key },
  );
  const finish = createBatcher(
    async (items: readonly Final[]) => {
      const results = items.map((i) => ({ key: i.key, result: i.result }));
      const granted = items.flatMap((i) => (i.granted ? [i.granted] : []));
      await sql`
        with granted as (
          insert into vault.test_acquirer_authorizations (ref, reference, amount, currency, status, created_at)
          select g.ref, g.reference, g.amount, g.currency, 'authorized', ${clock.now()}
          from jsonb_to_recordset(${JSON.stringify(granted)}::jsonb)
            as g(ref text, reference text, amount bigint, currency text)
        )
        update vault.test_acquirer_requests r set result = v.result
        from jsonb_to_recordset(${JSON.stringify(results)}::jsonb) as v(key text, result jsonb)
        where r.idempotency_key = v.key
          and r.idempotency_key = any(${items.map((i) => i.key)}::text[])`.execute(db.primary);
      return items.map(() => fulfilled(undefined));
    },
    { maxBatch: MAX_BATCH, distinctBy: (i) => i.key },
  );

  // A request decided with no effect of its own (most authorizations): its key, final result and
  // grant in one statement, shared likewise. A key already there is left as it is (the caller then
  // reads what it holds, as after a refused claim).
  const record = createBatcher(
    async (items: readonly (Final & { operation: string; requestHash: string; now: Date })[]) => {
      const rows = items.map((i) => ({
        key: i.key,
        operation: i.operation,
        request_hash: i.requestHash,
        result: i.result,
        created_at: i.now.toISOString(),
        ...i.granted,
      }));
      const { rows: inserted } = await sql<{ key: string }>`
        with v as (
          select * from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as v(
            key text, operation text, request_hash text, result jsonb, created_at timestamptz,
            ref text, reference text, amount bigint, currency text)
        ), r as (
          insert into vault.test_acquirer_requests (idempotency_key, operation, request_hash, result, created_at)
          select key, operation, request_hash, result, created_at from v
          on conflict (idempotency_key) do nothing
          returning idempotency_key
        ), granted as (
          insert into vault.test_acquirer_authorizations (ref, reference, amount, currency, status, created_at)
          select v.ref, v.reference, v.amount, v.currency, 'authorized', v.created_at
          from v join r on r.idempotency_key = v.key
          where v.ref is not null
        )
        select idempotency_key as key from r`.execute(db.primary);
      const written = new Set(inserted.map((r) => r.key));
      return items.map((i) => fulfilled(written.has(i.key)));
    },
    { maxBatch: MAX_BATCH, distinctBy: (i) => i.key },
  );

  /** Runs a call once per key (see handleOnce), answering `latencyMs` after it was made at the earliest. */
  async function once(...call: Parameters<typeof handleOnce>): Promise<Result> {
    const answerTime = latencyMs > 0 ? delay(latencyMs) : undefined;
    try {
      return await handleOnce(...call);
    } finally {
      await answerTime;
    }
  }

  async function handleOnce(
    key: string,
    operation: string,
    request: unknown,
    run: () => Promise<Result>,
    /** What `run` granted, if anything: written with the final result. */
    grantedBy: () => Granted | undefined = () => undefined,
    /**
     * A result decided before any write, by a call with no effect of its own: written with its grant
     * in one statement, as the key's claim. Nothing is written for a transient failure.
     */
    decided?: Result,
  ): Promise<Result> {
    const requestHash = hashOf({ operation, request });
    const now = clock.now();
    if (decided && !decided.ok && decided.retryable) return decided;
    const claimed = decided
      ? await record({ key, operation, requestHash, now, result: decided, granted: grantedBy() })
      : await claim({ key, operation, requestHash, now });
    if (decided && claimed) return decided;
    if (!claimed) {
      const row = await db.primary
        .selectFrom('vault.test_acquirer_requests')
        .select(['request_hash', 'result', 'created_at'])
        .where('idempotency_key', '=', key)
        .executeTakeFirst();
      if (!row) return failure('processor_error', true, 'The processor is busy; try again.');
      if (row.request_hash !== requestHash) {
        return failure('processor_error', false, 'The idempotency key was used for a different request.');
      }
      if (row.result !== null) return row.result as Result;
      if (now.getTime() - row.created_at.getTime() < STALE_IN_FLIGHT_MS) {
        return failure('processor_error', true, 'A request with this idempotency key is in progress.');
      }
      // The first caller died mid-request: take it over.
      const taken = await db.primary
        .updateTable('vault.test_acquirer_requests')
        .set({ created_at: now })
        .where('idempotency_key', '=', key)
        .where('result', 'is', null)
        .where('created_at', '=', row.created_at)
        .executeTakeFirst();
      if (Number(taken.numUpdatedRows) === 0) {
        return failure('processor_error', true, 'A request with this idempotency key is in progress.');
      }
    }
    let result: Result;
    try {
      result = await run();
    } catch (err) {
      await db.primary
        .deleteFrom('vault.test_acquirer_requests')
        .where('idempotency_key', '=', key)
        .execute();
      throw err;
    }
    if (!result.ok && result.retryable) {
      await db.primary
        .deleteFrom('vault.test_acquirer_requests')
        .where('idempotency_key', '=', key)
        .execute();
    } else {
      // The request's result and the authorization it grants, together: a replay after a crash
      // between the two can never find one without the other.
      await finish({ key, result, granted: grantedBy() });
    }
    return result;
  }

  const findAuthorization = (ref: string) =>
    db.primary
      .selectFrom('vault.test_acquirer_authorizations')
      .selectAll()
      .where('ref', '=', ref)
      .executeTakeFirst();

  return {
    async authorize(card, request) {
      let granted: Granted | undefined;
      const grant = (): Result => {
        const ref = newId('auth');
        granted = { ref, reference: request.reference, amount: request.amount, currency: request.currency };
        return { ok: true, authorizationRef: ref };
      };
      /** The answer when the card alone decides it: every test card but the flaky one. */
      const byCard = (): Result | undefined => {
        if (isExpired(card.expMonth, card.expYear, clock.now())) {
          return failure('card_expired', false, 'The card has expired.');
        }
        if (card.number === testCards.declined)
          return failure('card_declined', false, 'The card was declined.');
        if (card.number === testCards.insufficientFunds) {
          return failure('insufficient_funds', false, 'The card has insufficient funds.');
        }
        return card.number === testCards.flaky ? undefined : grant();
      };
      /** The flaky card counts its tries by payment, in the database: it fails the first two. */
      const flakyAnswer = async (): Promise<Result> => {
        const r = await sql<{ attempts: number }>`
          insert into vault.test_acquirer_attempts (reference, attempts) values (${request.reference}, 1)
          on conflict (reference) do update set attempts = vault.test_acquirer_attempts.attempts + 1
          returning attempts
        `.execute(db.primary);
        if ((r.rows[0]?.attempts ?? 0) <= FLAKY_FAILURES) {
          return failure('processor_error', true, 'The processor had a temporary error.');
        }
        return grant();
      };
      return (await once(
        request.idempotencyKey,
        'authorize',
        { amount: request.amount, currency: request.currency, reference: request.reference },
        async () => byCard() ?? (await flakyAnswer()),
        () => granted,
        byCard(),
      )) as AcquirerResult<{ authorizationRef: string }>;
    },

    async capture(ref, amount, key) {
      return (await once(key, 'capture', { ref, amount }, async () => {
        const auth = await findAuthorization(ref);
        if (!auth) return failure('processor_error', false, 'No such authorization.');
        if (auth.status !== 'authorized')
          return failure('processor_error', false, `The authorization is ${auth.status}.`);
        if (amount > Number(auth.amount))
          return failure('processor_error', false, 'Capture exceeds the authorization.');
        await db.primary
          .updateTable('vault.test_acquirer_authorizations')
          .set({ captured: amount, status: 'captured' })
          .where('ref', '=', ref)
          .where('status', '=', 'authorized')
          .execute();
        return { ok: true, captureRef: newId('cap') };
      })) as AcquirerResult<{ captureRef: string }>;
    },

    async void(ref, key) {
      return (await once(key, 'void', { ref }, async () => {
        const auth = await findAuthorization(ref);
        if (!auth) return failure('processor_error', false, 'No such authorization.');
        if (auth.status === 'captured')
          return failure('processor_error', false, 'A captured payment cannot be voided.');
        await db.primary
          .updateTable('vault.test_acquirer_authorizations')
          .set({ status: 'voided' })
          .where('ref', '=', ref)
          .execute();
        return { ok: true };
      })) as AcquirerResult<object>;
    },

    async refund(ref, amount, key) {
      return (await once(key, 'refund', { ref, amount }, async () => {
        const r = await db.primary
          .updateTable('vault.test_acquirer_authorizations')
          .set({ refunded: sql`refunded + ${amount}` })
          .where('ref', '=', ref)
          .where('status', '=', 'captured')
          .where(sql<boolean>`captured - refunded >= ${amount}`)
          .executeTakeFirst();
        if (Number(r.numUpdatedRows) === 0) {
          return failure('processor_error', false, 'The refund exceeds what is left of the capture.');
        }
        return { ok: true, refundRef: newId('rfd') };
      })) as AcquirerResult<{ refundRef: string }>;
    },
  };
}
