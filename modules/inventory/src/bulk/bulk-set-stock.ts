import { type Database, newId } from '@emporium/platform';
import { sql } from 'kysely';

/**
 * Gives new variants their opening stock in one transaction (the demo seeder), with the ledger
 * entries that explain it, so that a variant's ledger still sums to its on-hand stock. Variants
 * that already have a level are left alone. Writes no events: nothing has watched these variants yet.
 */
export async function bulkSetOpeningStock(
  db: Database,
  levels: ReadonlyArray<{ variantId: string; onHand: number }>,
  actor = 'seed',
): Promise<void> {
  if (levels.length === 0) return;
  const now = new Date();
  await db.transaction(async (trx) => {
    const inserted = await sql<{ variant_id: string; on_hand: number }>`
      insert into inventory.stock_levels (variant_id, on_hand, created_at, updated_at)
      select variant_id, on_hand, ${now}, ${now}
      from unnest(${levels.map((l) => l.variantId)}::text[], ${levels.map((l) => l.onHand)}::int[]) as t(variant_id, on_hand)
      on conflict do nothing
      returning variant_id, on_hand`.execute(trx);
    const stocked = inserted.rows
      .filter((r) => r.on_hand > 0)
      .map((r) => ({ variantId: r.variant_id, onHand: r.on_hand }));
    if (stocked.length === 0) return;
    await sql`
      insert into inventory.adjustments (id, variant_id, kind, delta, on_hand_after, reason, actor, created_at)
      select id, variant_id, 'set', on_hand, on_hand, 'opening stock', ${actor}, ${now}
      from unnest(${stocked.map(() => newId('adj'))}::text[], ${stocked.map((l) => l.variantId)}::text[],
                  ${stocked.map((l) => l.onHand)}::int[]) as t(id, variant_id, on_hand)`.execute(trx);
  });
}
