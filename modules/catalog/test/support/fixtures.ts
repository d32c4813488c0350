let counter = 0;

/** A short string unique within the test run, for SKUs and handles. */
export function unique(label = 'x'): string {
  counter += 1;
  return `${label}${process.pid.toString(36)}${counter.toString(36)}${Math.random().toString(36).slice(2, 6)}`;
}

/** A valid create-product body: a T-shirt in two sizes, priced in usd and eur. */
export function productBody(overrides: Record<string, unknown> = {}) {
  const sku = unique('SKU-').toUpperCase();
  return {
    title: 'Linen Shirt',
    description: 'Light and airy.',
    attributes: { material: 'linen', care: { wash: 30 } },
    options: [{ title: 'Size', values: ['S', 'M', 'L'] }],
    variants: [
      {
        sku: `${sku}-S`,
        title: 'S',
        options: { Size: 'S' },
        prices: [
          { amount: 2999, currency_code: 'usd' },
          { amount: 2799, currency_code: 'eur' },
        ],
        weight_grams: 200,
      },
      {
        sku: `${sku}-M`,
        title: 'M',
        options: { Size: 'M' },
        prices: [{ amount: 3199, currency_code: 'usd' }],
      },
    ],
    ...overrides,
  };
}
