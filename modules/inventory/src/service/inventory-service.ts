import type { InventoryService } from '../contract/index.ts';
import type { Trx } from '../db/tables.ts';
import type { InventoryContext } from '../inventory-context.ts';
import { createLastingHold } from '../reservations/lasting-holds.ts';
import { checkId } from '../reservations/merge-lines.ts';
import { reserve } from '../reservations/reserve.ts';
import { commit, commitMany, release } from '../reservations/settle.ts';
import { adjust, setAvailable } from '../stock/change-stock.ts';
import { readLevels, toStockLevel } from '../stock/stock-rows.ts';

/**
 * The in-process InventoryService: each call is one transaction (or one read) on the primary, or
 * runs in the caller's transaction where it takes one (`commit`).
 */
export function createInventoryService(ctx: InventoryContext): InventoryService {
  const levels: InventoryService['levels'] = async (variantIds) => {
    for (const [i, id] of variantIds.entries()) checkId(`/variantIds/${i}`, id);
    const found = await readLevels(ctx.db.primary, variantIds, ctx.clock.now());
    return [...new Set(variantIds)].map((id) => toStockLevel(id, found.get(id)));
  };
  const lastingHold = createLastingHold(ctx);
  return {
    reserve: (holderId, lines, options) => reserve(ctx, holderId, lines, options),
    commit: (reservationId, trx) => commit(ctx, reservationId, trx as Trx | undefined),
    commitMany: (reservationIds, trx) => commitMany(ctx, reservationIds, trx as Trx | undefined),
    lastingHold: (reservationId, lines, options) => lastingHold(reservationId, lines, options.ttlMs),
    release: (reservationId) => release(ctx, reservationId),
    async available(variantIds) {
      return new Map((await levels(variantIds)).map((l) => [l.variantId, l.available]));
    },
    levels,
    adjust: (variantId, delta, change) => adjust(ctx, variantId, delta, change),
    setAvailable: (variantId, available, change) => setAvailable(ctx, variantId, available, change),
  };
}
