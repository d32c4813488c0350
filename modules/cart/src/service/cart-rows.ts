import type { Selectable } from 'kysely';
import type { CartsTable, CartTables, ItemsTable, Reader, TaxRegionsTable } from '../db/tables.ts';

export interface CartRecord {
  cart: Selectable<CartsTable>;
  items: ItemsTable[];
}

/** The cart and its lines (oldest first), or undefined. Reads the primary: shoppers see their writes. */
export async function readCart(db: Reader, id: string): Promise<CartRecord | undefined> {
  const cart = await db.selectFrom('cart.carts').selectAll().where('id', '=', id).executeTakeFirst();
  if (!cart) return undefined;
  const items = await db
    .selectFrom('cart.items')
    .selectAll()
    .where('cart_id', '=', id)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  return { cart, items };
}

/** The tax region of a destination: its region's row when there is one, else its country's. */
export async function taxRegionFor(
  db: Reader,
  countryCode: string,
  region: string | null | undefined,
): Promise<TaxRegionsTable | undefined> {
  const r = (region ?? '').trim().toLowerCase();
  return db
    .selectFrom('cart.tax_regions')
    .selectAll()
    .where('country_code', '=', countryCode)
    .where('region', 'in', r ? ['', r] : [''])
    .orderBy('region', 'desc')
    .limit(1)
    .executeTakeFirst();
}

export type { CartTables };
