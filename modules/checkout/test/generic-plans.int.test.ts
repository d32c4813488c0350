import { type Database, migrate } from '@emporium/platform';
import { databaseKinds, genericPlanOf, openTestDatabase } from '@emporium/testkit';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckoutTables } from '../src/db/tables.ts';
import { checkoutMigrations } from '../src/index.ts';
import { lapsedSagas } from '../src/saga/saga-store.ts';

// The recovery worker polls for lapsed sagas every few seconds in every process. On PostgreSQL the
// statement is named, and its generic plan (planned without the parameters' values) must still use
// the partial index of unfinished sagas, or each poll scans every checkout ever made.
// Real: PGlite and PostgreSQL, 4 000 sagas (one in ten unfinished), analysed.
describe.each(databaseKinds())('checkout statements planned generically on %s', (kind) => {
  let db: Database<CheckoutTables>;
  beforeAll(async () => {
    const root = await openTestDatabase(kind);
    await migrate(root, [checkoutMigrations]);
    db = root.as<CheckoutTables>();
    await sql`
      insert into checkout.sagas (id, cart_id, idempotency_key, request_hash, request, actor, status, step,
                                  response_status, attempts, lease_until, created_at, updated_at, finished_at)
      select 'chk_' || n, 'cart_' || n, 'key', 'hash', '{}', 'cart',
             case when n % 10 = 0 then 'running' else 'completed' end,
             case when n % 10 = 0 then 'reserved' else 'done' end,
             case when n % 10 = 0 then null else 201 end, 1,
             now() + make_interval(secs => n % 60), now(), now(),
             case when n % 10 = 0 then null else now() end
        from generate_series(1, 4000) as n`.execute(db.primary);
    await sql`analyze checkout.sagas`.execute(db.primary);
  });
  afterAll(() => db.close());

  it('finds lapsed sagas through the index of unfinished sagas', async () => {
    const plan = await genericPlanOf(db, lapsedSagas(db.primary, new Date(), 50).compile());
    expect(plan).toMatch(/sagas_unfinished\b/);
    expect(plan).not.toMatch(/Seq Scan on sagas\b/);
  });
});
