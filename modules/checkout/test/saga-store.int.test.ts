import { createLogger, type Database, migrate, systemClock } from '@emporium/platform';
import { databaseKinds, openTestDatabase } from '@emporium/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckoutTables, Trx } from '../src/db/tables.ts';
import { checkoutMigrations } from '../src/index.ts';
import { createSagaStore, SagaFinished, type SagaStore } from '../src/saga/saga-store.ts';

// A step done with other modules' work records itself after the work, in one transaction, and only
// if the saga is still where its driver found it: a second driver of the same saga (the recovery
// worker once the lease lapsed, while the first is still running) must lose whole, its work
// rolled back with it. Real: PGlite and PostgreSQL; the "work" writes a saga step log row of its
// own, so whether it survived can be counted.
describe.each(databaseKinds())('saga steps recorded with their work on %s', (kind) => {
  let db: Database<CheckoutTables>;
  let store: SagaStore;
  beforeAll(async () => {
    const root = await openTestDatabase(kind);
    await migrate(root, [checkoutMigrations]);
    db = root.as<CheckoutTables>();
    store = createSagaStore(db, systemClock, 30_000, createLogger({ level: 'silent' }));
  });
  afterAll(() => db.close());

  const started = async (cartId: string) => {
    const made = await store.start({
      cartId,
      idempotencyKey: 'key',
      requestHash: 'hash',
      request: { shipping_option_id: 'so_1', payment: { token: 'tok_x' } },
      actor: 'cart',
    });
    if (made.kind !== 'new') throw new Error('expected a new saga');
    return made.saga;
  };
  const workRows = async (sagaId: string) =>
    (
      await db.primary
        .selectFrom('checkout.saga_steps')
        .select('seq')
        .where('saga_id', '=', sagaId)
        .where('seq', '>=', 1000)
        .execute()
    ).length;

  it('keeps the first driver’s step and work, and rolls back a second driver that saw the same step', async () => {
    const saga = await started('cart_two_drivers');
    let seq = 1000;
    const work = async (trx: Trx) => {
      await trx
        .insertInto('checkout.saga_steps')
        .values({
          saga_id: saga.id,
          seq: seq++,
          step: 'work',
          status: 'running',
          detail: null,
          at: new Date(),
        })
        .execute();
      return { orderId: `order_${seq}` };
    };
    const first = await store.advance(saga, 'authorizing', work);
    expect(first).toMatchObject({ step: 'authorizing', orderId: 'order_1001' });
    // The second driver still holds the saga as it was at `started`.
    await expect(store.advance(saga, 'authorizing', work)).rejects.toBeInstanceOf(SagaFinished);
    expect(await workRows(saga.id)).toBe(1);
    expect((await store.get(saga.id))?.orderId).toBe('order_1001');
  });

  it('ends a saga with its last work, or not at all when another driver ended it first', async () => {
    const saga = await started('cart_two_enders');
    const end = (status: 'completed' | 'failed', body: unknown) =>
      store.advanceMany(
        [saga],
        'done',
        async () =>
          new Map([[saga.id, { status, response: { status: status === 'completed' ? 201 : 409, body } }]]),
        {
          finish: true,
        },
      );
    const [done] = await end('completed', { ok: 1 });
    expect(done).toMatchObject({
      step: 'done',
      status: 'completed',
      response: { status: 201, body: { ok: 1 } },
    });
    await expect(end('failed', { ok: 2 })).rejects.toBeInstanceOf(SagaFinished);
    expect((await store.get(saga.id))?.response).toEqual({ status: 201, body: { ok: 1 } });
  });
  it('starts the checkouts made at the same time each on its own, once per key and one live per cart', async () => {
    const start = (cartId: string, key: string) =>
      store.start({
        cartId,
        idempotencyKey: key,
        requestHash: `hash-${key}`,
        request: { shipping_option_id: 'so_1', payment: { token: `tok_${key}` } },
        actor: 'cart',
      });
    const outcomes = await Promise.all([
      start('cart_a', 'k1'),
      start('cart_b', 'k1'),
      start('cart_c', 'k1'),
      start('cart_a', 'k1'), // the same key again: a replay
      start('cart_b', 'k2'), // another key while cart_b's checkout runs
    ]);
    expect(outcomes.map((o) => o.kind)).toEqual(['new', 'new', 'new', 'existing', 'busy']);
    const [a, b, c, replay] = outcomes;
    const ids = [a, b, c].map((o) => (o?.kind === 'new' ? o.saga.id : ''));
    expect(new Set(ids).size).toBe(3);
    expect(replay?.kind === 'existing' && replay.saga.id).toBe(ids[0]);
    expect(a?.kind === 'new' && a.saga).toMatchObject({
      cartId: 'cart_a',
      idempotencyKey: 'k1',
      requestHash: 'hash-k1',
      request: { shipping_option_id: 'so_1', payment: { token: 'tok_k1' } },
      status: 'running',
      step: 'started',
    });
    // Each new saga logged its first step.
    const steps = await db.primary
      .selectFrom('checkout.saga_steps')
      .select(['saga_id', 'seq', 'step'])
      .where('saga_id', 'in', ids)
      .orderBy('saga_id')
      .execute();
    expect(steps).toEqual(ids.sort().map((id) => ({ saga_id: id, seq: 1, step: 'started' })));
  });

  it('refuses only the start the database refuses, not those started with it', async () => {
    const start = (cartId: string, token: string) =>
      store.start({
        cartId,
        idempotencyKey: 'k',
        requestHash: 'h',
        request: { shipping_option_id: 'so_1', payment: { token } },
        actor: 'cart',
      });
    // jsonb cannot hold U+0000 (the HTTP edge refuses it; here it reaches the store).
    const [first, bad, last] = await Promise.allSettled([
      start('cart_nul_1', 'tok_a'),
      start('cart_nul_2', 'tok_\u0000'),
      start('cart_nul_3', 'tok_c'),
    ]);
    expect(first).toMatchObject({ status: 'fulfilled', value: { kind: 'new' } });
    expect(bad?.status).toBe('rejected');
    expect(last).toMatchObject({ status: 'fulfilled', value: { kind: 'new' } });
    const carts = await db.primary
      .selectFrom('checkout.sagas')
      .select('cart_id')
      .where('cart_id', 'in', ['cart_nul_1', 'cart_nul_2', 'cart_nul_3'])
      .orderBy('cart_id')
      .execute();
    expect(carts.map((c) => c.cart_id)).toEqual(['cart_nul_1', 'cart_nul_3']);
  });
});
