import { randomUUID } from 'node:crypto';
import { databaseKinds } from '@emporium/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CheckoutPlatform, startCheckoutPlatform } from './support/checkout-platform.ts';
import { checkout, quickCart, type ReadyCart, readyCart, tokenize } from './support/shopper.ts';

const SHOPPERS = 200;
const UNITS = 10;

// Real: every module and the database of each kind; 200 requests in flight at once in-process.
describe.each(databaseKinds())('200 shoppers, 10 units, on %s', (kind) => {
  let store: CheckoutPlatform;
  let variantId: string;

  beforeAll(async () => {
    store = await startCheckoutPlatform(kind, { stock: SHOPPERS + 1 });
    variantId = store.variantIds[0] ?? '';
  }, 120_000);
  afterAll(async () => store?.close());

  it('sells exactly the 10 units: 10 orders, 190 out_of_stock naming the line, stock never negative', async () => {
    // Every shopper filled a cart while stock was plentiful…
    const first = await readyCart(store.http, variantId, 1);
    const carts: Array<ReadyCart & { token: string }> = [];
    for (let i = 0; i < SHOPPERS; i += 20) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(20, SHOPPERS - i) }, async () => ({
          ...(await quickCart(store.http, variantId, first.shippingOptionId)),
          token: await tokenize(store.http),
        })),
      );
      carts.push(...batch);
    }
    // …then their holds lapsed and the shop is down to 10 units.
    const holds = await store.platform.ports.db.primary
      .selectFrom('inventory.reservations')
      .select('id')
      .where('status', '=', 'active')
      .execute();
    for (const hold of holds) await store.services.inventory.release(hold.id);
    const set = await store.services.inventory.setAvailable(variantId, UNITS, { actor: 'test' });
    expect(set.ok).toBe(true);

    const answers = await Promise.all(
      carts.map((c) => checkout(store.http, c, randomUUID(), { payment: { token: c.token } })),
    );
    const placed = answers.filter((a) => a.status === 201);
    const short = answers.filter((a) => a.status === 409);
    expect(placed).toHaveLength(UNITS);
    expect(short).toHaveLength(SHOPPERS - UNITS);
    for (const a of short) {
      expect(a.body.code).toBe('out_of_stock');
      expect(a.body.detail).toContain('Checkout tee 0');
      expect(a.body.shortages).toEqual([
        expect.objectContaining({ variant_id: variantId, requested: 1, available: 0 }),
      ]);
    }

    const level = await store.platform.ports.db.primary
      .selectFrom('inventory.stock_levels')
      .select(['on_hand', 'reserved'])
      .where('variant_id', '=', variantId)
      .executeTakeFirstOrThrow();
    expect(level).toEqual({ on_hand: 0, reserved: 0 });
    const placedOrders = await store.platform.ports.db.primary
      .selectFrom('orders.orders')
      .select('id')
      .where('status', '=', 'placed')
      .execute();
    expect(placedOrders).toHaveLength(UNITS);
    // The ledger agrees: opening stock, the set, and 10 sales.
    const sold = await store.platform.ports.db.primary
      .selectFrom('inventory.adjustments')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('variant_id', '=', variantId)
      .where('kind', '=', 'sale')
      .executeTakeFirstOrThrow();
    expect(Number(sold.n)).toBe(UNITS);
  }, 600_000);
});
