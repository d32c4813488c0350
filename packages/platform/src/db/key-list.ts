import { type RawBuilder, sql } from 'kysely';

/**
 * A list of text keys for `col = any(…)` in a batched statement, written so that PostgreSQL plans
 * the statement once per connection instead of at every call.
 *
 * With a plain `any($1::text[])`, a custom plan knows the array's length while the generic plan
 * guesses ten elements, so for the short lists of natural batching the custom plan always looks
 * cheaper and PostgreSQL keeps planning the statement afresh (0.2–0.7 ms a batched statement under
 * checkout load, ~1 ms an order in all). Read through `array(select unnest(…))`, the list is a
 * subquery's result, whose length neither plan can know: both guess ten, the generic plan costs
 * what a custom one would, and after its fifth execution PostgreSQL keeps it. The key column's
 * index still serves it (`= ANY` of an init plan's array is an index condition). PostgreSQL
 * replans a cached plan when a table's statistics change, so a plan made while a table was small
 * does not outlive its next ANALYZE.
 *
 * @example
 * sql`update vault.cards c set … where c.token = any(${keyList(tokens)})`
 */
export function keyList(keys: readonly string[]): RawBuilder<string[]> {
  return sql<string[]>`array(select unnest(${keys}::text[]))`;
}
