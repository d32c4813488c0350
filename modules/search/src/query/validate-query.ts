import { AppError, type FieldError } from '@emporium/platform';
import type { SearchQuery, SearchSort } from '../contract/search-port.ts';

const SORTS: readonly SearchSort[] = ['relevance', 'price_asc', 'price_desc', 'newest'];
const MAX_Q = 200;
const MAX_OPTION_TITLES = 10;
const MAX_OPTION_VALUES = 20;

/**
 * Checks a query from any caller (the HTTP route validates its own query string first). Problems
 * are a 400 `validation_failed`, as the platform answers for a bad query string.
 */
export function validateQuery(query: SearchQuery): void {
  const errors: FieldError[] = [];
  const fail = (path: string, message: string) => errors.push({ path, message });
  if (!Number.isInteger(query.limit) || query.limit < 1 || query.limit > 100) fail('/limit', 'must be 1–100');
  if (!/^[a-z]{3}$/.test(query.currency)) fail('/currency', 'must be three lower-case letters');
  if (query.sort !== undefined && !SORTS.includes(query.sort))
    fail('/sort', `must be one of: ${SORTS.join(', ')}`);
  if (query.q !== undefined && query.q.length > MAX_Q) fail('/q', `must be at most ${MAX_Q} characters`);
  for (const [name, value] of [
    ['price_min', query.priceMin],
    ['price_max', query.priceMax],
  ] as const) {
    if (value !== undefined && (!Number.isSafeInteger(value) || value < 0)) {
      fail(`/${name}`, 'must be a whole number of minor units, 0 or more');
    }
  }
  if (query.priceMin !== undefined && query.priceMax !== undefined && query.priceMin > query.priceMax) {
    fail('/price_max', 'must not be below price_min');
  }
  const titles = Object.entries(query.options ?? {});
  if (titles.length > MAX_OPTION_TITLES) fail('/options', `at most ${MAX_OPTION_TITLES} option titles`);
  for (const [title, values] of titles) {
    if (title.length === 0 || title.includes(':'))
      fail('/options', 'an option title is empty or contains ":"');
    if (values.length === 0 || values.length > MAX_OPTION_VALUES) {
      fail('/options', `each option title takes 1–${MAX_OPTION_VALUES} values`);
    }
  }
  if (errors.length > 0) {
    const detail = `The search query is invalid: ${errors.map((e) => `${e.path} ${e.message}`).join('; ')}.`;
    throw new AppError('validation_failed', 400, detail, { extensions: { errors } });
  }
}

/** PostgreSQL text cannot hold NUL; as a separator it changes nothing a shopper could mean. */
export function withoutNul(query: SearchQuery): SearchQuery {
  const strip = (text: string) => text.replaceAll('\u0000', ' ');
  return {
    ...query,
    ...(query.q === undefined ? {} : { q: strip(query.q) }),
    ...(query.category === undefined ? {} : { category: strip(query.category) }),
    ...(query.options === undefined
      ? {}
      : {
          options: Object.fromEntries(
            Object.entries(query.options).map(([title, values]) => [strip(title), values.map(strip)]),
          ),
        }),
  };
}
