import type { FieldError } from '@emporium/platform';
import type { ProductOption } from '../contract/index.ts';
import { isCurrencyCode } from './currencies.ts';
import { pointerSegment } from './json-pointer.ts';

/** What the rules read of a variant, whether it comes from a request or from the database. */
export interface VariantShape {
  sku: string;
  options?: Record<string, string> | undefined;
  prices: ReadonlyArray<{ amount: number; currency_code: string }>;
}

/** Option titles unique (ignoring case), values unique within an option. */
export function optionErrors(options: readonly ProductOption[], at = '/options'): FieldError[] {
  const errors: FieldError[] = [];
  const titles = new Map<string, number>();
  options.forEach((option, i) => {
    const key = option.title.trim().toLowerCase();
    const first = titles.get(key);
    if (first === undefined) titles.set(key, i);
    else errors.push({ path: `${at}/${i}/title`, message: `repeats the option title of ${at}/${first}` });
    const values = new Map<string, number>();
    option.values.forEach((value, j) => {
      const seen = values.get(value);
      if (seen === undefined) values.set(value, j);
      else
        errors.push({
          path: `${at}/${i}/values/${j}`,
          message: `repeats "${value}" (${at}/${i}/values/${seen})`,
        });
    });
  });
  return errors;
}

/**
 * A variant names exactly one listed value for each of the product's options, and each price is
 * in a distinct ISO 4217 currency. `at` is the variant's JSON pointer in the request.
 */
export function variantErrors(
  options: readonly ProductOption[],
  variant: VariantShape,
  at: string,
): FieldError[] {
  const errors: FieldError[] = [];
  const chosen = variant.options ?? {};
  const titles = options.map((o) => o.title);
  for (const key of Object.keys(chosen)) {
    if (!titles.includes(key)) {
      const known = titles.length === 0 ? 'the product has no options' : `options are: ${titles.join(', ')}`;
      errors.push({
        path: `${at}/options/${pointerSegment(key)}`,
        message: `is not an option of this product (${known})`,
      });
    }
  }
  for (const option of options) {
    const value = chosen[option.title];
    const path = `${at}/options/${pointerSegment(option.title)}`;
    if (value === undefined) {
      errors.push({ path, message: `is required: one of ${option.values.join(', ')}` });
    } else if (!option.values.includes(value)) {
      errors.push({
        path,
        message: `"${value}" is not a value of option "${option.title}" (${option.values.join(', ')})`,
      });
    }
  }
  const currencies = new Map<string, number>();
  variant.prices.forEach((price, k) => {
    const path = `${at}/prices/${k}/currency_code`;
    if (!isCurrencyCode(price.currency_code)) {
      errors.push({ path, message: `"${price.currency_code}" is not an ISO 4217 currency code` });
    }
    const seen = currencies.get(price.currency_code);
    if (seen === undefined) currencies.set(price.currency_code, k);
    else
      errors.push({ path, message: `repeats the currency of ${at}/prices/${seen}: one price per currency` });
  });
  return errors;
}

/** The canonical form of an option combination: equal combinations give equal keys. */
export function combinationKey(options: Record<string, string> | undefined): string {
  return JSON.stringify(Object.entries(options ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/**
 * Every rule a product's options and variants must keep together: valid options, valid variants,
 * no two variants with one option combination, no SKU twice.
 */
export function productShapeErrors(
  options: readonly ProductOption[],
  variants: readonly VariantShape[],
): FieldError[] {
  const errors = optionErrors(options);
  const combinations = new Map<string, number>();
  const skus = new Map<string, number>();
  variants.forEach((variant, i) => {
    const at = `/variants/${i}`;
    errors.push(...variantErrors(options, variant, at));
    const key = combinationKey(variant.options);
    const same = combinations.get(key);
    if (same === undefined) combinations.set(key, i);
    else
      errors.push({
        path: `${at}/options`,
        message: `are the same as those of /variants/${same}: each variant needs its own combination`,
      });
    const sku = skus.get(variant.sku);
    if (sku === undefined) skus.set(variant.sku, i);
    else errors.push({ path: `${at}/sku`, message: `repeats the SKU of /variants/${sku}` });
  });
  return errors;
}

/**
 * When a product's options change, the existing variants must still fit them: each variant's
 * problems are reported at `/options`, naming the variant by SKU.
 */
export function optionsChangeErrors(
  options: readonly ProductOption[],
  variants: readonly VariantShape[],
): FieldError[] {
  const errors = optionErrors(options);
  if (errors.length > 0) return errors;
  for (const variant of variants) {
    for (const problem of variantErrors(options, { ...variant, prices: [] }, '')) {
      errors.push({
        path: '/options',
        message: `no longer fit variant "${variant.sku}": ${problem.path.slice(1)} ${problem.message}`,
      });
    }
  }
  return errors;
}
