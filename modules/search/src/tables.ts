import type { ColumnType, Generated } from 'kysely';

/** Kysely's view of the `search` schema (see migrations/); only the data-access layer uses it. */
export interface SearchTables {
  'search.products': {
    id: string;
    handle: string;
    title: string;
    thumbnail: string | null;
    category_ids: string[];
    category_path_ids: string[];
    option_values: string[];
    prices: Record<string, number>;
    title_norm: string;
    vector: string;
    version: number;
    created_at: ColumnType<Date, string, string>;
    published_at: ColumnType<Date, string, string>;
  };
  'search.listings': {
    product_id: string;
    currency: string;
    category_id: string;
    min_amount: number;
    published_at: ColumnType<Date, string, string>;
  };
  'search.product_versions': { id: string; version: number };
  'search.categories': {
    id: string;
    handle: string;
    name: string;
    parent_id: string | null;
    rank: Generated<number>;
    path: string[];
    deleted: Generated<boolean>;
    last_event_id: string | null;
  };
  'search.words': { word: string };
}
