import type { SearchSort } from '../contract/search-port.ts';
import { invalidCursor } from '../errors.ts';

/** How the text matched: full-text (`fts`) or, as a last resort for typos, title trigrams (`fuzzy`). */
export type MatchMode = 'fts' | 'fuzzy';

/**
 * Where a page ended, in the order it was sorted by: the sort key of the last hit and its id (the
 * tie-breaker that makes the order total). Keys are numbers: minor units for prices, microseconds
 * since the epoch for `newest`, the score for `relevance`.
 */
export interface CursorState {
  sort: SearchSort;
  key: number;
  id: string;
  /** The words actually searched, when they differ from `q` (a typo was corrected). */
  terms?: string;
  mode?: MatchMode;
}

const SORTS: readonly string[] = ['relevance', 'price_asc', 'price_desc', 'newest'];
const MAX_CURSOR_LENGTH = 2000;

/** Opaque to clients: base64url of a small JSON document. */
export function encodeCursor(state: CursorState): string {
  const doc = {
    s: state.sort,
    k: state.key,
    i: state.id,
    ...(state.terms === undefined ? {} : { t: state.terms }),
    ...(state.mode === undefined ? {} : { m: state.mode }),
  };
  return Buffer.from(JSON.stringify(doc), 'utf8').toString('base64url');
}

/** Reads a cursor a client sent back; anything that did not come from `encodeCursor` is rejected. */
export function decodeCursor(raw: string): CursorState {
  if (raw.length > MAX_CURSOR_LENGTH || !/^[A-Za-z0-9_-]+$/.test(raw)) throw invalidCursor();
  let doc: unknown;
  try {
    doc = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    throw invalidCursor();
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw invalidCursor();
  const { s, k, i, t, m } = doc as Record<string, unknown>;
  if (typeof s !== 'string' || !SORTS.includes(s)) throw invalidCursor();
  const sort = s as SearchSort;
  if (typeof k !== 'number' || !(sort === 'relevance' ? Number.isFinite(k) : Number.isSafeInteger(k))) {
    throw invalidCursor();
  }
  if (typeof i !== 'string' || i.length === 0 || i.length > 100) throw invalidCursor();
  if (t !== undefined && (typeof t !== 'string' || t.length > 400)) throw invalidCursor();
  if (m !== undefined && m !== 'fts' && m !== 'fuzzy') throw invalidCursor();
  return {
    sort,
    key: k,
    id: i,
    ...(t === undefined ? {} : { terms: t }),
    ...(m === undefined ? {} : { mode: m }),
  };
}
