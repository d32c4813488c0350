import { databaseKinds, genericPlanOf } from '@emporium/testkit';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lastingHoldsQuery } from '../src/reservations/lasting-holds.ts';
import { expiredHolds } from '../src/reservations/release-expired.ts';
import { activeHoldsOf } from '../src/reservations/reserve.ts';
import { freeExpiredLinesOf } from '../src/stock/stock-rows.ts';
import { openInventory, type TestInventory } from './support.ts';

// On PostgreSQL the app names its statements, and after a few executions a statement may run a
// generic plan, planned without its parameters' values: a partial index whose predicate was a
// parameter is then out of reach and every reservation ever made is scanned, on every checkout.
// Real: PGlite and PostgreSQL, 4 000 reservations and their lines, analysed.
describe.each(databaseKinds())('inventory statements planned generically on %s', (kind) => {
  let inv: TestInventory;
  beforeAll(async () => {
    inv = await openInventory(kind);
    await sql`
      insert into inventory.reservations (id, holder_id, status, expires_at, created_at)
      select 'res_' || n, 'cart_' || n, case when n % 10 = 0 then 'active' else 'committed' end,
             now() + make_interval(mins => n % 60), now()
        from generate_series(1, 4000) as n`.execute(inv.db.primary);
    await sql`
      insert into inventory.reservation_lines (reservation_id, variant_id, quantity, expires_at, held)
      select 'res_' || n, 'var_' || (n % 200), 1, now() + make_interval(mins => n % 60), n % 10 = 0
        from generate_series(1, 4000) as n`.execute(inv.db.primary);
    await sql`analyze inventory.reservations, inventory.reservation_lines`.execute(inv.db.primary);
  });
  afterAll(() => inv.close());

  const noScanOf = (table: string) => new RegExp(`Seq Scan on ${table}\\b`);

  it("finds a cart's active hold through the index of active holds", async () => {
    const plan = await genericPlanOf(inv.db, activeHoldsOf(inv.db.primary, 'cart_10').compile());
    expect(plan).toContain('reservations_one_active_per_holder');
    expect(plan).not.toMatch(noScanOf('reservations'));
  });

  it('finds expired holds through the index of active holds by expiry', async () => {
    const plan = await genericPlanOf(inv.db, expiredHolds(inv.db.primary, new Date(), 500).compile());
    expect(plan).toContain('reservations_active_by_expiry');
    expect(plan).not.toMatch(noScanOf('reservations'));
  });

  it.each([
    ['one hold', ['res_10']],
    ['several', ['res_10', 'res_20', 'res_30']],
  ])('checks holds for checkouts by their ids, not by scanning every reservation (%s)', async (_, ids) => {
    const until = new Date();
    const query = lastingHoldsQuery(
      ids.map((reservationId) => ({ reservationId, wanted: new Map([['var_10', 1]]), until })),
    ).compile(inv.db.primary);
    const plan = await genericPlanOf(inv.db, query);
    expect(plan).toContain('reservations_pkey');
    // Neither a scan of every reservation nor of the index of every active one.
    expect(plan).not.toMatch(noScanOf('reservations'));
    expect(plan).not.toContain('reservations_active_by_expiry');
    expect(plan).not.toMatch(noScanOf('reservation_lines'));
  });

  it("frees a variant's expired lines through the index of held lines", async () => {
    const plan = await genericPlanOf(
      inv.db,
      freeExpiredLinesOf(inv.db.primary, 'var_7', new Date()).compile(),
    );
    expect(plan).toContain('reservation_lines_held');
    expect(plan).not.toMatch(noScanOf('reservation_lines'));
  });
});
