import { type RawBuilder, sql } from 'kysely';

/**
 * `key` is one of `ids`, for a statement reading a batch by key: `= $1` for one id, `= any($1::text[])`
 * for several. A prepared statement's generic plan guesses ten elements for an array parameter, so
 * PostgreSQL keeps making a custom plan of the array form at every call (it looks cheaper); the lone
 * form runs its generic plan, planned once a connection, and a lone read is what an idle shop makes.
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
