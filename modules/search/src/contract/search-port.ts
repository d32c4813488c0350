import type { Money } from '@emporium/platform';

export type SearchSort = 'relevance' | 'price_asc' | 'price_desc' | 'newest';

/** A store search: free text and filters over published products, in one currency. */
export interface SearchQuery {
  /** Free text as the shopper typed it (treated as text, never as query syntax); empty lists. */
  q?: string;
  /** A category id or handle; products in it or in any of its descendants. */
  category?: string;
  /** Option filters, e.g. `{ Size: ['M', 'L'] }` (any of the values within a title, all titles). */
  options?: Record<string, string[]>;
  /** Price range in minor units of `currency`, inclusive. */
  priceMin?: number;
  priceMax?: number;
  currency: string;
  /** Default `relevance` with `q`, else `newest`. */
  sort?: SearchSort;
  /** 1–100. */
  limit: number;
  /** Opaque, from a previous result's `nextCursor`. */
  cursor?: string;
  /** Compute facets (costs a little more). */
  facets?: boolean;
}

/** One product in a result: enough for a listing card, without a second query. */
export interface SearchHit {
  id: string;
  handle: string;
  title: string;
  /** Lowest variant price in the query's currency. */
  price: Money;
  thumbnail: string | null;
  category_ids: string[];
}

export interface SearchFacets {
  categories: Array<{ id: string; name: string; count: number }>;
  options: Array<{ title: string; values: Array<{ value: string; count: number }> }>;
  price_ranges: Array<{ min: number; max: number | null; count: number }>;
}

export interface SearchResult {
  hits: SearchHit[];
  nextCursor: string | null;
  facets?: SearchFacets;
  /** When `q` matched nothing exactly, the corrected terms that were used (typo tolerance). */
  didYouMean?: string;
}

/**
 * The search port: the store asks it, a projection of the catalog answers. The default is
 * PostgreSQL full-text search with pg_trgm; an external engine can implement the same port.
 */
export interface SearchPort {
  search(query: SearchQuery): Promise<SearchResult>;
}
