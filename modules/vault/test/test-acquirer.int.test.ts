import { ManualClock } from '@emporium/platform';
import { databaseKinds } from '@emporium/testkit';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VaultTables } from '../src/db/tables.ts';
import { type Acquirer, createTestAcquirer, testCards } from '../src/index.ts';
import { startVault, type VaultPlatform } from './support.ts';

// The built-in test processor as the vault's callers meet it: an acquirer that answers every key
// once, on a real database (PGlite, and PostgreSQL when it answers).
describe.each(databaseKinds())('the test processor on %s', (kind) => {
  let v: VaultPlatform;
  let acquirer: Acquirer;
  let clock: ManualClock;
  let n = 0;
  beforeAll(async () => {
    v = await startVault(kind);
    clock = new ManualClock(Date.UTC(2026, 5, 15));
    acquirer = createTestAcquirer(v.platform.ports.db.as<VaultTables>(), clock, 0);
  });
  afterAll(() => v?.close());

  const card = (number: string) => ({ number, brand: 'visa' as const, expMonth: 12, expYear: 2030 });
  const request = (amount = 1_000) => {
    n += 1;
    return { amount, currency: 'usd', reference: `pay_tp_${n}`, idempotencyKey: `key_tp_${n}` };
  };
  const authorizations = async (reference: string) =>
    (
      await sql<{ ref: string; amount: string }>`
        select ref, amount::text from vault.test_acquirer_authorizations where reference = ${reference}`.execute(
        v.platform.ports.db.primary,
      )
    ).rows;

  it('approves a good card once per key: a replay answers the same authorization, a new amount is refused', async () => {
    const req = request();
    const first = await acquirer.authorize(card(testCards.approves), req);
    expect(first).toMatchObject({ ok: true, authorizationRef: expect.stringMatching(/^auth_/) });
    expect(await acquirer.authorize(card(testCards.approves), req)).toEqual(first);
    expect(await acquirer.authorize(card(testCards.approves), { ...req, amount: 2_000 })).toMatchObject({
      ok: false,
      code: 'processor_error',
      retryable: false,
    });
    expect(await authorizations(req.reference)).toEqual([
      { ref: first.ok ? first.authorizationRef : '', amount: '1000' },
    ]);
  });

  it('answers duplicates asked at the same moment with one authorization, granted once', async () => {
    const req = request();
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => acquirer.authorize(card(testCards.approves), req)),
    );
    expect(answers[0]?.ok).toBe(true);
    for (const a of answers) expect(a).toEqual(answers[0]);
    expect(await authorizations(req.reference)).toHaveLength(1);
  });

  it('answers many payments asked at the same moment each for its own card', async () => {
    const cards = [testCards.approves, testCards.declined, testCards.insufficientFunds, testCards.approves];
    const reqs = cards.map(() => request());
    const answers = await Promise.all(
      cards.map((number, i) => acquirer.authorize(card(number), reqs[i] ?? request())),
    );
    expect(answers.map((a) => (a.ok ? 'approved' : a.code))).toEqual([
      'approved',
      'card_declined',
      'insufficient_funds',
      'approved',
    ]);
    const granted = await Promise.all(reqs.map((r) => authorizations(r.reference)));
    expect(granted.map((g) => g.length)).toEqual([1, 0, 0, 1]);
  });

  it('remembers a decline and an expired card, and grants nothing for them', async () => {
    const req = request();
    const declined = await acquirer.authorize(card(testCards.declined), req);
    expect(declined).toMatchObject({ ok: false, code: 'card_declined', retryable: false });
    expect(await acquirer.authorize(card(testCards.declined), req)).toEqual(declined);
    const old = request();
    expect(
      await acquirer.authorize({ ...card(testCards.approves), expMonth: 1, expYear: 2026 }, old),
    ).toMatchObject({ ok: false, code: 'card_expired' });
    expect([...(await authorizations(req.reference)), ...(await authorizations(old.reference))]).toEqual([]);
  });

  it('fails the flaky card twice for a payment, remembering no failure, then approves it', async () => {
    const req = request();
    const tries = [];
    for (let i = 0; i < 3; i++) tries.push(await acquirer.authorize(card(testCards.flaky), req));
    expect(tries.map((t) => (t.ok ? 'approved' : `${t.code}${t.retryable ? ' (retry)' : ''}`))).toEqual([
      'processor_error (retry)',
      'processor_error (retry)',
      'approved',
    ]);
    expect(await acquirer.authorize(card(testCards.flaky), req)).toEqual(tries[2]);
    expect(await authorizations(req.reference)).toHaveLength(1);
  });

  it('refuses a key held for another request, says one is in progress, and takes over one left by a dead caller', async () => {
    const db = v.platform.ports.db.primary;
    const other = request();
    await sql`
      insert into vault.test_acquirer_requests (idempotency_key, operation, request_hash, result, created_at)
      values (${other.idempotencyKey}, 'capture', 'another request', null, ${clock.now()})`.execute(db);
    expect(await acquirer.authorize(card(testCards.approves), other)).toMatchObject({
      ok: false,
      code: 'processor_error',
      retryable: false,
    });
    // The same request, as if its first caller had claimed the key and not answered yet.
    const req = request();
    expect((await acquirer.authorize(card(testCards.approves), req)).ok).toBe(true);
    await sql`
      update vault.test_acquirer_requests set result = null, created_at = ${clock.now()}
       where idempotency_key = ${req.idempotencyKey}`.execute(db);
    expect(await acquirer.authorize(card(testCards.approves), req)).toMatchObject({
      ok: false,
      code: 'processor_error',
      retryable: true,
    });
    clock.advance(60_000);
    const takenOver = await acquirer.authorize(card(testCards.approves), req);
    expect(takenOver.ok).toBe(true);
    expect(await acquirer.authorize(card(testCards.approves), req)).toEqual(takenOver);
  });
});
