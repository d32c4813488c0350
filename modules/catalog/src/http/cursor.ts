import { invalidRequest } from '../errors.ts';

/**
 * Keyset cursors: the last row's sort key, opaque to clients (base64url of JSON) so the key can
 * grow later without breaking them. A page never counts rows, so a deep page costs what page 1 does.
 */
export function encodeCursor(lastId: string): string {
  return Buffer.from(JSON.stringify({ after: lastId })).toString('base64url');
}

export function decodeCursor(cursor: string | undefined): string | undefined {
  if (cursor === undefined) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    const after = (value as { after?: unknown } | null)?.after;
    if (typeof after === 'string' && after.length > 0 && after.length <= 64) return after;
  } catch {
    // falls through to the 400 below
  }
  throw invalidRequest('/cursor', 'is not a cursor from a previous page of this list');
}

/** `{ data, next_cursor }` from `limit + 1` rows: the extra row only says there is a next page. */
export function toPage<T extends { id: string }>(
  rows: readonly T[],
  limit: number,
): { data: T[]; next_cursor: string | null } {
  const data = rows.slice(0, limit);
  const last = data[data.length - 1];
  return { data, next_cursor: rows.length > limit && last ? encodeCursor(last.id) : null };
}
