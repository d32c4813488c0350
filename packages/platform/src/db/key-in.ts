import { type RawBuilder, sql } from 'kysely';

/**
 * `key` is one of `ids`, for a statement reading a batch by key: `= $1` for one id, `= any($1::text[])`
 * for several. The array form runs unnamed (see isBatch in prepared-statements.ts), planned for the
 * keys it has, so a batch is read by the key's index whatever its size and the tables' growth; the
 * lone form, what an idle shop sends, keeps its name and its generic plan, planned once a connection.
 *
 * @example
 * db.selectFrom('cart.carts as c').selectAll().where(keyIn(sql.ref('c.id'), ids))
 */
export function keyIn(key: RawBuilder<unknown>, ids: readonly string[]): RawBuilder<boolean> {
  const distinct = [...new Set(ids)];
  if (distinct.length === 0) throw new Error('keyIn needs at least one id');
  return distinct.length === 1
    ? sql<boolean>`${key} = ${distinct[0]}`
    : sql<boolean>`${key} = any(${distinct}::text[])`;
}
