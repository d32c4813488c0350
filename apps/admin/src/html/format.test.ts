import { describe, expect, it } from 'vitest';
import { amountText, formatMoney, parseAmount } from './format.ts';

describe('money in forms', () => {
  it('reads what staff type as minor units of the currency, and refuses what is not a sum', () => {
    expect(parseAmount('12.5', 'usd')).toBe(1250);
    expect(parseAmount('12.05', 'eur')).toBe(1205);
    expect(parseAmount('7', 'usd')).toBe(700);
    expect(parseAmount('500', 'jpy')).toBe(500);
    expect(parseAmount('5.5', 'jpy')).toBeNull();
    expect(parseAmount('1.234', 'usd')).toBeNull();
    expect(parseAmount('-3', 'usd')).toBeNull();
    expect(parseAmount('1e3', 'usd')).toBeNull();
  });

  it('shows minor units back in the same form and as money', () => {
    expect(amountText(1250, 'usd')).toBe('12.50');
    expect(amountText(500, 'jpy')).toBe('500');
    expect(formatMoney({ amount: 4900, currency_code: 'usd' })).toBe('$49.00');
  });
});
