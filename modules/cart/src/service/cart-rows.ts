import { createBatcher, fulfilled, keyIn } from '@emporium/platform';
import { type Selectable, sql } from 'kysely';
import { jsonArrayFrom } from 'kysely/helpers/postgres';
import type { CartsTable, CartTables, ItemsTable, Reader } from '../db/tables.ts';

export interface CartRecord {
  cart: Selectable<CartsTable>;
  items: ItemsTable[];
}

/** Carts read together at most: one statement's worth of a busy moment's checkouts. */
const MAX_READ_BATCH = 64;

/**
 * The carts of `ids` that exist, with their lines (oldest first), in one statement (the lines as a
 * JSON array: every cart request reads both). One id goes as `= $1`, several as one array
 * parameter, so every batch size runs one of two prepared statements (keyIn).
 */
async function readCarts(db: Reader, ids: readonly string[]): Promise<Map<string, CartRecord>> {
  const rows = await db
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
    .where(keyIn(sql.ref('c.id'), ids))
    .execute();
  return new Map(
    rows.map(({ cart_items, ...cart }) => {
      // JSON carries the timestamp as text.
      const items = cart_items.map((i) => ({ ...i, created_at: new Date(i.created_at) }));
      return [cart.id, { cart, items }];
    }),
  );
}

/**
 * Reads one cart with its lines, or undefined, from the primary (shoppers see their writes): the
 * reads asked for while one runs go together in the next statement (createBatcher), so a busy
 * moment's checkouts and cart pages share round trips. Each read starts after it is asked for, so
 * it sees every write committed before.
 */
export function createCartReader(db: Reader): (id: string) => Promise<CartRecord | undefined> {
  return createBatcher(
    async (ids: readonly string[]) => {
      const found = await readCarts(db, ids);
      return ids.map((id) => fulfilled(found.get(id)));
    },
    { maxBatch: MAX_READ_BATCH },
  );
}

export type { CartTables };
