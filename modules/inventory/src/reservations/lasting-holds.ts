import { createBatcher, fulfilled } from '@emporium/platform';
import { sql } from 'kysely';
import type { ReservationLine } from '../contract/index.ts';
import type { Reader } from '../db/tables.ts';
import type { InventoryContext } from '../inventory-context.ts';
import { checkId, mergeLines } from './merge-lines.ts';
import { checkTtl } from './reserve.ts';

/** Holds checked together at most: one statement's worth of a busy moment's checkouts. */
const MAX_CHECK_BATCH = 64;

/** One hold to check: its id, the lines it should hold (merged by variant), and until when. */
export interface HoldCheck {
  reservationId: string;
  wanted: ReadonlyMap<string, number>;
  until: Date;
}

/**
 * The statement checking `checks` (see lastingHolds): the row number (`ord`) and expiry of each
 * hold that lasts. The ids are named as an array too: PostgreSQL guesses a hundred rows from
 * jsonb_to_recordset and could otherwise scan the reservations. `active` and `held` stay literals,
 * for the partial indexes (see activeHoldsOf).
 */
export function lastingHoldsQuery(checks: readonly HoldCheck[]) {
  const rows = checks.map((c, ord) => ({
    ord,
    id: c.reservationId,
    until: c.until.toISOString(),
    n: c.wanted.size,
    variant_ids: [...c.wanted.keys()],
    quantities: [...c.wanted.values()],
  }));
  return sql<{ ord: number; expires_at: Date }>`
    with w as (
      select * from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
        as w(ord integer, id text, until timestamptz, n integer, variant_ids text[], quantities integer[])
    )
    select w.ord, r.expires_at
      from w join inventory.reservations r on r.id = w.id
     where r.id = any(${[...new Set(checks.map((c) => c.reservationId))]}::text[])
       and r.status = 'active' and r.expires_at >= w.until
       and (select count(*) from inventory.reservation_lines l
             where l.reservation_id = r.id and l.held)
         = w.n
       and (select count(*) from inventory.reservation_lines l
              join unnest(w.variant_ids, w.quantities) as x(variant_id, quantity)
                on x.variant_id = l.variant_id and x.quantity = l.quantity
             where l.reservation_id = r.id and l.held and l.expires_at >= w.until)
         = w.n`;
}

/**
 * Each hold's expiry when it is active, holds exactly its wanted lines and lasts, with each of its
 * lines, until at least its `until`; otherwise null. One read for all of them: every held line
 * matches a wanted one and lasts long enough, and there are as many held lines as wanted ones. The
 * sweep and other holders' reserves free only lapsed lines, and a replacement or sale of a hold
 * changes its status, so an answer stays true until the hold itself is changed.
 */
async function lastingHolds(
  db: Reader,
  checks: readonly HoldCheck[],
): Promise<({ expiresAt: Date } | null)[]> {
  const { rows } = await lastingHoldsQuery(checks).execute(db);
  const byOrd = new Map(rows.map((r) => [r.ord, { expiresAt: new Date(r.expires_at) }]));
  return checks.map((_, ord) => byOrd.get(ord) ?? null);
}

/**
 * InventoryService.lastingHold: the checks asked for while one runs go together in the next
 * statement (createBatcher), so a busy moment's checkouts share the round trip. Each check's
 * `until` is taken when it is asked for, and its read starts after, so it sees every change
 * committed before.
 */
export function createLastingHold(
  ctx: InventoryContext,
): (
  reservationId: string,
  lines: readonly ReservationLine[],
  ttlMs: number,
) => Promise<{ expiresAt: Date } | null> {
  const check = createBatcher(
    async (checks: readonly HoldCheck[]) => (await lastingHolds(ctx.db.primary, checks)).map(fulfilled),
    { maxBatch: MAX_CHECK_BATCH },
  );
  return async (reservationId, lines, ttlMs) => {
    checkId('/reservationId', reservationId);
    checkTtl(ttlMs);
    const wanted = mergeLines(lines);
    if (wanted.size === 0) return null;
    return check({ reservationId, wanted, until: new Date(ctx.clock.now().getTime() + ttlMs) });
  };
}
