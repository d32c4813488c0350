import { databaseKinds } from '@emporium/testkit';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openInventory, stock, type TestInventory } from './support.ts';

// Real databases only (PGlite, and PostgreSQL when it answers); time from a ManualClock; events
// checked in the real outbox; no bus.
describe.each(databaseKinds())('inventory reservations on %s', (kind) => {
  let inv: TestInventory;
  beforeEach(async () => {
    inv = await openInventory(kind);
  });
  afterEach(async () => {
    await inv.close();
  });

  it('never oversells: of 200 concurrent holds of 1 unit on 10 in stock, exactly 10 succeed', async () => {
    await stock(inv.service, 'var_hot', 10);
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        inv.service.reserve(`cart_${i}`, [{ variantId: 'var_hot', quantity: 1 }]),
      ),
    );
    expect(results.filter((r) => r.ok)).toHaveLength(10);
    for (const r of results.filter((r) => !r.ok)) {
      expect(r).toEqual({
        ok: false,
        code: 'out_of_stock',
        shortages: [{ variantId: 'var_hot', requested: 1, available: 0 }],
      });
    }
    expect(await inv.service.levels(['var_hot'])).toEqual([
      { variantId: 'var_hot', onHand: 10, reserved: 10, available: 0 },
    ]);
    expect(await inv.raw('var_hot')).toMatchObject({ onHand: 10, reserved: 10, heldUnits: 10 });
  });

  it('runs multi-line holds that name variants in opposite orders concurrently without deadlock or oversell', async () => {
    await stock(inv.service, 'var_a', 60);
    await stock(inv.service, 'var_b', 60);
    const earlier = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        inv.service.reserve(`early_${i}`, [
          { variantId: 'var_a', quantity: 1 },
          { variantId: 'var_b', quantity: 1 },
        ]),
      ),
    );
    const ids = earlier.map((r) => (r.ok ? r.reservationId : ''));
    const work: Promise<unknown>[] = [];
    const holds: Promise<{ ok: boolean }>[] = [];
    for (let i = 0; i < 80; i++) {
      const lines = [
        { variantId: 'var_a', quantity: 1 },
        { variantId: 'var_b', quantity: 1 },
      ];
      holds.push(inv.service.reserve(`cart_${i}`, i % 2 === 0 ? lines : lines.reverse()));
    }
    work.push(...holds);
    ids.forEach((id, i) => {
      work.push(i % 2 === 0 ? inv.service.commit(id) : inv.service.release(id));
    });
    work.push(inv.service.adjust('var_b', 5, { reason: 'delivery', actor: 'test' }));
    work.push(inv.service.adjust('var_a', -1, { reason: 'damaged', actor: 'test' }));
    const settled = await Promise.allSettled(work);
    expect(settled.filter((s) => s.status === 'rejected')).toEqual([]);

    const [a, b] = await inv.service.levels(['var_a', 'var_b']);
    // 10 of the early holds were sold and 10 released; var_a lost one unit to damage.
    expect(a).toMatchObject({ onHand: 49 });
    expect(b).toMatchObject({ onHand: 55 });
    // More holds asked for than var_a can take: some were refused, none oversold.
    const held = (await Promise.all(holds)).filter((r) => r.ok).length;
    expect(held).toBeLessThan(80);
    expect(a?.reserved).toBe(held);
    expect(b?.reserved).toBe(held);
    expect(a?.available).toBeGreaterThanOrEqual(0);
    for (const v of ['var_a', 'var_b']) {
      const raw = await inv.raw(v);
      expect(raw.reserved).toBe(raw.heldUnits);
      expect(raw.ledgerSum).toBe(raw.onHand);
    }
  });

  it('holds all lines or none: one short line holds nothing and every shortage is reported', async () => {
    await stock(inv.service, 'var_a', 5);
    await stock(inv.service, 'var_b', 1);
    const r = await inv.service.reserve('cart_1', [
      { variantId: 'var_a', quantity: 2 },
      { variantId: 'var_b', quantity: 3 },
      { variantId: 'var_unknown', quantity: 1 },
    ]);
    expect(r).toEqual({
      ok: false,
      code: 'out_of_stock',
      shortages: [
        { variantId: 'var_b', requested: 3, available: 1 },
        { variantId: 'var_unknown', requested: 1, available: 0 },
      ],
    });
    expect(await inv.service.available(['var_a', 'var_b', 'var_unknown'])).toEqual(
      new Map([
        ['var_a', 5],
        ['var_b', 1],
        ['var_unknown', 0],
      ]),
    );
    const rows = await inv.db.primary.selectFrom('inventory.reservations').select('id').execute();
    expect(rows).toEqual([]);
  });

  it('adds up repeated lines of one variant before checking stock', async () => {
    await stock(inv.service, 'var_a', 3);
    const r = await inv.service.reserve('cart_1', [
      { variantId: 'var_a', quantity: 2 },
      { variantId: 'var_a', quantity: 2 },
    ]);
    expect(r).toMatchObject({ ok: false, shortages: [{ variantId: 'var_a', requested: 4, available: 3 }] });
  });

  it('stops counting an expired hold at once, before any sweep, and refuses to commit it', async () => {
    await stock(inv.service, 'var_a', 3);
    const held = await inv.service.reserve('cart_1', [{ variantId: 'var_a', quantity: 2 }], {
      ttlMs: 60_000,
    });
    if (!held.ok) throw new Error('expected a hold');
    expect(held.expiresAt).toEqual(new Date(inv.clock.now().getTime() + 60_000));
    expect((await inv.service.available(['var_a'])).get('var_a')).toBe(1);

    inv.clock.advance(59_999);
    expect((await inv.service.available(['var_a'])).get('var_a')).toBe(1);
    inv.clock.advance(1);
    expect(await inv.service.levels(['var_a'])).toEqual([
      { variantId: 'var_a', onHand: 3, reserved: 0, available: 3 },
    ]);
    // The counter still includes the lapsed hold: nothing has swept it, and it does not matter.
    expect(await inv.raw('var_a')).toMatchObject({ reserved: 2, heldUnits: 2 });

    // Another cart can take the expired units before the sweep runs.
    const other = await inv.service.reserve('cart_2', [{ variantId: 'var_a', quantity: 3 }]);
    expect(other.ok).toBe(true);
    expect(await inv.raw('var_a')).toMatchObject({ reserved: 3, heldUnits: 3 });

    expect(await inv.service.commit(held.reservationId)).toEqual({ ok: false, code: 'reservation_expired' });
    expect(await inv.service.commit(held.reservationId)).toEqual({ ok: false, code: 'reservation_expired' });
    expect(await inv.raw('var_a')).toMatchObject({ onHand: 3, reserved: 3 });
  });

  it('sells several holds at once: each answers for itself, a lapsed one is given back, and the ledger states each sale in hold order', async () => {
    await stock(inv.service, 'var_a', 10);
    await stock(inv.service, 'var_b', 10);
    const hold = async (holder: string, lines: { variantId: string; quantity: number }[], ttlMs = 60_000) => {
      const held = await inv.service.reserve(holder, lines, { ttlMs });
      if (!held.ok) throw new Error(`expected a hold for ${holder}`);
      return held.reservationId;
    };
    const first = await hold('cart_1', [{ variantId: 'var_a', quantity: 2 }]);
    const second = await hold('cart_2', [
      { variantId: 'var_a', quantity: 3 },
      { variantId: 'var_b', quantity: 1 },
    ]);
    const lapsing = await hold('cart_3', [{ variantId: 'var_b', quantity: 4 }], 1_000);
    const released = await hold('cart_4', [{ variantId: 'var_b', quantity: 1 }]);
    await inv.service.release(released);
    inv.clock.advance(1_000);

    const outcomes = await inv.service.commitMany([second, 'res_unknown', lapsing, first, released, second]);
    expect(Object.fromEntries(outcomes)).toEqual({
      [first]: { ok: true },
      [second]: { ok: true },
      [lapsing]: { ok: false, code: 'reservation_expired' },
      [released]: { ok: false, code: 'reservation_released' },
      res_unknown: { ok: false, code: 'reservation_not_found' },
    });
    // Sold: 5 of var_a, 1 of var_b; the lapsed hold's 4 went back; nothing is held any more.
    expect(await inv.raw('var_a')).toMatchObject({ onHand: 5, reserved: 0, heldUnits: 0, ledgerSum: 5 });
    expect(await inv.raw('var_b')).toMatchObject({ onHand: 9, reserved: 0, heldUnits: 0, ledgerSum: 9 });
    const sales = await inv.db.primary
      .selectFrom('inventory.adjustments')
      .select(['variant_id', 'reservation_id', 'delta', 'on_hand_after'])
      .where('kind', '=', 'sale')
      .orderBy('variant_id')
      .orderBy('reservation_id')
      .execute();
    const [a1, a2] = [first, second].sort();
    const units = (id: string | undefined) => (id === first ? 2 : 3);
    expect(sales).toEqual([
      { variant_id: 'var_a', reservation_id: a1, delta: -units(a1), on_hand_after: 10 - units(a1) },
      { variant_id: 'var_a', reservation_id: a2, delta: -units(a2), on_hand_after: 5 },
      { variant_id: 'var_b', reservation_id: second, delta: -1, on_hand_after: 9 },
    ]);
    const committed = (await inv.stockEvents()).filter((e) => e.payload.reason === 'committed');
    expect(committed.map((e) => [e.key, e.payload.available])).toEqual([
      ['var_a', 5],
      ['var_b', 9],
    ]);
    // Selling again answers the same, and changes nothing.
    expect(Object.fromEntries(await inv.service.commitMany([first, second]))).toEqual({
      [first]: { ok: true },
      [second]: { ok: true },
    });
    expect(await inv.raw('var_a')).toMatchObject({ onHand: 5, ledgerSum: 5 });
  });

  it('sells overlapping batches of holds concurrently without deadlock or oversell', async () => {
    await stock(inv.service, 'var_a', 100);
    await stock(inv.service, 'var_b', 100);
    const ids: string[] = [];
    for (let i = 0; i < 40; i++) {
      const held = await inv.service.reserve(`cart_${i}`, [
        { variantId: i % 2 === 0 ? 'var_a' : 'var_b', quantity: 1 },
        { variantId: i % 2 === 0 ? 'var_b' : 'var_a', quantity: 1 },
      ]);
      if (!held.ok) throw new Error('expected a hold');
      ids.push(held.reservationId);
    }
    // Batches that share holds and stock rows, named in opposite orders.
    const batches = Array.from({ length: 8 }, (_, b) => {
      const slice = ids.slice(b * 4, b * 4 + 8);
      return b % 2 === 0 ? slice : [...slice].reverse();
    });
    const outcomes = await Promise.all(batches.map((batch) => inv.service.commitMany(batch)));
    for (const outcome of outcomes)
      for (const result of outcome.values()) expect(result).toEqual({ ok: true });
    expect(await inv.raw('var_a')).toMatchObject({ onHand: 64, reserved: 4, heldUnits: 4, ledgerSum: 64 });
    expect(await inv.raw('var_b')).toMatchObject({ onHand: 64, reserved: 4, heldUnits: 4, ledgerSum: 64 });
  });

  it("commits a multi-line sale in one go, leaving another holder's lapsed line to the sweep but out of the event's availability", async () => {
    await stock(inv.service, 'var_a', 10);
    await stock(inv.service, 'var_b', 10);
    const lapsing = await inv.service.reserve('cart_old', [{ variantId: 'var_a', quantity: 3 }], {
      ttlMs: 1_000,
    });
    const sale = await inv.service.reserve('cart_new', [
      { variantId: 'var_b', quantity: 2 },
      { variantId: 'var_a', quantity: 1 },
      { variantId: 'var_a', quantity: 1 },
    ]);
    if (!lapsing.ok || !sale.ok) throw new Error('expected both holds');
    inv.clock.advance(1_000);

    expect(await inv.service.commit(sale.reservationId)).toEqual({ ok: true });
    // The sale left on-hand and reserved; the lapsed hold still counts in `reserved` until swept.
    expect(await inv.raw('var_a')).toMatchObject({ onHand: 8, reserved: 3, heldUnits: 3, ledgerSum: 8 });
    expect(await inv.raw('var_b')).toMatchObject({ onHand: 8, reserved: 0, heldUnits: 0, ledgerSum: 8 });
    const committed = (await inv.stockEvents()).filter((e) => e.payload.reason === 'committed');
    expect(committed.map((e) => [e.key, e.payload.available])).toEqual([
      ['var_a', 8],
      ['var_b', 8],
    ]);
    expect(await inv.service.levels(['var_a'])).toEqual([
      { variantId: 'var_a', onHand: 8, reserved: 0, available: 8 },
    ]);
    const sales = await inv.db.primary
      .selectFrom('inventory.adjustments')
      .select(['variant_id', 'delta', 'on_hand_after', 'reservation_id'])
      .where('kind', '=', 'sale')
      .orderBy('variant_id')
      .execute();
    expect(sales).toEqual([
      { variant_id: 'var_a', delta: -2, on_hand_after: 8, reservation_id: sale.reservationId },
      { variant_id: 'var_b', delta: -2, on_hand_after: 8, reservation_id: sale.reservationId },
    ]);

    expect(await inv.sweep()).toEqual({ reservations: 1, units: 3 });
    expect(await inv.raw('var_a')).toMatchObject({ onHand: 8, reserved: 0, heldUnits: 0 });
  });

  it('sweeps expired holds back to stock and tells consumers', async () => {
    await stock(inv.service, 'var_a', 5);
    await stock(inv.service, 'var_b', 5);
    await inv.service.reserve('cart_1', [
      { variantId: 'var_a', quantity: 2 },
      { variantId: 'var_b', quantity: 1 },
    ]);
    await inv.service.reserve('cart_2', [{ variantId: 'var_a', quantity: 1 }], { ttlMs: 120_000 });
    for (let i = 0; i < 3; i++)
      await inv.service.reserve(`cart_x${i}`, [{ variantId: 'var_b', quantity: 1 }]);
    expect(await inv.sweep()).toEqual({ reservations: 0, units: 0 });

    inv.clock.advance(60_000);
    expect(await inv.sweep(2)).toEqual({ reservations: 4, units: 6 });
    expect(await inv.raw('var_a')).toMatchObject({ reserved: 1, heldUnits: 1 });
    expect(await inv.raw('var_b')).toMatchObject({ reserved: 0, heldUnits: 0 });
    const expired = (await inv.stockEvents()).filter((e) => e.payload.reason === 'expired');
    expect(expired.map((e) => [e.key, e.payload.available]).sort()).toEqual([
      ['var_a', 4],
      ['var_b', 5],
    ]);
    const statuses = await inv.db.primary
      .selectFrom('inventory.reservations')
      .select(['holder_id', 'status'])
      .orderBy('holder_id')
      .execute();
    expect(statuses.map((s) => s.status)).toEqual(['expired', 'active', 'expired', 'expired', 'expired']);
    expect(await inv.sweep()).toEqual({ reservations: 0, units: 0 });
  });

  it('commits idempotently: stock leaves once, the ledger records one sale', async () => {
    await stock(inv.service, 'var_a', 5);
    const held = await inv.service.reserve('cart_1', [{ variantId: 'var_a', quantity: 2 }]);
    if (!held.ok) throw new Error('expected a hold');
    const twice = await Promise.all([
      inv.service.commit(held.reservationId),
      inv.service.commit(held.reservationId),
    ]);
    expect(twice).toEqual([{ ok: true }, { ok: true }]);
    expect(await inv.service.commit(held.reservationId)).toEqual({ ok: true });
    await inv.service.release(held.reservationId);
    expect(await inv.service.levels(['var_a'])).toEqual([
      { variantId: 'var_a', onHand: 3, reserved: 0, available: 3 },
    ]);
    const sales = await inv.db.primary
      .selectFrom('inventory.adjustments')
      .select(['delta', 'reservation_id'])
      .where('kind', '=', 'sale')
      .execute();
    expect(sales).toEqual([{ delta: -2, reservation_id: held.reservationId }]);
    expect((await inv.raw('var_a')).ledgerSum).toBe(3);
    expect((await inv.stockEvents()).filter((e) => e.payload.reason === 'committed')).toHaveLength(1);
  });

  it('releases idempotently, ignores unknown ids, and refuses to commit what was released', async () => {
    await stock(inv.service, 'var_a', 5);
    const held = await inv.service.reserve('cart_1', [{ variantId: 'var_a', quantity: 2 }]);
    if (!held.ok) throw new Error('expected a hold');
    await Promise.all([inv.service.release(held.reservationId), inv.service.release(held.reservationId)]);
    await inv.service.release(held.reservationId);
    await inv.service.release('res_unknown');
    expect((await inv.service.available(['var_a'])).get('var_a')).toBe(5);
    expect(await inv.raw('var_a')).toMatchObject({ onHand: 5, reserved: 0 });
    expect(await inv.service.commit(held.reservationId)).toEqual({ ok: false, code: 'reservation_released' });
    expect(await inv.service.commit('res_unknown')).toEqual({ ok: false, code: 'reservation_not_found' });
    expect((await inv.stockEvents()).filter((e) => e.payload.reason === 'released')).toHaveLength(1);
  });

  it("replaces a holder's hold atomically: its own units count, and a failed replacement keeps the old hold", async () => {
    await stock(inv.service, 'var_a', 3);
    await stock(inv.service, 'var_b', 3);
    const first = await inv.service.reserve('cart_1', [{ variantId: 'var_a', quantity: 2 }]);
    const second = await inv.service.reserve('cart_1', [
      { variantId: 'var_a', quantity: 3 },
      { variantId: 'var_b', quantity: 1 },
    ]);
    if (!first.ok || !second.ok) throw new Error('expected holds');
    expect(await inv.service.available(['var_a', 'var_b'])).toEqual(
      new Map([
        ['var_a', 0],
        ['var_b', 2],
      ]),
    );
    expect(await inv.service.commit(first.reservationId)).toEqual({
      ok: false,
      code: 'reservation_released',
    });

    const third = await inv.service.reserve('cart_1', [{ variantId: 'var_a', quantity: 4 }]);
    expect(third).toEqual({
      ok: false,
      code: 'out_of_stock',
      shortages: [{ variantId: 'var_a', requested: 4, available: 3 }],
    });
    expect((await inv.service.available(['var_a'])).get('var_a')).toBe(0);

    // Dropping var_a from the cart gives it back ('released') while var_b stays held.
    const fourth = await inv.service.reserve('cart_1', [{ variantId: 'var_b', quantity: 1 }]);
    if (!fourth.ok) throw new Error('expected a hold');
    expect(await inv.service.available(['var_a', 'var_b'])).toEqual(
      new Map([
        ['var_a', 3],
        ['var_b', 2],
      ]),
    );
    expect(await inv.service.commit(fourth.reservationId)).toEqual({ ok: true });
    expect(await inv.raw('var_b')).toMatchObject({ onHand: 2, reserved: 0 });
  });

  it('renews a live hold of the same lines as a new hold without touching the stock rows, and takes the long way when a line lapsed', async () => {
    await stock(inv.service, 'var_a', 5);
    await stock(inv.service, 'var_b', 5);
    const lines = [
      { variantId: 'var_a', quantity: 2 },
      { variantId: 'var_b', quantity: 1 },
    ];
    const first = await inv.service.reserve('cart_1', lines);
    if (!first.ok) throw new Error('expected a hold');
    const eventsBefore = (await inv.stockEvents()).length;
    const versionOf = async () =>
      (
        await sql<{ v: number }>`select sum(version)::int as v from inventory.stock_levels`.execute(
          inv.db.primary,
        )
      ).rows[0]?.v;
    const versionBefore = await versionOf();

    inv.clock.advance(30_000);
    const renewed = await inv.service.reserve('cart_1', [...lines].reverse(), { ttlMs: 120_000 });
    if (!renewed.ok) throw new Error('expected the hold renewed');
    expect(renewed.reservationId).not.toBe(first.reservationId);
    expect(renewed.expiresAt).toEqual(new Date(inv.clock.now().getTime() + 120_000));
    expect(await inv.service.commit(first.reservationId)).toEqual({
      ok: false,
      code: 'reservation_released',
    });
    // Same units held, no stock row written, no stock event: nothing a shopper could see changed.
    expect(await inv.raw('var_a')).toMatchObject({ onHand: 5, reserved: 2, heldUnits: 2 });
    expect(await inv.raw('var_b')).toMatchObject({ onHand: 5, reserved: 1, heldUnits: 1 });
    expect(await versionOf()).toBe(versionBefore);
    expect(await inv.stockEvents()).toHaveLength(eventsBefore);

    // A held line that has lapsed on its own (as if a sweep were about to free it): renewing
    // goes the long way, freeing and taking the units again, and the counts still add up.
    await sql`update inventory.reservation_lines set expires_at = ${inv.clock.now()} where reservation_id = ${renewed.reservationId} and variant_id = 'var_b'`.execute(
      inv.db.primary,
    );
    const again = await inv.service.reserve('cart_1', lines);
    if (!again.ok) throw new Error('expected the hold replaced');
    expect(await inv.raw('var_a')).toMatchObject({ onHand: 5, reserved: 2, heldUnits: 2 });
    expect(await inv.raw('var_b')).toMatchObject({ onHand: 5, reserved: 1, heldUnits: 1 });
    expect(await inv.service.commit(again.reservationId)).toEqual({ ok: true });
    expect(await inv.raw('var_a')).toMatchObject({ onHand: 3, reserved: 0, heldUnits: 0 });
    expect(await inv.raw('var_b')).toMatchObject({ onHand: 4, reserved: 0, heldUnits: 0 });
  });

  it('finds a hold that still holds the same lines long enough, and nothing else', async () => {
    await stock(inv.service, 'var_a', 5);
    await stock(inv.service, 'var_b', 5);
    const lines = [
      { variantId: 'var_a', quantity: 2 },
      { variantId: 'var_b', quantity: 1 },
    ];
    const held = await inv.service.reserve('cart_1', lines, { ttlMs: 600_000 });
    if (!held.ok) throw new Error('expected a hold');
    const lasting = (l = lines, ttlMs = 300_000, id = held.reservationId) =>
      inv.service.lastingHold(id, l, { ttlMs });
    // The same lines in another order, or split and added up, are the same hold.
    expect(await lasting([...lines].reverse())).toEqual({ expiresAt: held.expiresAt });
    expect(
      await lasting([
        { variantId: 'var_a', quantity: 1 },
        { variantId: 'var_b', quantity: 1 },
        { variantId: 'var_a', quantity: 1 },
      ]),
    ).toEqual({ expiresAt: held.expiresAt });
    // Other lines, a line missing or added, or not long enough: no.
    expect(
      await lasting([
        { variantId: 'var_a', quantity: 3 },
        { variantId: 'var_b', quantity: 1 },
      ]),
    ).toBeNull();
    expect(await lasting([{ variantId: 'var_a', quantity: 2 }])).toBeNull();
    expect(await lasting([...lines, { variantId: 'var_c', quantity: 1 }])).toBeNull();
    expect(await lasting(lines, 600_001)).toBeNull();
    inv.clock.advance(400_000);
    expect(await lasting(lines, 300_000)).toBeNull();
    expect(await lasting(lines, 200_000)).toEqual({ expiresAt: held.expiresAt });
    // One line lapsed on its own: no.
    await sql`update inventory.reservation_lines set expires_at = ${inv.clock.now()} where reservation_id = ${held.reservationId} and variant_id = 'var_b'`.execute(
      inv.db.primary,
    );
    expect(await lasting(lines, 1_000)).toBeNull();
    // Replaced, released or sold: no; unknown: no.
    const next = await inv.service.reserve('cart_1', lines, { ttlMs: 600_000 });
    if (!next.ok) throw new Error('expected the hold replaced');
    expect(await lasting(lines, 1_000)).toBeNull();
    expect(await lasting(lines, 1_000, next.reservationId)).toEqual({ expiresAt: next.expiresAt });
    expect(await inv.service.commit(next.reservationId)).toEqual({ ok: true });
    expect(await lasting(lines, 1_000, next.reservationId)).toBeNull();
    expect(await lasting(lines, 1_000, 'res_unknown')).toBeNull();
    // Asking changed nothing.
    expect(await inv.raw('var_a')).toMatchObject({ onHand: 3, reserved: 0, heldUnits: 0 });
  });

  it('answers each of many holds checked at the same moment (the checks share a statement)', async () => {
    await stock(inv.service, 'var_a', 20);
    await stock(inv.service, 'var_b', 20);
    const linesOf = (n: number) => [
      { variantId: 'var_a', quantity: n },
      { variantId: 'var_b', quantity: 1 },
    ];
    const holds = await Promise.all(
      [1, 2, 3].map((n) => inv.service.reserve(`cart_${n}`, linesOf(n), { ttlMs: 600_000 })),
    );
    const ids = holds.map((h) => {
      if (!h.ok) throw new Error('expected a hold');
      return h.reservationId;
    });
    const [id1 = '', id2 = '', id3 = ''] = ids;
    const asks: [string, ReturnType<typeof linesOf>, number][] = [
      [id1, linesOf(1), 300_000],
      [id2, linesOf(1), 300_000], // another hold's lines
      [id2, linesOf(2), 300_000],
      [id3, linesOf(3), 900_000], // longer than it lasts
      ['res_unknown', linesOf(1), 300_000],
      [id3, linesOf(3), 1_000],
      [id1, linesOf(1).slice(0, 1), 300_000], // a line missing
    ];
    const answers = await Promise.all(
      asks.map(([id, l, ttlMs]) => inv.service.lastingHold(id, l, { ttlMs })),
    );
    const expiry = (i: number) => {
      const h = holds[i];
      return h?.ok ? { expiresAt: h.expiresAt } : undefined;
    };
    expect(answers).toEqual([expiry(0), null, expiry(1), null, null, expiry(2), null]);
    // A bad check fails alone; the others still answer.
    const mixed = await Promise.allSettled([
      inv.service.lastingHold(id1, linesOf(1), { ttlMs: 0 }),
      inv.service.lastingHold(id1, linesOf(1), { ttlMs: 1_000 }),
    ]);
    expect(mixed[0]).toMatchObject({ status: 'rejected' });
    expect(mixed[1]).toEqual({ status: 'fulfilled', value: expiry(0) });
  });

  it('keeps one active hold per holder when the same holder reserves concurrently', async () => {
    await stock(inv.service, 'var_a', 5);
    const results = await Promise.all(
      Array.from({ length: 10 }, () => inv.service.reserve('cart_1', [{ variantId: 'var_a', quantity: 2 }])),
    );
    expect(results.every((r) => r.ok)).toBe(true);
    const active = await inv.db.primary
      .selectFrom('inventory.reservations')
      .select('id')
      .where('status', '=', 'active')
      .execute();
    expect(active).toHaveLength(1);
    expect(await inv.raw('var_a')).toMatchObject({ reserved: 2, heldUnits: 2 });
  });

  it('adjusts and sets stock within bounds, with a ledger and an event for each change', async () => {
    expect(await inv.service.levels(['var_new'])).toEqual([
      { variantId: 'var_new', onHand: 0, reserved: 0, available: 0 },
    ]);
    const added = await inv.service.adjust('var_a', 10, { reason: 'delivery', actor: 'usr_1' });
    expect(added).toEqual({
      ok: true,
      level: { variantId: 'var_a', onHand: 10, reserved: 0, available: 10 },
    });
    await inv.service.reserve('cart_1', [{ variantId: 'var_a', quantity: 4 }]);

    const tooMuch = await inv.service.adjust('var_a', -7, { reason: 'recount', actor: 'usr_1' });
    expect(tooMuch).toEqual({
      ok: false,
      code: 'stock_conflict',
      level: { variantId: 'var_a', onHand: 10, reserved: 4, available: 6 },
    });
    expect((await inv.service.adjust('var_b', -1, { reason: 'recount', actor: 'usr_1' })).ok).toBe(false);
    expect((await inv.service.adjust('var_a', -6, { reason: 'recount', actor: 'usr_1' })).ok).toBe(true);

    const set = await inv.service.setAvailable('var_a', 7, { actor: 'usr_2' });
    expect(set).toEqual({ ok: true, level: { variantId: 'var_a', onHand: 11, reserved: 4, available: 7 } });
    expect(await inv.service.setAvailable('var_a', 7, { actor: 'usr_2' })).toMatchObject({ ok: true });

    const ledger = await inv.db.primary
      .selectFrom('inventory.adjustments')
      .select(['kind', 'delta', 'on_hand_after', 'reason', 'actor'])
      .where('variant_id', '=', 'var_a')
      .orderBy('id')
      .execute();
    expect(ledger).toEqual([
      { kind: 'adjust', delta: 10, on_hand_after: 10, reason: 'delivery', actor: 'usr_1' },
      { kind: 'adjust', delta: -6, on_hand_after: 4, reason: 'recount', actor: 'usr_1' },
      { kind: 'set', delta: 7, on_hand_after: 11, reason: 'set', actor: 'usr_2' },
    ]);
    const events = (await inv.stockEvents()).filter((e) => e.key === 'var_a').map((e) => e.payload.reason);
    expect(events).toEqual(['adjusted', 'reserved', 'adjusted', 'set']);
  });

  it('keeps the ledger append-only and the counters within their check constraints', async () => {
    await inv.service.adjust('var_a', 1, { reason: 'delivery', actor: 'usr_1' });
    await expect(sql`update inventory.adjustments set delta = 5`.execute(inv.db.primary)).rejects.toThrow(
      /append-only/,
    );
    await expect(sql`delete from inventory.adjustments`.execute(inv.db.primary)).rejects.toThrow(
      /append-only/,
    );
    await expect(
      sql`update inventory.stock_levels set reserved = on_hand + 1`.execute(inv.db.primary),
    ).rejects.toThrow(/stock_levels_reserved_within_on_hand/);
  });
});
