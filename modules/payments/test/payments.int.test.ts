import { ManualClock, migrate, platformMigrations } from '@emporium/platform';
import { databaseKinds, startTestPlatform, type TestPlatform } from '@emporium/testkit';
import { createVaultModule, memoryKeyRing, type VaultModule, vaultMigrations } from '@emporium/vault';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PaymentIntent, PaymentProvider, PaymentsService } from '../src/contract/index.ts';
import { createPaymentsModule, paymentsMigrations } from '../src/index.ts';

const cards = {
  approves: '4242 4242 4242 4242',
  declined: '4000 0000 0000 0002',
  insufficient: '4000 0000 0000 9995',
  flaky: '4000 0000 0000 0119',
};

// Payments and the vault on the real database (PGlite, and PostgreSQL when it answers), with the
// built-in test processor (no latency), keys in memory, a ManualClock and real outbox events.
// Retries wait at most a millisecond so the transient card is absorbed quickly.
describe.each(databaseKinds())('payments on %s', (kind) => {
  let platform: TestPlatform;
  let vault: VaultModule;
  let payments: PaymentsService;
  /** How many authorize calls reached the provider (the vault), per payment. */
  const providerCalls = new Map<string, number>();

  beforeAll(async () => {
    platform = await startTestPlatform({
      database: kind,
      clock: new ManualClock(Date.UTC(2026, 5, 15)),
      compose: (ports) => {
        vault = createVaultModule(ports, { keyRing: memoryKeyRing() });
        const counting = (inner: VaultModule['service']) => ({
          ...inner,
          forwardAuthorization: (...args: Parameters<typeof inner.forwardAuthorization>) => {
            const reference = args[1].reference;
            providerCalls.set(reference, (providerCalls.get(reference) ?? 0) + 1);
            return inner.forwardAuthorization(...args);
          },
        });
        const module = createPaymentsModule(ports, {
          vault: counting(vault.service),
          retry: { baseDelayMs: 1, maxDelayMs: 1 },
        });
        payments = module.service;
        return [vault, module];
      },
    });
    await migrate(platform.ports.db, [platformMigrations, vaultMigrations, paymentsMigrations]);
  });
  afterAll(async () => {
    await platform?.close();
  });

  const tokenFor = async (number: string): Promise<string> => {
    const r = await vault.service.tokenize({ number, expMonth: 12, expYear: 2030, cvc: '123' });
    if (!r.ok) throw new Error(r.code);
    return r.card.token;
  };
  const intent = (amount = 2599) =>
    payments.createIntent({ amount, currency: 'usd', reference: `order_${Math.random()}` });
  const events = async (paymentId: string) =>
    (
      await sql<{
        type: string;
      }>`select type from platform.outbox where key = ${paymentId} order by id`.execute(
        platform.ports.db.primary,
      )
    ).rows.map((r) => r.type.replace('payments.payment.', '').replace('.v1', ''));

  it('authorizes with 4242…, shows brand and last 4, captures and emits each change', async () => {
    const p = await intent();
    expect(p.status).toBe('requires_authorization');
    // The intent and its `created` event are written together, the event describing the new intent.
    const created = await sql<{ payload: unknown }>`
      select payload from platform.outbox where key = ${p.id}`.execute(platform.ports.db.primary);
    expect(created.rows.map((r) => r.payload)).toEqual([
      {
        paymentId: p.id,
        reference: p.reference,
        status: 'requires_authorization',
        amount: 2599,
        currency: 'usd',
        amountAuthorized: 0,
        amountCaptured: 0,
        amountRefunded: 0,
      },
    ]);
    const auth = await payments.authorize(p.id, { token: await tokenFor(cards.approves) }, 'k-ok');
    expect(auth).toMatchObject({
      ok: true,
      intent: { status: 'authorized', amountAuthorized: 2599, card: { brand: 'visa', last4: '4242' } },
    });
    const cap = await payments.capture(p.id);
    expect(cap).toMatchObject({ ok: true, intent: { status: 'captured', amountCaptured: 2599 } });
    expect(await events(p.id)).toEqual(['created', 'authorized', 'captured']);
  });

  it('creates several intents at once, each with its created event, and refuses them all for one bad input', async () => {
    const made = await payments.createIntentMany([
      { amount: 1000, currency: 'usd', reference: 'order_many_1' },
      { amount: 2500, currency: 'eur', reference: 'order_many_2' },
    ]);
    expect(made.map((i) => [i.reference, i.amount, i.currency, i.status])).toEqual([
      ['order_many_1', 1000, 'usd', 'requires_authorization'],
      ['order_many_2', 2500, 'eur', 'requires_authorization'],
    ]);
    for (const i of made) {
      expect(await events(i.id)).toEqual(['created']);
      expect((await payments.listByReference(i.reference)).map((x) => x.id)).toEqual([i.id]);
    }
    await expect(
      payments.createIntentMany([
        { amount: 1000, currency: 'usd', reference: 'order_many_3' },
        { amount: 0, currency: 'usd', reference: 'order_many_4' },
      ]),
    ).rejects.toMatchObject({ code: 'validation_failed', extensions: { errors: [{ path: '/1/amount' }] } });
    expect(await payments.listByReference('order_many_3')).toEqual([]);
  });

  it('declines 0002 as card_declined and 9995 as insufficient_funds, each tried once, with a readable message', async () => {
    for (const [number, code] of [
      [cards.declined, 'card_declined'],
      [cards.insufficient, 'insufficient_funds'],
    ] as const) {
      const p = await intent();
      const r = await payments.authorize(p.id, { token: await tokenFor(number) }, `k-${code}`);
      expect(r).toMatchObject({
        ok: false,
        code,
        intent: { status: 'requires_authorization', lastFailureCode: code },
      });
      if (r.ok) throw new Error('approved');
      expect(r.message).toMatch(/declined/);
      expect(providerCalls.get(p.id)).toBe(1); // declines never retry
      expect(await events(p.id)).toEqual(['created', 'authorization_failed']);
      // The shopper tries another card with a new key.
      const next = await payments.authorize(p.id, { token: await tokenFor(cards.approves) }, `k-${code}-2`);
      expect(next.ok).toBe(true);
    }
  });

  it('absorbs the two processor errors of 0119 by retrying, and charges once', async () => {
    const p = await intent();
    const r = await payments.authorize(p.id, { token: await tokenFor(cards.flaky) }, 'k-flaky');
    expect(r).toMatchObject({ ok: true, intent: { status: 'authorized' } });
    expect(providerCalls.get(p.id)).toBe(3);
    const auths = await sql<{ n: number }>`
      select count(*)::int as n from vault.test_acquirer_authorizations where reference = ${p.id}
    `.execute(platform.ports.db.primary);
    expect(auths.rows[0]?.n).toBe(1);
  });

  it('gives up on 0119 with payment_failed when retries are bounded below its failures, and the token stays usable', async () => {
    const p = await intent();
    const once = createPaymentsModule(platform.ports, {
      vault: vault.service,
      retry: { maxTries: 1 },
    }).service;
    const token = await tokenFor(cards.flaky);
    const r = await once.authorize(p.id, { token }, 'k-flaky-1');
    expect(r).toMatchObject({
      ok: false,
      code: 'payment_failed',
      intent: { status: 'requires_authorization' },
    });
    if (r.ok) throw new Error('approved');
    expect(r.message).toMatch(/try again/);
    // Giving up leaves the token usable: the shopper's next tries (new keys) go through.
    expect(await once.authorize(p.id, { token }, 'k-flaky-2')).toMatchObject({
      ok: false,
      code: 'payment_failed',
    });
    expect(await once.authorize(p.id, { token }, 'k-flaky-3')).toMatchObject({
      ok: true,
      intent: { status: 'authorized' },
    });
  });

  it('replays authorize by idempotency key: same answer, no second charge', async () => {
    const p = await intent();
    const token = await tokenFor(cards.approves);
    const first = await payments.authorize(p.id, { token }, 'k-replay');
    const second = await payments.authorize(p.id, { token }, 'k-replay');
    expect(second).toEqual(first);
    expect(providerCalls.get(p.id)).toBe(1);
    await expect(payments.authorize(p.id, { token }, 'k-other')).rejects.toMatchObject({
      code: 'payment_state_conflict',
      status: 409,
    });
    // A declined attempt replays as declined too.
    const d = await intent();
    const dt = await tokenFor(cards.declined);
    const d1 = await payments.authorize(d.id, { token: dt }, 'k-d');
    expect(await payments.authorize(d.id, { token: dt }, 'k-d')).toEqual(d1);
  });

  it('records a concurrent replay of one approval once: both callers see it authorized, one event, one charge', async () => {
    const p = await intent();
    const token = await tokenFor(cards.approves);
    const answers = await Promise.all([
      payments.authorize(p.id, { token }, 'k-race'),
      payments.authorize(p.id, { token }, 'k-race'),
    ]);
    for (const a of answers)
      expect(a).toMatchObject({ ok: true, intent: { status: 'authorized', amountAuthorized: 2599 } });
    expect(await events(p.id)).toEqual(['created', 'authorized']);
    const recorded = await sql<{ status: string; n: number }>`
      select status, count(*)::int as n from payments.attempts where payment_id = ${p.id} group by status
    `.execute(platform.ports.db.primary);
    expect(recorded.rows).toEqual([{ status: 'succeeded', n: 1 }]);
    const charges = await sql<{ n: number }>`
      select count(*)::int as n from vault.test_acquirer_authorizations where reference = ${p.id}
    `.execute(platform.ports.db.primary);
    expect(charges.rows[0]?.n).toBe(1);
  });

  it('lets one of two concurrent authorizations of a payment under different keys through, and refuses the other', async () => {
    const p = await intent();
    const token = await tokenFor(cards.approves);
    const answers = await Promise.allSettled([
      payments.authorize(p.id, { token }, 'k-first'),
      payments.authorize(p.id, { token }, 'k-second'),
    ]);
    const approved = answers.filter((a) => a.status === 'fulfilled' && a.value.ok);
    const refused = answers.filter((a) => a.status === 'rejected');
    expect(approved).toHaveLength(1);
    expect(refused).toHaveLength(1);
    expect((refused[0] as PromiseRejectedResult).reason).toMatchObject({
      code: 'payment_state_conflict',
      status: 409,
    });
    const charges = await sql<{ n: number }>`
      select count(*)::int as n from vault.test_acquirer_authorizations where reference = ${p.id}
    `.execute(platform.ports.db.primary);
    expect(charges.rows[0]?.n).toBe(1);
  });

  it('answers authorizations of several payments made at the same time each for its own payment', async () => {
    const numbers = [cards.approves, cards.declined, cards.approves, cards.approves];
    const intents = await Promise.all(numbers.map((_, i) => intent(1000 + i)));
    const tokens = await Promise.all(numbers.map((n) => tokenFor(n)));
    // Made at once: the calls after the first share payments' statements (and the vault's).
    const answers = await Promise.allSettled([
      ...intents.map((p, i) => payments.authorize(p.id, { token: tokens[i] as string }, `k-together-${i}`)),
      payments.authorize('pay_01kaaaaaaaaaaaaaaaaaaaaaaa', { token: tokens[0] as string }, 'k-together-x'),
    ]);
    const outcome = (a: PromiseSettledResult<Awaited<ReturnType<PaymentsService['authorize']>>>) =>
      a.status === 'rejected'
        ? (a.reason as { code: string }).code
        : a.value.ok
          ? `${a.value.intent.id}:${a.value.intent.status}:${a.value.intent.amountAuthorized}`
          : `${a.value.intent.id}:${a.value.code}`;
    expect(answers.map(outcome)).toEqual([
      `${intents[0]?.id}:authorized:1000`,
      `${intents[1]?.id}:card_declined`,
      `${intents[2]?.id}:authorized:1002`,
      `${intents[3]?.id}:authorized:1003`,
      'payment_not_found',
    ]);
    for (const [i, p] of intents.entries()) {
      expect(await events(p.id)).toEqual(
        i === 1 ? ['created', 'authorization_failed'] : ['created', 'authorized'],
      );
      expect(providerCalls.get(p.id)).toBe(1);
    }
    const attempts = await sql<{ payment_id: string; status: string; tries: number }>`
      select payment_id, status, tries from payments.attempts
      where payment_id = any(${intents.map((p) => p.id)}::text[])`.execute(platform.ports.db.primary);
    expect(new Map(attempts.rows.map((a) => [a.payment_id, `${a.status}:${a.tries}`]))).toEqual(
      new Map(intents.map((p, i) => [p.id, i === 1 ? 'failed:1' : 'succeeded:1'])),
    );
  });

  it('refuses a spent token on another payment', async () => {
    const token = await tokenFor(cards.approves);
    expect((await payments.authorize((await intent()).id, { token }, 'k-spend-1')).ok).toBe(true);
    const r = await payments.authorize((await intent()).id, { token }, 'k-spend-2');
    expect(r).toMatchObject({ ok: false, code: 'token_used' });
  });

  it('refunds partially and fully, never more than captured, and replays a refund by key', async () => {
    const p = await intent(1000);
    await payments.authorize(p.id, { token: await tokenFor(cards.approves) }, 'k-ref');
    expect(await payments.refund(p.id, 100, 'r0')).toMatchObject({
      ok: false,
      code: 'payment_state_conflict',
    });
    await payments.capture(p.id, 800);
    expect(await payments.refund(p.id, 300, 'r1')).toMatchObject({
      ok: true,
      intent: { amountRefunded: 300 },
    });
    expect(await payments.refund(p.id, 300, 'r1')).toMatchObject({
      ok: true,
      intent: { amountRefunded: 300 },
    });
    await expect(payments.refund(p.id, 301, 'r1')).rejects.toMatchObject({ code: 'idempotency_conflict' });
    expect(await payments.refund(p.id, 501, 'r2')).toMatchObject({
      ok: false,
      code: 'amount_exceeds_captured',
      intent: { amountRefunded: 300 },
    });
    expect(await payments.refund(p.id, 500, 'r3')).toMatchObject({
      ok: true,
      intent: { amountRefunded: 800 },
    });
    expect(await payments.refund(p.id, 1, 'r4')).toMatchObject({
      ok: false,
      code: 'amount_exceeds_captured',
    });
    expect((await payments.listRefunds(p.id)).map((r) => r.amount)).toEqual([300, 500]);
    expect(await events(p.id)).toEqual(['created', 'authorized', 'captured', 'refunded', 'refunded']);
  });

  it('never refunds more than captured under concurrent refunds', async () => {
    const p = await intent(1000);
    await payments.authorize(p.id, { token: await tokenFor(cards.approves) }, 'k-conc');
    await payments.capture(p.id);
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) => payments.refund(p.id, 300, `conc-${i}`)),
    );
    expect(results.filter((r) => r.ok)).toHaveLength(3);
    const after = await payments.get(p.id);
    expect(after?.amountRefunded).toBe(900);
    const acquirer = await sql<{ refunded: string }>`
      select refunded::text from vault.test_acquirer_authorizations where reference = ${p.id}
    `.execute(platform.ports.db.primary);
    expect(acquirer.rows[0]?.refunded).toBe('900');
  });

  it('cancels (voids) an authorization; a canceled payment cannot be captured; a captured one cannot be canceled', async () => {
    const p = await intent();
    await payments.authorize(p.id, { token: await tokenFor(cards.approves) }, 'k-void');
    expect(await payments.cancel(p.id)).toMatchObject({ ok: true, intent: { status: 'canceled' } });
    expect(await payments.cancel(p.id)).toMatchObject({ ok: true });
    expect(await payments.capture(p.id)).toMatchObject({ ok: false, code: 'payment_state_conflict' });
    const voided = await sql<{ status: string }>`
      select status from vault.test_acquirer_authorizations where reference = ${p.id}
    `.execute(platform.ports.db.primary);
    expect(voided.rows[0]?.status).toBe('voided');
    const c = await intent();
    await payments.authorize(c.id, { token: await tokenFor(cards.approves) }, 'k-cap');
    expect(await payments.capture(c.id, 5000)).toMatchObject({
      ok: false,
      code: 'amount_exceeds_authorized',
    });
    await payments.capture(c.id);
    expect(await payments.cancel(c.id)).toMatchObject({ ok: false, code: 'payment_state_conflict' });
    expect(await payments.capture('pay_missing')).toMatchObject({ ok: false, code: 'payment_not_found' });
  });

  it('keeps card numbers out of payments: no number, CVC or token-decryptable data in its rows or events', async () => {
    const p = await intent();
    await payments.authorize(p.id, { token: await tokenFor(cards.approves) }, 'k-dump');
    const dump = await sql<{ t: string }>`
      select (select coalesce(json_agg(i)::text, '') from payments.intents i)
        || (select coalesce(json_agg(a)::text, '') from payments.attempts a)
        || (select coalesce(json_agg(r)::text, '') from payments.refunds r)
        || (select coalesce(json_agg(o)::text, '') from platform.outbox o) as t
    `.execute(platform.ports.db.primary);
    const text = dump.rows[0]?.t ?? '';
    expect(text).toContain(p.id);
    expect(text.replace(/\s/g, '')).not.toContain('4242424242424242');
    expect(text).not.toContain('"cvc"');
  });

  /** Charges the acquirer holds for a payment (the test processor's own records). */
  const charges = async (paymentId: string) =>
    (
      await sql<{ n: number }>`
        select count(*)::int as n from vault.test_acquirer_authorizations where reference = ${paymentId}`.execute(
        platform.ports.db.primary,
      )
    ).rows[0]?.n;
  /** Prepares the authorization of `p` with `token` under `key` in a transaction of its own. */
  const prepare = async (p: PaymentIntent, token: string, key: string) => {
    const [prepared] = await platform.ports.db.transaction((trx) =>
      payments.prepareAuthorizations([{ intent: p, source: { token }, idempotencyKey: key }], trx),
    );
    return prepared;
  };

  it('prepares an authorization in a transaction and records its approval in another, with nothing written between', async () => {
    const p = await intent();
    const token = await tokenFor(cards.approves);
    const prepared = await prepare(p, token, 'k-prep');
    if (!prepared) throw new Error('not prepared');
    // The token is claimed from the moment the preparing transaction commits: another payment's
    // authorization cannot take it meanwhile.
    const other = await intent();
    expect(await payments.authorize(other.id, { token }, 'k-prep-other')).toMatchObject({
      ok: false,
      code: 'payment_failed',
    });
    const answer = await payments.authorizePrepared(prepared);
    if (!answer.ok) throw new Error(answer.code);
    // Approved at the processor, not yet recorded.
    expect(await payments.get(p.id)).toMatchObject({ status: 'requires_authorization' });
    expect(await events(p.id)).toEqual(['created']);
    const [after] = await platform.ports.db.transaction((trx) =>
      payments.recordApprovals([answer.approval], trx),
    );
    expect(after).toMatchObject({ status: 'authorized', amountAuthorized: 2599, card: { last4: '4242' } });
    expect(await events(p.id)).toEqual(['created', 'authorized']);
    expect(providerCalls.get(p.id)).toBe(1);
    expect(await charges(p.id)).toBe(1);
    // Recorded, the approval spent the single-use token.
    const third = await intent();
    expect(await payments.authorize(third.id, { token }, 'k-prep-third')).toMatchObject({
      ok: false,
      code: 'token_used',
    });
  });

  it('answers an approval whose recording was rolled back again by its key, without a second charge', async () => {
    const p = await intent();
    const token = await tokenFor(cards.approves);
    const prepared = await prepare(p, token, 'k-lost');
    if (!prepared) throw new Error('not prepared');
    const answer = await payments.authorizePrepared(prepared);
    if (!answer.ok) throw new Error(answer.code);
    await expect(
      platform.ports.db.transaction(async (trx) => {
        await payments.recordApprovals([answer.approval], trx);
        throw new Error('the process died');
      }),
    ).rejects.toThrow('the process died');
    expect(await payments.get(p.id)).toMatchObject({ status: 'requires_authorization' });
    expect(await payments.authorize(p.id, { token }, 'k-lost')).toMatchObject({
      ok: true,
      intent: { status: 'authorized', card: { last4: '4242' } },
    });
    expect(await charges(p.id)).toBe(1);
    expect(await events(p.id)).toEqual(['created', 'authorized']);
  });

  it('records a prepared authorization that is declined at once, and frees the token', async () => {
    const p = await intent();
    const token = await tokenFor(cards.declined);
    const prepared = await prepare(p, token, 'k-prep-declined');
    if (!prepared) throw new Error('not prepared');
    expect(await payments.authorizePrepared(prepared)).toMatchObject({
      ok: false,
      code: 'card_declined',
      message: expect.stringMatching(/declined/),
    });
    expect(await payments.get(p.id)).toMatchObject({
      status: 'requires_authorization',
      lastFailureCode: 'card_declined',
    });
    expect(await events(p.id)).toEqual(['created', 'authorization_failed']);
    // Freed, not spent: the next try reaches the processor (and is declined again).
    expect(await payments.authorize(p.id, { token }, 'k-prep-declined-2')).toMatchObject({
      ok: false,
      code: 'card_declined',
    });
    expect(providerCalls.get(p.id)).toBe(2);
  });

  it('absorbs the processor errors of 0119 in a prepared authorization, claiming the token again for each retry', async () => {
    const p = await intent();
    const prepared = await prepare(p, await tokenFor(cards.flaky), 'k-prep-flaky');
    if (!prepared) throw new Error('not prepared');
    const answer = await payments.authorizePrepared(prepared);
    if (!answer.ok) throw new Error(answer.code);
    const [after] = await platform.ports.db.transaction((trx) =>
      payments.recordApprovals([answer.approval], trx),
    );
    expect(after).toMatchObject({ status: 'authorized' });
    expect(providerCalls.get(p.id)).toBe(3);
    expect(await charges(p.id)).toBe(1);
    // A handle serves once.
    await expect(payments.authorizePrepared(prepared)).rejects.toThrow(/used already/);
  });

  it('prepares nothing it cannot, leaving authorize to say why, and nothing of a rolled-back transaction', async () => {
    const fresh = await intent();
    // A token no provider takes.
    expect(await prepare(fresh, 'pm_unknown', 'k-none-1')).toBeUndefined();
    // An intent no longer awaiting its authorization.
    const done = await intent();
    const token = await tokenFor(cards.approves);
    expect(await payments.authorize(done.id, { token }, 'k-none-2')).toMatchObject({ ok: true });
    expect(await prepare(done, await tokenFor(cards.approves), 'k-none-3')).toBeUndefined();
    // A spent token: its attempt is written, and authorize with the same key tells the shopper.
    expect(await prepare(fresh, token, 'k-none-4')).toBeUndefined();
    expect(await payments.authorize(fresh.id, { token }, 'k-none-4')).toMatchObject({
      ok: false,
      code: 'token_used',
    });
    // A claim rolled back with its transaction leaves the token free for another payment.
    const rolled = await intent();
    const free = await tokenFor(cards.approves);
    await expect(
      platform.ports.db.transaction(async (trx) => {
        await payments.prepareAuthorizations(
          [{ intent: rolled, source: { token: free }, idempotencyKey: 'k-none-5' }],
          trx,
        );
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    const elsewhere = await intent();
    expect(await payments.authorize(elsewhere.id, { token: free }, 'k-none-6')).toMatchObject({ ok: true });
  });

  it('uses a hosted-fields provider for its own tokens, without the vault', async () => {
    const calls: string[] = [];
    const hosted: PaymentProvider = {
      name: 'hosted',
      accepts: (t) => t.startsWith('pm_'),
      async authorize(req) {
        calls.push(`authorize ${req.token} ${req.idempotencyKey}`);
        return {
          ok: true,
          authorizationRef: 'ch_1',
          card: { brand: 'visa', last4: '1881', expMonth: 1, expYear: 2031 },
        };
      },
      capture: async () => ({ ok: true }),
      void: async () => ({ ok: true }),
      refund: async () => ({ ok: true }),
    };
    const svc = createPaymentsModule(platform.ports, { providers: [hosted] }).service;
    const p = await svc.createIntent({ amount: 500, currency: 'eur', reference: 'order_hosted' });
    expect(await svc.authorize(p.id, { token: 'pm_abc' }, 'k-h')).toMatchObject({
      ok: true,
      intent: { provider: 'hosted', card: { last4: '1881' } },
    });
    expect(calls).toHaveLength(1);
    expect(await svc.capture(p.id)).toMatchObject({ ok: true });
  });
});
