import { type Kysely, type RawBuilder, sql } from 'kysely';
import type { SearchFacets } from '../contract/search-port.ts';
import { bucketRange } from './price-buckets.ts';
import { type Filters, type Match, productConditions } from './search-sql.ts';

export interface FacetRow {
  /** c = category, o = option value, p = price bucket. */
  kind: 'c' | 'o' | 'p';
  key: string;
  name: string | null;
  parent_id: string | null;
  n: number;
}

// Facets list the most frequent entries; a storefront shows a handful per group.
const MAX_CATEGORIES = 100;
const MAX_OPTION_VALUES = 200;
/**
 * Up to this many products in the filtered set, counts are exact. Above it, counting every product
 * would cost in proportion to the set (seconds for a million), so the counts are estimated from a
 * random sample of about this many catalogue rows (TABLESAMPLE, fixed seed so they are stable).
 */
export const EXACT_FACETS_LIMIT = 10_000;

/**
 * Facet counts over the whole filtered set (not only the page). Counts are conjunctive: they
 * reflect every filter applied, including filters on the same facet.
 */
export async function computeFacets(
  conn: Kysely<unknown>,
  match: Match,
  filters: Filters,
  bounds: readonly number[],
  exactLimit = EXACT_FACETS_LIMIT,
): Promise<SearchFacets> {
  const { rows } = await sql<{ n: number; total: number }>`
    select
      (select count(*) from (select 1 ${filteredSet(match, filters, sql``)} limit ${exactLimit + 1}) s)::int as n,
      (select reltuples from pg_class where oid = 'search.products'::regclass)::float8 as total`.execute(
    conn,
  );
  const { n = 0, total = 0 } = rows[0] ?? {};
  if (n <= exactLimit || total <= exactLimit) {
    return toFacets((await facetsSql(match, filters, bounds, sql``).execute(conn)).rows, bounds, 1);
  }
  const percent = Math.min(100, (100 * exactLimit) / total);
  const sample = sql`tablesample system (${sql.lit(Number(percent.toFixed(4)))}) repeatable (0)`;
  const sampled = (await facetsSql(match, filters, bounds, sample).execute(conn)).rows;
  return { ...toFacets(sampled, bounds, 100 / percent), approximate: true };
}

function filteredSet(match: Match, filters: Filters, sample: RawBuilder<unknown>): RawBuilder<unknown> {
  return sql`
    from search.products p ${sample}
    where ${sql.join(productConditions(match, filters), sql` and `)}`;
}

/** The set read once into a CTE, then grouped three ways, in one statement. */
function facetsSql(
  match: Match,
  filters: Filters,
  bounds: readonly number[],
  sample: RawBuilder<unknown>,
): RawBuilder<FacetRow> {
  return sql<FacetRow>`
    with f as materialized (
      select p.category_path_ids, p.option_values, (p.prices ->> ${filters.currency})::bigint as min_amount
      ${filteredSet(match, filters, sample)}
    )
    (select 'c' as kind, x.key, c.name, c.parent_id, count(*)::int as n
      from f cross join lateral unnest(f.category_path_ids) as x(key)
      join search.categories c on c.id = x.key and not c.deleted
      group by x.key, c.name, c.parent_id
      order by n desc, x.key
      limit ${MAX_CATEGORIES})
    union all
    (select 'o', x.key, null, null, count(*)::int as n
      from f cross join lateral unnest(f.option_values) as x(key)
      group by x.key
      order by n desc, x.key
      limit ${MAX_OPTION_VALUES})
    union all
    (select 'p', width_bucket(f.min_amount, ${bounds}::bigint[])::text, null, null, count(*)::int
      from f
      group by 2)`;
}

/** Shapes the rows into the port's facets (counts scaled by `scale` for a sample). */
export function toFacets(rows: readonly FacetRow[], bounds: readonly number[], scale: number): SearchFacets {
  const count = (n: number) => Math.round(n * scale);
  const options = new Map<string, Array<{ value: string; count: number }>>();
  for (const row of rows.filter((r) => r.kind === 'o')) {
    const colon = row.key.indexOf(':');
    const title = row.key.slice(0, colon);
    const values = options.get(title) ?? [];
    values.push({ value: row.key.slice(colon + 1), count: count(row.n) });
    options.set(title, values);
  }
  return {
    categories: rows
      .filter((r) => r.kind === 'c')
      .map((r) => ({ id: r.key, name: r.name ?? r.key, parent_id: r.parent_id, count: count(r.n) })),
    options: [...options]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([title, values]) => ({ title, values })),
    price_ranges: rows
      .filter((r) => r.kind === 'p')
      .map((r) => ({ bucket: Number(r.key), count: count(r.n) }))
      .sort((a, b) => a.bucket - b.bucket)
      .map(({ bucket, count }) => ({ ...bucketRange(bounds, bucket), count })),
  };
}
