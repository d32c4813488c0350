import { loadTaxRegions, type TaxRegionInput } from '@emporium/cart';
import type { Database, Money } from '@emporium/platform';
import { loadShippingZones, type OptionInput, type ZoneInput } from '@emporium/shipping';

/** The demo catalog prices every variant in these currencies; each option is priced in all of them. */
const prices = (usd: number, eur: number, gbp: number): Money[] => [
  { amount: usd, currency_code: 'usd' },
  { amount: eur, currency_code: 'eur' },
  { amount: gbp, currency_code: 'gbp' },
];

const standardFreeAbove = (name: string, price: Money[], threshold: Money[]): OptionInput => ({
  name,
  description: 'Delivered in 3–5 working days; free above the threshold.',
  rule: { kind: 'free_above', free_above: threshold },
  prices: price,
  rank: 1,
});

const express = (price: Money[], carrier: string): OptionInput => ({
  name: 'Express',
  description: 'Delivered in 1–2 working days.',
  carrier,
  rule: { kind: 'flat' },
  prices: price,
  rank: 2,
});

/** Demo zones: Standard (free above a threshold, or by weight) and Express for common countries. */
export const demoShippingZones: ReadonlyArray<ZoneInput & { options: OptionInput[] }> = [
  {
    name: 'United States',
    countries: ['us'],
    options: [
      standardFreeAbove('Standard', prices(599, 549, 479), prices(7500, 6900, 5900)),
      express(prices(1999, 1849, 1599), 'ups'),
    ],
  },
  {
    name: 'Canada',
    countries: ['ca'],
    options: [
      standardFreeAbove('Standard', prices(1299, 1199, 1029), prices(15000, 13800, 11900)),
      express(prices(2999, 2749, 2379), 'ups'),
    ],
  },
  {
    name: 'United Kingdom',
    countries: ['gb'],
    options: [
      standardFreeAbove('Royal Mail Tracked 48', prices(499, 459, 399), prices(6300, 5800, 5000)),
      express(prices(1249, 1149, 999), 'dpd'),
    ],
  },
  {
    name: 'Europe',
    countries: ['de', 'fr', 'nl', 'be', 'lu', 'at', 'it', 'es', 'pt', 'ie', 'dk', 'se', 'fi', 'pl'],
    options: [
      standardFreeAbove('Standard', prices(649, 599, 519), prices(8100, 7500, 6400)),
      express(prices(1799, 1649, 1429), 'dhl'),
    ],
  },
  {
    name: 'Australia',
    countries: ['au'],
    options: [
      {
        name: 'Standard',
        description: 'Delivered in 6–10 working days; priced by weight.',
        rule: {
          kind: 'weight',
          brackets: [
            { up_to_grams: 1000, prices: prices(1500, 1380, 1190) },
            { up_to_grams: 5000, prices: prices(2500, 2300, 1990) },
            { up_to_grams: null, prices: prices(4500, 4150, 3590) },
          ],
        },
        prices: [],
        rank: 1,
      },
      express(prices(4999, 4599, 3949), 'dhl'),
    ],
  },
];

/**
 * Demo tax: VAT/GST included in prices in the UK, the EU and Australia; sales tax added on top in
 * a few US states (by `region`) and GST on top in Canada.
 */
export const demoTaxRegions: readonly TaxRegionInput[] = [
  { country_code: 'gb', name: 'UK VAT', rate_bp: 2000, inclusive: true },
  { country_code: 'de', name: 'Germany VAT', rate_bp: 1900, inclusive: true },
  { country_code: 'fr', name: 'France VAT', rate_bp: 2000, inclusive: true },
  { country_code: 'nl', name: 'Netherlands VAT', rate_bp: 2100, inclusive: true },
  { country_code: 'it', name: 'Italy VAT', rate_bp: 2200, inclusive: true },
  { country_code: 'es', name: 'Spain VAT', rate_bp: 2100, inclusive: true },
  { country_code: 'ie', name: 'Ireland VAT', rate_bp: 2300, inclusive: true },
  { country_code: 'au', name: 'Australia GST', rate_bp: 1000, inclusive: true },
  { country_code: 'ca', name: 'Canada GST', rate_bp: 500, inclusive: false },
  { country_code: 'us', region: 'ca', name: 'California sales tax', rate_bp: 725, inclusive: false },
  { country_code: 'us', region: 'ny', name: 'New York sales tax', rate_bp: 400, inclusive: false },
  { country_code: 'us', region: 'tx', name: 'Texas sales tax', rate_bp: 625, inclusive: false },
];

/**
 * Adds the demo shipping zones (only when the shop has none) and the demo tax regions that do not
 * exist yet. Safe to run again.
 */
export async function seedDemoShipping(db: Database): Promise<{ zones: number; taxRegions: number }> {
  const zones = await loadShippingZones(db, demoShippingZones);
  const taxRegions = await loadTaxRegions(db, demoTaxRegions);
  return { zones, taxRegions };
}
