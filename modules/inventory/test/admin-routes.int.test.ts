import { ManualClock, migrate } from '@emporium/platform';
import {
  createTestAuth,
  databaseKinds,
  startTestPlatform,
  type TestAuth,
  type TestPlatform,
} from '@emporium/testkit';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInventoryModule, type InventoryModule, inventoryMigrations } from '../src/index.ts';

// The whole platform in-process on a real database (PGlite, and PostgreSQL when it answers), the
// in-process cache and database-backed events; real JWTs from a key made for this test.
describe.each(databaseKinds())('inventory admin routes and module on %s', (kind) => {
  let auth: TestAuth;
  let platform: TestPlatform;
  let inventory: InventoryModule;
  const clock = new ManualClock();

  beforeAll(async () => {
    auth = await createTestAuth();
    platform = await startTestPlatform({
      database: kind,
      clock,
      authenticator: auth.authenticator,
      compose: (ports) => {
        inventory = createInventoryModule(ports, { sweepIntervalMs: 20 });
        return [inventory];
      },
    });
    await migrate(platform.ports.db, [inventoryMigrations]);
  });
  afterAll(async () => {
    await platform.close();
  });

  const owner = () => auth.headers({ roles: ['owner'], subject: 'usr_owner' });
  const call = (
    method: 'GET' | 'POST' | 'PUT',
    url: string,
    headers: Record<string, string>,
    payload?: object,
  ) => platform.app.inject({ method, url, headers, ...(payload ? { payload } : {}) });

  it('answers 401 without a token and 403 to a role without the permission', async () => {
    for (const [method, url, body] of [
      ['GET', '/admin/inventory?variant_id=var_a', undefined],
      ['POST', '/admin/inventory/var_a/adjust', { delta: 1, reason: 'x' }],
      ['PUT', '/admin/inventory/var_a', { available: 1 }],
    ] as const) {
      const r = await call(method, url, {}, body);
      expect(r.statusCode, `${method} ${url}`).toBe(401);
      expect(r.json()).toMatchObject({ code: 'unauthorized' });
    }
    // support may read stock but not change it; a customer may do neither.
    const support = await auth.headers({ roles: ['support'] });
    expect((await call('GET', '/admin/inventory?variant_id=var_a', support)).statusCode).toBe(200);
    for (const r of [
      await call('POST', '/admin/inventory/var_a/adjust', support, { delta: 1, reason: 'x' }),
      await call('PUT', '/admin/inventory/var_a', support, { available: 1 }),
      await call('GET', '/admin/inventory?variant_id=var_a', await auth.headers({ kind: 'customer' })),
    ]) {
      expect(r.statusCode).toBe(403);
      expect(r.json()).toMatchObject({ code: 'forbidden' });
    }
    // The permission is checked before the body: no schema details for those without access.
    expect((await call('POST', '/admin/inventory/var_a/adjust', support, { nope: true })).statusCode).toBe(
      403,
    );
  });

  it('sets, adjusts and reads levels, recording who did it and why, with an event', async () => {
    const set = await call('PUT', '/admin/inventory/var_r1', await owner(), { available: 10 });
    expect(set.statusCode).toBe(200);
    expect(set.json()).toEqual({
      stock_level: { variant_id: 'var_r1', on_hand: 10, reserved: 0, available: 10 },
    });

    const held = await inventory.service.reserve('cart_r1', [{ variantId: 'var_r1', quantity: 3 }]);
    expect(held.ok).toBe(true);

    const adjusted = await call('POST', '/admin/inventory/var_r1/adjust', await owner(), {
      delta: -2,
      reason: 'damaged in transit',
    });
    expect(adjusted.statusCode).toBe(200);
    expect(adjusted.json()).toEqual({
      stock_level: { variant_id: 'var_r1', on_hand: 8, reserved: 3, available: 5 },
    });

    // PUT sets what is available; held units stay held.
    const reset = await call('PUT', '/admin/inventory/var_r1', await owner(), {
      available: 4,
      reason: 'cycle count',
    });
    expect(reset.json()).toEqual({
      stock_level: { variant_id: 'var_r1', on_hand: 7, reserved: 3, available: 4 },
    });

    const read = await call(
      'GET',
      '/admin/inventory?variant_id=var_r1,var_none&variant_id=var_r1',
      await owner(),
    );
    expect(read.statusCode).toBe(200);
    expect(read.json()).toEqual({
      data: [
        { variant_id: 'var_r1', on_hand: 7, reserved: 3, available: 4 },
        { variant_id: 'var_none', on_hand: 0, reserved: 0, available: 0 },
      ],
      next_cursor: null,
    });

    const ledger = await sql<{ kind: string; delta: number; reason: string; actor: string }>`
      select kind, delta, reason, actor from inventory.adjustments where variant_id = 'var_r1' order by id
    `.execute(platform.ports.db.primary);
    expect(ledger.rows).toEqual([
      { kind: 'set', delta: 10, reason: 'set', actor: 'usr_owner' },
      { kind: 'adjust', delta: -2, reason: 'damaged in transit', actor: 'usr_owner' },
      { kind: 'set', delta: -1, reason: 'cycle count', actor: 'usr_owner' },
    ]);
    const events = await sql<{ key: string; payload: unknown }>`
      select key, payload from platform.outbox where type = 'inventory.stock.changed.v1' and key = 'var_r1' order by id
    `.execute(platform.ports.db.primary);
    expect(events.rows.map((e) => e.payload)).toEqual([
      { variantId: 'var_r1', onHand: 10, reserved: 0, available: 10, reason: 'set' },
      { variantId: 'var_r1', onHand: 10, reserved: 3, available: 7, reason: 'reserved' },
      { variantId: 'var_r1', onHand: 8, reserved: 3, available: 5, reason: 'adjusted' },
      { variantId: 'var_r1', onHand: 7, reserved: 3, available: 4, reason: 'set' },
    ]);
  });

  it('refuses an adjustment below zero or below the held units with 409 stock_conflict', async () => {
    await call('PUT', '/admin/inventory/var_r2', await owner(), { available: 2 });
    await inventory.service.reserve('cart_r2', [{ variantId: 'var_r2', quantity: 1 }]);
    for (const delta of [-3, -2]) {
      const r = await call('POST', '/admin/inventory/var_r2/adjust', await owner(), {
        delta,
        reason: 'recount',
      });
      expect(r.statusCode).toBe(409);
      expect(r.headers['content-type']).toContain('application/problem+json');
      expect(r.json()).toMatchObject({ code: 'stock_conflict', on_hand: 2, reserved: 1, available: 1 });
    }
    const fresh = await call('POST', '/admin/inventory/var_r2_new/adjust', await owner(), {
      delta: -1,
      reason: 'oops',
    });
    expect(fresh.json()).toMatchObject({ status: 409, code: 'stock_conflict', on_hand: 0 });
  });

  it('rejects bodies with unknown fields, non-integer or zero deltas and bad values with 422', async () => {
    const bodies = [
      [{ delta: 1, reason: 'x', note: 'extra' }, '/note'],
      [{ delta: 1.5, reason: 'x' }, '/delta'],
      [{ delta: '1', reason: 'x' }, '/delta'],
      [{ delta: 0, reason: 'x' }, '/delta'],
      [{ delta: 1 }, '/reason'],
      [{ delta: 1, reason: '' }, '/reason'],
      [{ delta: 1, reason: 'x'.repeat(201) }, '/reason'],
    ] as const;
    for (const [body, path] of bodies) {
      const r = await call('POST', '/admin/inventory/var_r3/adjust', await owner(), body);
      expect(r.statusCode, JSON.stringify(body)).toBe(422);
      expect(r.json()).toMatchObject({ code: 'validation_failed' });
      expect(JSON.stringify(r.json().errors)).toContain(path);
    }
    for (const body of [{ available: -1 }, { available: 1, extra: 1 }, { available: 2.5 }, {}]) {
      expect((await call('PUT', '/admin/inventory/var_r3', await owner(), body)).statusCode).toBe(422);
    }
    expect(
      (await call('GET', '/admin/inventory?variant_id=var_r3', await owner())).json().data[0].on_hand,
    ).toBe(0);
  });

  it('rejects malformed variant ids in the query with 400', async () => {
    for (const url of ['/admin/inventory?variant_id=has%20space', '/admin/inventory?variant_id=a,,b']) {
      const r = await call('GET', url, await owner());
      expect(r.statusCode, url).toBe(400);
      expect(r.json()).toMatchObject({ code: 'validation_failed' });
    }
    const many = Array.from({ length: 101 }, (_, i) => `var_${i}`).join(',');
    expect((await call('GET', `/admin/inventory?variant_id=${many}`, await owner())).statusCode).toBe(400);
  });

  it('pages through every stocked variant without variant_id', async () => {
    for (const id of ['var_p1', 'var_p2', 'var_p3'])
      await call('PUT', `/admin/inventory/${id}`, await owner(), { available: 1 });
    const seen: string[] = [];
    let url = '/admin/inventory?limit=2';
    for (let page = 0; page < 20; page++) {
      const body = (await call('GET', url, await owner())).json<{
        data: Array<{ variant_id: string }>;
        next_cursor: string | null;
      }>();
      seen.push(...body.data.map((l) => l.variant_id));
      if (!body.next_cursor) break;
      url = `/admin/inventory?limit=2&cursor=${body.next_cursor}`;
    }
    expect(seen).toEqual([...seen].sort());
    expect(seen).toEqual(expect.arrayContaining(['var_p1', 'var_p2', 'var_p3']));
    expect((await call('GET', '/admin/inventory?cursor=nonsense', await owner())).statusCode).toBe(400);
  });

  it('documents its routes in the OpenAPI document', async () => {
    const doc = (await platform.app.inject({ url: '/openapi.json' })).json<{
      paths: Record<string, object>;
    }>();
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/admin/inventory',
        '/admin/inventory/{variant_id}',
        '/admin/inventory/{variant_id}/adjust',
      ]),
    );
  });

  it('refuses bad options at start-up', () => {
    expect(() => createInventoryModule(platform.ports, { reservationTtlMs: 0 })).toThrow(/reservationTtlMs/);
    expect(() => createInventoryModule(platform.ports, { sweepIntervalMs: 1.5 })).toThrow(/sweepIntervalMs/);
  });

  it('sweeps expired holds in the background once started', async () => {
    await call('PUT', '/admin/inventory/var_s1', await owner(), { available: 2 });
    const held = await inventory.service.reserve('cart_s1', [{ variantId: 'var_s1', quantity: 2 }], {
      ttlMs: 1_000,
    });
    if (!held.ok) throw new Error('expected a hold');
    clock.advance(1_000);
    await expect
      .poll(
        async () =>
          (
            await sql<{
              status: string;
            }>`select status from inventory.reservations where id = ${held.reservationId}`.execute(
              platform.ports.db.primary,
            )
          ).rows[0]?.status,
        { timeout: 5_000 },
      )
      .toBe('expired');
    const stored = await sql<{ reserved: number }>`
      select reserved from inventory.stock_levels where variant_id = 'var_s1'
    `.execute(platform.ports.db.primary);
    expect(stored.rows[0]?.reserved).toBe(0);
  });
});
