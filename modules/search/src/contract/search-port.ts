import type { Money } from '@emporium/platform';

/**
 * Result order. `relevance` (the default with `q`): best text match first; `newest`: most recently
 * published first (the default without `q`, and what `relevance` means without `q`); `price_asc` /
 * `price_desc`: by the lowest variant price in the query's currency. Ties are broken by product id,
 * so the order is total and cursors never skip or repeat a product.
 */
export type SearchSort = 'relevance' | 'price_asc' | 'price_desc' | 'newest';

/**
 * A store search: free text and filters over published products, in one currency.
 *
 * @example
 * { q: 'wool jacket', category: 'apparel', options: { Size: ['M', 'L'] }, priceMax: 20000,
 *   currency: 'usd', sort: 'relevance', limit: 20, facets: true }
 */
export interface SearchQuery {
  /**
   * Free text as the shopper typed it, at most 200 characters. Treated as text, never as query
   * syntax: quotes, operators and punctuation only separate words. Every word must match; the last
   * one may be incomplete ("jack" finds "Jacket"). Empty or absent: list without text.
   */
  q?: string;
  /** A category id or handle; products in it or in any of its descendants. */
  category?: string;
  /**
   * Option filters, e.g. `{ Size: ['M', 'L'], Colour: ['Navy'] }`: any of the values within a
   * title, every title. Titles and values match exactly (case included); titles contain no `:`.
   */
  options?: Record<string, string[]>;
  /** Price range in minor units of `currency`, inclusive, on the product's lowest variant price. */
  priceMin?: number;
  priceMax?: number;
  /** ISO 4217, lower case (`usd`). Only products with a price in it are listed. */
  currency: string;
  /** Default `relevance` with `q`, else `newest`. */
  sort?: SearchSort;
  /** Page size, 1–100. */
  limit: number;
  /**
   * Opaque, from a previous result's `nextCursor`, with the same query otherwise. A cursor that was
   * not issued for this sort is rejected (`invalid_cursor`).
   */
  cursor?: string;
  /** Compute facets over the whole filtered set (costs one more query; ask on the first page). */
  facets?: boolean;
}

/** One product in a result: enough for a listing card, without a second query. */
export interface SearchHit {
  /** `prod_…` */
  id: string;
  handle: string;
  title: string;
  /** Lowest variant price in the query's currency. */
  price: Money;
  /** URL of the first image, if any. */
  thumbnail: string | null;
  /** The product's own categories (not their ancestors). */
  category_ids: string[];
}

/**
 * Counts of products in the filtered set (all pages), by category (ancestors included, most
 * frequent first), option value, and price range (inclusive bounds in minor units; `max` null for
 * the open top range; only ranges with products). Every filter narrows every count.
 */
export interface SearchFacets {
  categories: Array<{ id: string; name: string; parent_id: string | null; count: number }>;
  options: Array<{ title: string; values: Array<{ value: string; count: number }> }>;
  price_ranges: Array<{ min: number; max: number | null; count: number }>;
  /**
   * True when the filtered set was too large to count exactly (over 10,000 products): the counts
   * are then estimates from a fixed random sample of the catalogue, rounded.
   */
  approximate?: boolean;
}

export interface SearchResult {
  hits: SearchHit[];
  /** Pass back as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
  /** Present when the query asked for facets. */
  facets?: SearchFacets;
  /** When `q` matched nothing as typed, the corrected words that were searched instead. */
  didYouMean?: string;
  /** The category the `category` filter named, when it is known. */
  category?: { id: string; handle: string; name: string };
}

/**
 * The search port: the store asks it, a projection of the catalog answers. The default is
 * PostgreSQL full-text search with pg_trgm (`createPostgresSearch`); an external engine can
 * implement the same port. Invalid input is thrown as an `AppError`: `validation_failed` for
 * a bad query (400, as for a bad query string), `invalid_cursor` (400) for a cursor this search did not issue.
 */
export interface SearchPort {
  search(query: SearchQuery): Promise<SearchResult>;
}
