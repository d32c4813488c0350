import type { ProductChanged, ProductDocument } from '@emporium/catalog/contract';

/** What the projection stores for one published product, before SQL derives the vector. */
export interface ProductRow {
  id: string;
  handle: string;
  title: string;
  thumbnail: string | null;
  categoryIds: string[];
  /** 'Title:Value' pairs, sorted. */
  optionValues: string[];
  /** Weight B text: category names, attribute values, option values. */
  keywords: string;
  /** Weight C text. */
  description: string;
  version: number;
  createdAt: string;
  publishedAt: string;
  /** Lowest variant price per currency (minor units). */
  prices: Array<{ currency: string; minAmount: number }>;
}

// Past this, more description adds index size and write time but hardly any recall.
const MAX_DESCRIPTION = 20_000;
const MAX_KEYWORDS = 5_000;

/** Maps a product event to the projection's row; pure, so the bulk loader can use it too. */
export function toProductRow(product: ProductDocument, categories: ProductChanged['categories']): ProductRow {
  const keywords = [
    ...categories.filter((c) => product.category_ids.includes(c.id)).map((c) => c.name),
    ...attributeValues(product.attributes),
    ...new Set(product.variants.flatMap((v) => Object.values(v.options))),
  ];
  return {
    id: product.id,
    handle: product.handle,
    title: product.title,
    thumbnail: product.images[0]?.url ?? null,
    categoryIds: [...new Set(product.category_ids)],
    optionValues: optionValues(product),
    keywords: keywords.join(' ').slice(0, MAX_KEYWORDS),
    description: product.description.slice(0, MAX_DESCRIPTION),
    version: product.version,
    createdAt: product.created_at,
    publishedAt: product.published_at ?? product.updated_at,
    prices: minPrices(product),
  };
}

/** Option values some variant actually has; the declared options when there are no variants. */
function optionValues(product: ProductDocument): string[] {
  const pairs =
    product.variants.length > 0
      ? product.variants.flatMap((v) => Object.entries(v.options))
      : product.options.flatMap((o) => o.values.map((value): [string, string] => [o.title, value]));
  return [...new Set(pairs.map(([title, value]) => `${title}:${value}`))].sort();
}

function minPrices(product: ProductDocument): ProductRow['prices'] {
  const min = new Map<string, number>();
  for (const price of product.variants.flatMap((v) => v.prices)) {
    if (!Number.isSafeInteger(price.amount) || price.amount < 0) continue;
    const currency = price.currency_code.toLowerCase();
    const known = min.get(currency);
    if (known === undefined || price.amount < known) min.set(currency, price.amount);
  }
  return [...min]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([currency, minAmount]) => ({ currency, minAmount }));
}

/** Searchable leaf values of free-form attributes (`{ brand: 'Oakridge', tags: ['wool'] }`). */
function attributeValues(value: unknown, depth = 0): string[] {
  if (typeof value === 'string') return [value];
  if (typeof value === 'number' && Number.isFinite(value)) return [String(value)];
  if (depth >= 3 || typeof value !== 'object' || value === null) return [];
  const children = Array.isArray(value) ? value : Object.values(value);
  return children.flatMap((child) => attributeValues(child, depth + 1));
}
