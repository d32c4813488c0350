import type { Money } from '@emporium/platform';
import type { RateQuery, ShippingPriceRule } from '../contract/index.ts';

/** What pricing needs of an option. */
export interface PricedOption {
  rule: ShippingPriceRule;
  prices: readonly Money[];
}

const inCurrency = (list: readonly Money[], currency: string): number | undefined =>
  list.find((m) => m.currency_code === currency)?.amount;

/**
 * The option's price for the query in minor units, or undefined when it does not apply: no price
 * in the query's currency, or (weight) no bracket holds the cart's weight.
 */
export function priceOption(option: PricedOption, query: RateQuery): number | undefined {
  const rule = option.rule;
  switch (rule.kind) {
    case 'flat':
      return inCurrency(option.prices, query.currencyCode);
    case 'free_above': {
      const base = inCurrency(option.prices, query.currencyCode);
      if (base === undefined) return undefined;
      const threshold = inCurrency(rule.free_above, query.currencyCode);
      return threshold !== undefined && query.subtotal >= threshold ? 0 : base;
    }
    case 'weight': {
      const bracket = [...rule.brackets]
        .sort(
          (a, b) => (a.up_to_grams ?? Number.POSITIVE_INFINITY) - (b.up_to_grams ?? Number.POSITIVE_INFINITY),
        )
        .find((b) => b.up_to_grams === null || query.weightGrams <= b.up_to_grams);
      return bracket ? inCurrency(bracket.prices, query.currencyCode) : undefined;
    }
  }
}
