import { ManualClock, migrate } from '@emporium/platform';
import { createShippingModule } from '@emporium/shipping';
import { startTestPlatform, type TestPlatform } from '@emporium/testkit';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrationSources } from '../migration-sources.ts';
import { seedDemoShipping } from './demo-shipping.ts';

// The real shipping module on an embedded database (PGlite) with the server's migrations.
describe('demo shipping and tax', () => {
  let platform: TestPlatform;
  let shipping: ReturnType<typeof createShippingModule>;

  beforeAll(async () => {
    platform = await startTestPlatform({
      clock: new ManualClock(),
      compose: (ports) => {
        shipping = createShippingModule(ports);
        return [shipping];
      },
    });
    await migrate(platform.ports.db, migrationSources);
  });
  afterAll(async () => {
    await platform?.close();
  });

  it('offers Standard and Express in every demo country and currency, and is safe to run twice', async () => {
    expect(await seedDemoShipping(platform.ports.db)).toEqual({ zones: 5, taxRegions: 12 });
    expect(await seedDemoShipping(platform.ports.db)).toEqual({ zones: 0, taxRegions: 0 });
    for (const countryCode of ['us', 'gb', 'de', 'fr', 'ca', 'au']) {
      for (const currencyCode of ['usd', 'eur', 'gbp']) {
        const rates = await shipping.service.ratesFor({
          countryCode,
          currencyCode,
          subtotal: 2000,
          weightGrams: 800,
        });
        expect(rates.map((r) => r.name).at(-1), `${countryCode} ${currencyCode}`).toBe('Express');
        expect(rates).toHaveLength(2);
        expect(rates.every((r) => r.price.amount > 0 && r.price.currency_code === currencyCode)).toBe(true);
      }
    }
    const free = await shipping.service.ratesFor({
      countryCode: 'us',
      currencyCode: 'usd',
      subtotal: 7500,
      weightGrams: 0,
    });
    expect(free[0]?.price.amount).toBe(0);
    const vat = await sql<{
      n: number;
    }>`select count(*)::int as n from cart.tax_regions where inclusive`.execute(platform.ports.db.primary);
    expect(vat.rows[0]?.n).toBe(8);
  });
});
