import type { ColumnType } from 'kysely';
import type { ProductImage, ProductOption, ProductStatus } from '../contract/index.ts';

/** A jsonb column: read as T, written through `jsonb()`. */
type Jsonb<T> = ColumnType<T, unknown, unknown>;

export interface PriceRow {
  amount: number;
  currency_code: string;
}

export interface ProductsTable {
  id: string;
  handle: string;
  title: string;
  description: string;
  status: ProductStatus;
  version: number;
  attributes: Jsonb<Record<string, unknown>>;
  images: Jsonb<ProductImage[]>;
  options: Jsonb<ProductOption[]>;
  created_at: Date;
  updated_at: Date;
  published_at: Date | null;
  /** The rendered ProductDocument (JSON text); null until rendered. See products/product-document.ts. */
  document: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface VariantsTable {
  id: string;
  product_id: string;
  sku: string;
  title: string;
  options: Jsonb<Record<string, string>>;
  prices: Jsonb<PriceRow[]>;
  weight_grams: number | null;
  barcode: string | null;
  rank: number;
  created_at: Date;
  updated_at: Date;
}

export interface CategoriesTable {
  id: string;
  handle: string;
  name: string;
  description: string;
  parent_id: string | null;
  rank: number;
  created_at: Date;
  updated_at: Date;
}

export interface CollectionsTable {
  id: string;
  handle: string;
  title: string;
  created_at: Date;
  updated_at: Date;
}

export interface ProductCategoriesTable {
  category_id: string;
  product_id: string;
  rank: number;
}

export interface ProductCollectionsTable {
  collection_id: string;
  product_id: string;
  rank: number;
}

/** The tables of migrations/0001_catalog.sql, as Kysely sees them. */
export interface CatalogTables {
  'catalog.products': ProductsTable;
  'catalog.variants': VariantsTable;
  'catalog.categories': CategoriesTable;
  'catalog.collections': CollectionsTable;
  'catalog.product_categories': ProductCategoriesTable;
  'catalog.product_collections': ProductCollectionsTable;
}
