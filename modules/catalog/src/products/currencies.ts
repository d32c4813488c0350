/** ISO 4217 codes (lower case) as this Node's ICU knows them: `usd`, `eur`, `jpy`, … */
const known = new Set(Intl.supportedValuesOf('currency').map((code) => code.toLowerCase()));

export function isCurrencyCode(code: string): boolean {
  return known.has(code);
}
