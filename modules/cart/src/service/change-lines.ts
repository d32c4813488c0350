import { newId } from '@emporium/platform';
import type { CartContext } from '../cart-context.ts';
import type { CartShortage } from '../contract/index.ts';
import type { ItemsTable } from '../db/tables.ts';
import { cartCompleted, cartNotFound, outOfStock } from '../errors.ts';

/** A cart's lines as a change wants them: existing ids kept, new lines without one. */
export type WantedLine = { id?: string; variant_id: string; quantity: number };

const MAX_ATTEMPTS = 8;

/**
 * Changes a cart's lines and holds stock for all of them, atomically as seen by the shopper:
 * 1. read the cart (its version) and let `change` compute the wanted lines (it may throw);
 * 2. hold stock for every wanted line with the cart id as holder (replacing the previous hold;
 *    if that fails nothing changes: 409 out_of_stock naming the short lines);
 * 3. write the lines only if the cart is still at the version read; if another change won the
 *    race, start again from 1 (that change's hold was replaced by ours, so we must hold again).
 * The last write is therefore always made by the last hold, and the hold matches the lines.
 */
export async function changeLines(
  ctx: CartContext,
  cartId: string,
  change: (items: readonly ItemsTable[]) => WantedLine[],
): Promise<void> {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const record = await ctx.readCart(cartId);
    if (!record) throw cartNotFound();
    if (record.cart.completed_at) throw cartCompleted();
    const wanted = change(record.items);
    const lines = wanted.map((l) => ({ variantId: l.variant_id, quantity: l.quantity }));
    const held = await ctx.inventory.reserve(cartId, lines, { ttlMs: ctx.reservationTtlMs });
    if (!held.ok) {
      const shortages: CartShortage[] = held.shortages.map((s) => ({
        item_id: wanted.find((w) => w.variant_id === s.variantId)?.id ?? '',
        variant_id: s.variantId,
        requested: s.requested,
        available: s.available,
      }));
      throw outOfStock(shortages);
    }
    const now = ctx.clock.now();
    const written = await ctx.db.transaction(async (trx) => {
      const r = await trx
        .updateTable('cart.carts')
        .set({
          version: record.cart.version + 1,
          reservation_id: lines.length > 0 ? held.reservationId : null,
          reservation_expires_at: lines.length > 0 ? held.expiresAt : null,
          updated_at: now,
        })
        .where('id', '=', cartId)
        .where('version', '=', record.cart.version)
        .where('completed_at', 'is', null)
        .executeTakeFirst();
      if (r.numUpdatedRows === 0n) return false;
      const keep = new Set(wanted.flatMap((w) => (w.id ? [w.id] : [])));
      const gone = record.items.filter((i) => !keep.has(i.id)).map((i) => i.id);
      if (gone.length > 0) await trx.deleteFrom('cart.items').where('id', 'in', gone).execute();
      for (const w of wanted) {
        const before = record.items.find((i) => i.id === w.id);
        if (!w.id) {
          await trx
            .insertInto('cart.items')
            .values({
              id: newId('cli'),
              cart_id: cartId,
              variant_id: w.variant_id,
              quantity: w.quantity,
              created_at: now,
            })
            .execute();
        } else if (before && before.quantity !== w.quantity) {
          await trx.updateTable('cart.items').set({ quantity: w.quantity }).where('id', '=', w.id).execute();
        }
      }
      return true;
    });
    if (written) return;
    const now2 = await ctx.readCart(cartId);
    if (!now2 || now2.cart.completed_at) {
      // Checked out meanwhile: the hold just made is ours alone; give it back.
      if (lines.length > 0 && held.ok) await ctx.inventory.release(held.reservationId);
      throw now2 ? cartCompleted() : cartNotFound();
    }
  }
  throw new Error(`cart ${cartId} kept changing under ${MAX_ATTEMPTS} attempts to change its lines`);
}
