/** A vocabulary word near a query token, as the trigram index found it. */
export interface Candidate {
  token: string;
  word: string;
  /** pg_trgm similarity, 0–1. */
  similarity: number;
}

/**
 * Edit distance counting an adjacent swap as one edit (optimal string alignment), because the most
 * common typing slips are swaps ("jakcet", "shrit"), which trigram similarity alone scores poorly.
 */
export function editDistance(a: string, b: string): number {
  const s = [...a];
  const t = [...b];
  let before: number[] = [];
  let previous = Array.from({ length: t.length + 1 }, (_, j) => j);
  for (let i = 1; i <= s.length; i++) {
    const current = [i];
    for (let j = 1; j <= t.length; j++) {
      const cost = s[i - 1] === t[j - 1] ? 0 : 1;
      let best = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
      if (i > 1 && j > 1 && s[i - 1] === t[j - 2] && s[i - 2] === t[j - 1]) {
        best = Math.min(best, (before[j - 2] ?? 0) + 1);
      }
      current.push(best);
    }
    before = previous;
    previous = current;
  }
  return previous[t.length] ?? 0;
}

/** Tokens shorter than this are left alone: too many words are one edit away from them. */
export const MIN_CORRECTABLE_LENGTH = 3;

const allowedEdits = (token: string): number => ([...token].length <= 4 ? 1 : 2);

/**
 * The word to search instead of `token`, or undefined to keep it: kept when some vocabulary word
 * starts with it (it already matches as a prefix) or nothing is close enough; otherwise the
 * candidate with the fewest edits, then the highest trigram similarity, then the shortest.
 */
export function correctToken(token: string, candidates: readonly Candidate[]): string | undefined {
  if ([...token].length < MIN_CORRECTABLE_LENGTH || /^\p{N}+$/u.test(token)) return undefined;
  const mine = candidates.filter((c) => c.token === token);
  if (mine.some((c) => c.word.startsWith(token))) return undefined;
  const ranked = mine
    .map((c) => ({ ...c, edits: editDistance(token, c.word) }))
    .filter((c) => c.edits <= allowedEdits(token))
    .sort(
      (x, y) =>
        x.edits - y.edits ||
        y.similarity - x.similarity ||
        x.word.length - y.word.length ||
        (x.word < y.word ? -1 : 1),
    );
  return ranked[0]?.word;
}
