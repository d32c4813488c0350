import { bulkLoadProducts } from '@emporium/catalog';
import { bulkSetOpeningStock } from '@emporium/inventory';
import type { Database } from '@emporium/platform';
import { loadShippingZones } from '@emporium/shipping';

let seq = 0;

/**
 * A store to check out from: `products` published products of one variant each at 25.00 USD with
 * `stock` units, and one US zone with a flat 5.00 USD option. Written with the modules' own bulk
 * loaders (the same the demo seeder uses), so it works before a server starts on the database.
 */
export async function seedStore(
  db: Database,
  options: { products?: number; stock: number; price?: number },
): Promise<{ variantIds: string[] }> {
  const run = `${Date.now().toString(36)}${(seq++).toString(36)}`;
  const loaded = await bulkLoadProducts(
    db,
    Array.from({ length: options.products ?? 1 }, (_, i) => ({
      handle: `checkout-tee-${run}-${i}`,
      title: `Checkout tee ${i}`,
      description: 'A shirt to check out.',
      attributes: {},
      images: [],
      options: [],
      categoryIds: [],
      createdAt: new Date(),
      variants: [
        {
          sku: `CHK-${run}-${i}`,
          title: 'One size',
          options: {},
          prices: [{ amount: options.price ?? 2500, currency_code: 'usd' }],
          weight_grams: 200,
          barcode: null,
        },
      ],
    })),
  );
  const variantIds = loaded.flatMap((p) => p.variantIds);
  await bulkSetOpeningStock(
    db,
    variantIds.map((variantId) => ({ variantId, onHand: options.stock })),
  );
  await loadShippingZones(db, [
    {
      name: 'United States',
      countries: ['us'],
      options: [
        {
          name: 'Standard',
          carrier: 'ups',
          rule: { kind: 'flat' },
          prices: [{ amount: 500, currency_code: 'usd' }],
        },
      ],
    },
  ]);
  return { variantIds };
}
