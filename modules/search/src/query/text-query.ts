// Bounds the work one search can ask of the index, whatever the shopper pastes in. Tokens are cut
// to the longest prefix the documents store (see search.prefixes), so a long word still matches.
const MAX_TOKENS = 8;
const MAX_TOKEN_LENGTH = 20;

/**
 * The words of a query already normalised by the database (`search.normalize`, the function that
 * built the documents): maximal runs of letters and digits. Everything else separates words, so
 * quotes, operators and SQL are plain separators here.
 */
export function tokenize(normalized: string): string[] {
  const words = normalized.match(/[\p{L}\p{N}]+/gu) ?? [];
  return words.slice(0, MAX_TOKENS).map((w) => [...w].slice(0, MAX_TOKEN_LENGTH).join(''));
}

/**
 * The text for `to_tsquery('simple', …)`: every token must match. Documents store the prefixes of
 * their title and keyword words, so a token matches as an exact lexeme both whole words and the
 * word being typed ("jack" finds "Jacket") and no `:*` prefix query (slow on common prefixes) is
 * needed. One-letter tokens are dropped beside longer ones (a prefix that short says little), and so
 * are repeats and prefixes of another token.
 * Tokens hold only letters and digits: nothing from the input can act as tsquery syntax.
 *
 * @returns undefined when there is nothing to search for.
 */
export function toTsQuery(tokens: readonly string[]): string | undefined {
  const safe = tokens.filter((t) => /^[\p{L}\p{N}]+$/u.test(t));
  const long = safe.filter((t) => [...t].length > 1);
  const used = long.length > 0 ? long : safe;
  // A word given twice, or a prefix of another word of the query ("boot boo" while typing), asks
  // nothing more of a document: the longer word's own prefixes are stored with it. Each extra term
  // is one more posting list to intersect (a common prefix is tens of thousands of rows at 1M).
  const needed = used.filter((t, i) => !used.some((u, j) => (u === t ? j < i : u.startsWith(t))));
  return needed.length > 0 ? needed.join(' & ') : undefined;
}
