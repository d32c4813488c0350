import type { Database } from '@emporium/platform';
import { type Kysely, sql } from 'kysely';
import type { SearchPort, SearchQuery, SearchResult, SearchSort } from './contract/search-port.ts';
import { invalidCursor } from './errors.ts';
import { allKnown, correctTerms } from './query/correct-terms.ts';
import { type CursorState, decodeCursor, encodeCursor } from './query/cursor.ts';
import { computeFacets } from './query/facets-sql.ts';
import { priceBounds } from './query/price-buckets.ts';
import { type Filters, type HitRow, type HitsQuery, hitsPlan, type Match } from './query/search-sql.ts';
import { tokenize, toTsQuery } from './query/text-query.ts';
import { validateQuery, withoutNul } from './query/validate-query.ts';

/**
 * The default search port: PostgreSQL full-text search over the `search` projection, with pg_trgm
 * for typos. Reads go to a replica when one is configured (the projection is eventually consistent
 * anyway). See the module README for ranking, typo tolerance, facets and cursors.
 */
export interface PostgresSearchOptions {
  /** Above this many products in the filtered set, facet counts are sampled estimates. Default 10,000. */
  exactFacetsLimit?: number;
}

export function createPostgresSearch(db: Database, options: PostgresSearchOptions = {}): SearchPort {
  return {
    async search(input) {
      validateQuery(input);
      const query = withoutNul(input);
      const cursor = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
      const conn = db.replica() as Kysely<unknown>;
      const { text, category } = await prepare(conn, query, cursor);
      const tokens = tokenize(text);
      const tsquery = toTsQuery(tokens);
      const sort = effectiveSort(query.sort, tsquery !== undefined);
      if (cursor && cursor.sort !== sort) throw invalidCursor();

      const filters: Filters = {
        currency: query.currency,
        ...(query.category === undefined ? {} : { categoryId: category?.id ?? query.category }),
        optionGroups: Object.entries(query.options ?? {}).map(([title, values]) =>
          values.map((v) => `${title}:${v}`),
        ),
        ...(query.priceMin === undefined ? {} : { priceMin: query.priceMin }),
        ...(query.priceMax === undefined ? {} : { priceMax: query.priceMax }),
      };
      const words = tokens.join(' ');
      let match: Match = !tsquery
        ? { kind: 'all' }
        : cursor?.mode === 'fuzzy'
          ? { kind: 'fuzzy', text: words }
          : { kind: 'fts', tsquery, text: words };
      let terms = cursor?.terms;
      const fetch = (m: Match) =>
        findPage(conn, {
          match: m,
          filters,
          sort,
          ...(cursor ? { after: { key: cursor.key, id: cursor.id } } : {}),
          limit: query.limit + 1,
        });

      let rows = await fetch(match);
      // Typo tolerance, on the first page only: later pages carry what the first one searched.
      if (rows.length === 0 && !cursor && match.kind === 'fts') {
        const corrected = await correctTerms(conn, tokens);
        const correctedQuery = corrected && toTsQuery(corrected);
        if (corrected && correctedQuery) {
          const retry = { kind: 'fts', tsquery: correctedQuery, text: corrected.join(' ') } as const;
          const found = await fetch(retry);
          if (found.length > 0) [match, rows, terms] = [retry, found, retry.text];
        }
        // Titles that look like the text (pg_trgm), unless every word is spelled as the catalog
        // spells it and they are simply never together: then that scan, the costliest query here
        // (~40 ms at 1M products for common words), cannot find anything better than nothing.
        if (rows.length === 0 && !(tokens.length > 1 && (await allKnown(conn, tokens)))) {
          const fuzzy = { kind: 'fuzzy', text: words } as const;
          const found = await fetch(fuzzy);
          if (found.length > 0) [match, rows] = [fuzzy, found];
        }
      }

      const page = rows.slice(0, query.limit);
      const last = page.at(-1);
      const next: CursorState | undefined =
        rows.length > query.limit && last
          ? {
              sort,
              key: last.k,
              id: last.id,
              ...(terms === undefined ? {} : { terms }),
              ...(match.kind === 'fuzzy' ? { mode: 'fuzzy' as const } : {}),
            }
          : undefined;
      const result: SearchResult = {
        hits: page.map((row) => toHit(row, query.currency)),
        nextCursor: next ? encodeCursor(next) : null,
        ...(terms === undefined ? {} : { didYouMean: terms }),
        ...(category ? { category } : {}),
      };
      if (query.facets) {
        const bounds = priceBounds(query.currency);
        result.facets = await computeFacets(conn, match, filters, bounds, options.exactFacetsLimit);
      }
      return result;
    },
  };
}

/** Runs the plan's statements until one fills the page; the last one's rows are final. */
async function findPage(conn: Kysely<unknown>, query: HitsQuery): Promise<HitRow[]> {
  const statements = hitsPlan(query);
  let rows: HitRow[] = [];
  for (const statement of statements) {
    rows = (await statement.execute(conn)).rows;
    if (rows.length >= query.limit) break;
  }
  return rows;
}

/** `relevance` needs text to rank by; without it the listing is newest first. */
function effectiveSort(requested: SearchSort | undefined, hasText: boolean): SearchSort {
  if (requested === undefined || requested === 'relevance') return hasText ? 'relevance' : 'newest';
  return requested;
}

interface Prepared {
  /** `q` normalised by the same function as the documents (or the cursor's corrected words). */
  text: string;
  category?: { id: string; handle: string; name: string };
}

/** One round trip for what the text and the category filter need from the database. */
async function prepare(conn: Kysely<unknown>, query: SearchQuery, cursor?: CursorState): Promise<Prepared> {
  const q = cursor?.terms ?? query.q ?? '';
  if (q.trim() === '' && query.category === undefined) return { text: '' };
  const { rows } = await sql<{ text: string; category: Prepared['category'] | null }>`
    select search.normalize(${q}) as text,
      (select json_build_object('id', id, 'handle', handle, 'name', name) from search.categories
        where not deleted and (id = ${query.category ?? null} or handle = ${query.category ?? null})
        order by id = ${query.category ?? null} desc
        limit 1) as category`.execute(conn);
  const row = rows[0];
  return { text: row?.text ?? '', ...(row?.category ? { category: row.category } : {}) };
}

function toHit(row: HitRow, currency: string) {
  return {
    id: row.id,
    handle: row.handle,
    title: row.title,
    price: { amount: row.min_amount, currency_code: currency },
    thumbnail: row.thumbnail,
    category_ids: row.category_ids,
  };
}
