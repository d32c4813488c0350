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
