import type { Selectable } from 'kysely';
import { jsonArrayFrom } from 'kysely/helpers/postgres';
import type { CartsTable, CartTables, ItemsTable, Reader } from '../db/tables.ts';

export interface CartRecord {
  cart: Selectable<CartsTable>;
  items: ItemsTable[];
}

/**
 * The cart and its lines (oldest first), or undefined, in one statement (the lines as a JSON array:
 * every cart request reads both). Reads the primary: shoppers see their writes.
 */
export async function readCart(db: Reader, id: string): Promise<CartRecord | undefined> {
  const row = await db
    .selectFrom('cart.carts as c')
    .selectAll('c')
    .select((eb) =>
      jsonArrayFrom(
        eb
          .selectFrom('cart.items as i')
          .selectAll('i')
          .whereRef('i.cart_id', '=', 'c.id')
          .orderBy('i.created_at')
          .orderBy('i.id'),
      ).as('cart_items'),
    )
    .where('c.id', '=', id)
    .executeTakeFirst();
  if (!row) return undefined;
  const { cart_items, ...cart } = row;
  // JSON carries the timestamp as text.
  const items = cart_items.map((i) => ({ ...i, created_at: new Date(i.created_at) }));
  return { cart, items };
}

export type { CartTables };
