import { type Kysely, sql } from 'kysely';
import { type Candidate, correctToken, MIN_CORRECTABLE_LENGTH } from './typo.ts';

// Nearest vocabulary words per token by trigram distance (GiST KNN), re-ranked by edit distance.
const CANDIDATES_PER_TOKEN = 20;

/**
 * The tokens with typos corrected against the vocabulary (search.words), or undefined when nothing
 * changed. Only whole-word candidates made of letters and digits are used, so the corrected words
 * are as safe in a tsquery as the shopper's tokens.
 */
export async function correctTerms(
  conn: Kysely<unknown>,
  tokens: readonly string[],
): Promise<string[] | undefined> {
  const correctable = [
    ...new Set(tokens.filter((t) => [...t].length >= MIN_CORRECTABLE_LENGTH && !/^\p{N}+$/u.test(t))),
  ];
  if (correctable.length === 0) return undefined;
  const { rows } = await sql<Candidate>`
    select t.token, w.word, similarity(w.word, t.token) as similarity
    from unnest(${correctable}::text[]) as t(token)
    cross join lateral (
      select word from search.words order by word <-> t.token limit ${CANDIDATES_PER_TOKEN}
    ) w`.execute(conn);
  const usable = rows.filter((c) => /^[\p{L}\p{N}]+$/u.test(c.word));
  const corrected = tokens.map((t) => correctToken(t, usable) ?? t);
  return corrected.some((word, i) => word !== tokens[i]) ? corrected : undefined;
}

/**
 * True when every token is a word of the vocabulary or the start of one: spelled as the catalog
 * spells it, so a search with all of them that found nothing means no product has them together,
 * and a trigram look-alike search (tens of thousands of titles at 1M products) would not help.
 */
export async function allKnown(conn: Kysely<unknown>, tokens: readonly string[]): Promise<boolean> {
  const distinct = [...new Set(tokens)];
  if (distinct.length === 0) return false;
  const { rows } = await sql<{ known: number }>`
    select count(*)::int as known from unnest(${distinct}::text[]) as t(token)
    where exists (select 1 from search.words w where starts_with(w.word, t.token))`.execute(conn);
  return (rows[0]?.known ?? 0) === distinct.length;
}
