import { type RawBuilder, sql } from 'kysely';
import type { SearchSort } from '../contract/search-port.ts';

/** How products are matched against the text. */
export type Match =
  | { kind: 'all' }
  /** Full text: `tsquery` from `toTsQuery`, `text` the normalised words (title boost). */
  | { kind: 'fts'; tsquery: string; text: string }
  /** Typo fallback: trigram word similarity against the normalised title. */
  | { kind: 'fuzzy'; text: string };

export interface Filters {
  currency: string;
  categoryId?: string;
  /** Each group is one option title's accepted 'Title:Value' pairs: any within, all groups. */
  optionGroups: readonly (readonly string[])[];
  priceMin?: number;
  priceMax?: number;
}

export interface HitsQuery {
  match: Match;
  filters: Filters;
  sort: SearchSort;
  after?: { key: number; id: string };
  /** Rows to fetch (the page size plus one, to know whether there is a next page). */
  limit: number;
}

export interface HitRow {
  id: string;
  handle: string;
  title: string;
  thumbnail: string | null;
  category_ids: string[];
  min_amount: number;
  /** The sort key (see CursorState). */
  k: number;
}

/**
 * Relevance ranks at most this many matches: the first ones the index scan yields, not a sorted
 * selection. Ranking reads every candidate's row, so an unbounded ranking would cost in proportion
 * to how common the words are (a word in 5% of 1M products is 50,000 rows); with the cap a search
 * costs about the same on 10k and on 1M products. A query matching more is broad enough that the
 * best of 300 is a good first page; to walk every match, sort by newest or price.
 */
export const RELEVANCE_CANDIDATES = 300;

/**
 * How many listing rows, in sort order, a price or date sort with text or option filters examines
 * before giving up on finding its page that way and reading every match instead.
 */
export const SORTED_WALK = 2000;

// ts_rank_cd weights for D, C, B, A: a title word is worth ten description words.
const RANK_WEIGHTS = sql.raw(`'{0.05,0.1,0.4,1.0}'::float4[]`);
// How much a title close to the whole query (pg_trgm similarity, 0–1) adds to the rank.
const TITLE_BOOST = sql.raw('0.5');

const where = (conditions: readonly RawBuilder<unknown>[]) =>
  conditions.length > 0 ? sql`where ${sql.join(conditions, sql` and `)}` : sql``;

/** The category's lexeme (see search.category_terms) as tsquery input, quoted and escaped. */
function categoryTerm(categoryId: string): string {
  return `'_c:${categoryId.replaceAll('\\', '\\\\').replaceAll("'", "''")}'`;
}

const price = (currency: string) => sql`(p.prices ->> ${currency})::bigint`;

/**
 * Conditions on the product row `p`: listed in the currency, the price range, the options, and
 * text and category in one tsquery (one GIN scan). `withCategory: false` when a listing join
 * already restricts the category.
 */
export function productConditions(
  match: Match,
  filters: Filters,
  withCategory = true,
): RawBuilder<unknown>[] {
  const conditions: RawBuilder<unknown>[] = [sql`p.prices ? ${filters.currency}`];
  const category =
    withCategory && filters.categoryId !== undefined ? categoryTerm(filters.categoryId) : undefined;
  if (match.kind === 'fts') {
    const text = sql`to_tsquery('simple', ${match.tsquery})`;
    conditions.push(category ? sql`p.vector @@ (${text} && ${category}::tsquery)` : sql`p.vector @@ ${text}`);
  } else if (category) {
    conditions.push(sql`p.vector @@ ${category}::tsquery`);
  }
  if (match.kind === 'fuzzy') conditions.push(sql`${match.text} <% p.title_norm`);
  for (const group of filters.optionGroups) conditions.push(sql`p.option_values && ${group}::text[]`);
  if (filters.priceMin !== undefined) conditions.push(sql`${price(filters.currency)} >= ${filters.priceMin}`);
  if (filters.priceMax !== undefined) conditions.push(sql`${price(filters.currency)} <= ${filters.priceMax}`);
  return conditions;
}

/**
 * The statements that find one page (plus one row), to run in order until one fills the page;
 * the last one's answer is final. Most queries need one statement; see SORTED_WALK for the others.
 */
export function hitsPlan(query: HitsQuery): RawBuilder<HitRow>[] {
  if (query.sort === 'relevance') return [relevanceSql(query)];
  const filtered = query.match.kind !== 'all' || query.filters.optionGroups.length > 0;
  return filtered ? [sortedWalkSql(query), sortedMatchesSql(query)] : [sortedListingSql(query)];
}

function relevanceSql({ match, filters, after, limit }: HitsQuery): RawBuilder<HitRow> {
  const score =
    match.kind === 'fts'
      ? sql`ts_rank_cd(${RANK_WEIGHTS}, p.vector, to_tsquery('simple', ${match.tsquery}))
          + ${TITLE_BOOST} * similarity(p.title_norm, ${match.text})`
      : match.kind === 'fuzzy'
        ? sql`word_similarity(${match.text}, p.title_norm)`
        : sql`0`;
  const position = after ? sql`where (c.k, c.id) < (${after.key}::float8, ${after.id})` : sql``;
  return sql<HitRow>`
    select c.* from (
      select p.id, p.handle, p.title, p.thumbnail, p.category_ids, ${price(filters.currency)} as min_amount,
        (${score})::float8 as k
      from search.products p
      ${where(productConditions(match, filters))}
      limit ${RELEVANCE_CANDIDATES}
    ) c
    ${position}
    order by c.k desc, c.id desc
    limit ${limit}`;
}

type ListingSort = Exclude<SearchSort, 'relevance'>;

/** Sort key, order and cursor position of a price or date sort over rows `r` (amount, date, id columns). */
function sortOrder(
  sort: ListingSort,
  after: HitsQuery['after'],
  r: { amount: string; date: string; id: string },
) {
  const [amount, date, id] = [sql.raw(r.amount), sql.raw(r.date), sql.raw(r.id)];
  if (sort === 'newest') {
    return {
      key: sql`(extract(epoch from ${date}) * 1000000)::bigint`,
      order: sql`${date} desc, ${id} desc`,
      position: after
        ? [
            sql`(${date}, ${id}) < (timestamptz 'epoch' + ${after.key}::float8 * interval '1 microsecond', ${after.id})`,
          ]
        : [],
    };
  }
  const ascending = sort === 'price_asc';
  return {
    key: amount,
    order: ascending ? sql`${amount}, ${id}` : sql`${amount} desc, ${id} desc`,
    position: after
      ? [
          ascending
            ? sql`(${amount}, ${id}) > (${after.key}::bigint, ${after.id})`
            : sql`(${amount}, ${id}) < (${after.key}::bigint, ${after.id})`,
        ]
      : [],
  };
}

const asListingSort = (sort: SearchSort): ListingSort => (sort === 'relevance' ? 'newest' : sort);
const LISTING = { amount: 'l.min_amount', date: 'l.published_at', id: 'l.product_id' };

/** The listing rows `l` of the query's category (or the whole catalogue), currency and price range. */
function listingConditions(filters: Filters): RawBuilder<unknown>[] {
  return [
    sql`l.category_id = ${filters.categoryId ?? ''}`,
    sql`l.currency = ${filters.currency}`,
    ...(filters.priceMin === undefined ? [] : [sql`l.min_amount >= ${filters.priceMin}`]),
    ...(filters.priceMax === undefined ? [] : [sql`l.min_amount <= ${filters.priceMax}`]),
  ];
}

/** No text, no options: one range scan of a listing index, then the page's product rows. */
function sortedListingSql({ filters, sort, after, limit }: HitsQuery): RawBuilder<HitRow> {
  const { key, order, position } = sortOrder(asListingSort(sort), after, LISTING);
  return sql<HitRow>`
    select p.id, p.handle, p.title, p.thumbnail, p.category_ids, l.min_amount, ${key} as k
    from search.listings l
    join search.products p on p.id = l.product_id
    ${where([...listingConditions(filters), ...position])}
    order by ${order}
    limit ${limit}`;
}

/** The next SORTED_WALK listing rows in sort order, kept when their product matches. */
function sortedWalkSql({ match, filters, sort, after, limit }: HitsQuery): RawBuilder<HitRow> {
  const { key, order, position } = sortOrder(asListingSort(sort), after, LISTING);
  return sql<HitRow>`
    select p.id, p.handle, p.title, p.thumbnail, p.category_ids, l.min_amount, ${key} as k
    from (
      select l.* from search.listings l
      ${where([...listingConditions(filters), ...position])}
      order by ${order}
      limit ${SORTED_WALK}
    ) l
    join search.products p on p.id = l.product_id
    ${where(productConditions(match, { ...filters, priceMin: undefined, priceMax: undefined }, false))}
    order by ${order}
    limit ${limit}`;
}

/**
 * Every matching product first (the CTE keeps the planner from walking a sort order instead,
 * which is ruinous when the matches sit far down that order), then sorted. Costs in proportion to
 * the number of matches; the walk above spares it whenever matches are common enough.
 */
function sortedMatchesSql({ match, filters, sort, after, limit }: HitsQuery): RawBuilder<HitRow> {
  const { key, order, position } = sortOrder(asListingSort(sort), after, {
    amount: 'm.min_amount',
    date: 'm.published_at',
    id: 'm.id',
  });
  return sql<HitRow>`
    with m as materialized (
      select p.id, p.handle, p.title, p.thumbnail, p.category_ids, p.published_at,
        ${price(filters.currency)} as min_amount
      from search.products p
      ${where(productConditions(match, filters))}
    )
    select m.id, m.handle, m.title, m.thumbnail, m.category_ids, m.min_amount, ${key} as k
    from m
    ${where(position)}
    order by ${order}
    limit ${limit}`;
}
