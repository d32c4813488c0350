import { createBatcher, fulfilled, keyIn } from '@emporium/platform';
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
 * The statement reading what `checks` need (see lastingHolds): for each hold found, its row number
 * (`ord`), status, expiry, how many lines it holds and how many of them are wanted lines lasting
 * long enough. The ids are named as a key list too (keyIn): PostgreSQL guesses a hundred rows
 * from jsonb_to_recordset. Only the ids filter the reservations, found by their key: with their
 * status or expiry in the filter too, PostgreSQL may first scan the whole index of active holds,
 * thousands of entries on a busy shop, and intersect (seen in `bench:checkout --statements`). The
 * lines' `held` stays a literal, for their partial index (see activeHoldsOf).
 */
export function lastingHoldsQuery(checks: readonly HoldCheck[]) {
  const rows = checks.map((c, ord) => ({
    ord,
    id: c.reservationId,
    until: c.until.toISOString(),
    variant_ids: [...c.wanted.keys()],
    quantities: [...c.wanted.values()],
  }));
  return sql<{ ord: number; status: string; expires_at: Date; held: number; lasting: number }>`
    with w as (
      select * from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
        as w(ord integer, id text, until timestamptz, variant_ids text[], quantities integer[])
    )
    select w.ord, r.status, r.expires_at,
           (select count(*)::integer from inventory.reservation_lines l
             where l.reservation_id = r.id and l.held) as held,
           (select count(*)::integer from inventory.reservation_lines l
              join unnest(w.variant_ids, w.quantities) as x(variant_id, quantity)
                on x.variant_id = l.variant_id and x.quantity = l.quantity
             where l.reservation_id = r.id and l.held and l.expires_at >= w.until) as lasting
      from w join inventory.reservations r on r.id = w.id
     where ${keyIn(
       sql.ref('r.id'),
       checks.map((c) => c.reservationId),
     )}`;
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
  const byOrd = new Map(rows.map((r) => [r.ord, r]));
  return checks.map((check, ord) => {
    const r = byOrd.get(ord);
    const expiresAt = r ? new Date(r.expires_at) : undefined;
    const lasts =
      r?.status === 'active' &&
      expiresAt !== undefined &&
      expiresAt >= check.until &&
      r.held === check.wanted.size &&
      r.lasting === check.wanted.size;
    return lasts ? { expiresAt } : null;
  });
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
