import { type RawBuilder, sql } from 'kysely';

/**
 * `key` is one of `ids`, for a statement reading a batch by key: `= $1` for one id, `= any($1::text[])`
 * for several. PostgreSQL connections plan every execution (see planEachExecution) with the array's
 * real length, so a batch is read by the key's index whatever its size; the lone form, what an idle
 * shop sends, is the cheaper of the two to plan, and the better generic plan where one is used.
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
