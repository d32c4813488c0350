import type { CategoryChanged } from '@emporium/catalog/contract';
import { sql, type Transaction } from 'kysely';
import type { SearchTables } from '../tables.ts';
import type { ProjectionOutcome } from './apply-product-changed.ts';

/**
 * Applies one `catalog.category.changed.v1` inside the caller's transaction (under `handleOnce`).
 * Categories carry no version, so the event id (time-ordered) decides: an event older than the one
 * last applied to that category changes nothing. A move re-derives the ancestor lists of the
 * categories below it and of the products in them.
 */
export async function applyCategoryChanged(
  trx: Transaction<SearchTables>,
  event: CategoryChanged,
  eventId: string,
): Promise<ProjectionOutcome> {
  const { category } = event;
  const deleted = event.change === 'deleted';
  const applied = await trx
    .insertInto('search.categories')
    .values({
      id: category.id,
      handle: category.handle,
      name: category.name,
      parent_id: category.parent_id,
      rank: category.rank,
      path: deleted ? [] : [category.id],
      deleted,
      last_event_id: eventId,
    })
    .onConflict((oc) =>
      oc
        .column('id')
        .doUpdateSet((eb) => ({
          handle: eb.ref('excluded.handle'),
          name: eb.ref('excluded.name'),
          parent_id: eb.ref('excluded.parent_id'),
          rank: eb.ref('excluded.rank'),
          deleted: eb.ref('excluded.deleted'),
          last_event_id: eb.ref('excluded.last_event_id'),
        }))
        .where((eb) =>
          eb.or([
            eb('search.categories.last_event_id', 'is', null),
            eb('search.categories.last_event_id', '<', eb.ref('excluded.last_event_id')),
          ]),
        ),
    )
    .returning('id')
    .executeTakeFirst();
  if (!applied) return 'stale';

  const moved = await refreshCategoryPaths(trx);
  if (moved.length > 0) {
    const { rows } = await sql<{ id: string }>`
      update search.products p
      set category_path_ids = n.path,
        vector = ts_delete(p.vector, search.category_terms(p.category_path_ids))
          || array_to_tsvector(search.category_terms(n.path))
      from (
        select id, search.category_closure(category_ids) as path from search.products
        where category_path_ids && ${moved}::text[]
      ) n
      where p.id = n.id and p.category_path_ids is distinct from n.path
      returning p.id`.execute(trx);
    if (rows.length > 0) {
      await sql`select search.refresh_listings(${rows.map((r) => r.id).sort()}::text[])`.execute(trx);
    }
  }
  return deleted ? 'removed' : 'indexed';
}

/**
 * Re-derives every category's root-to-self path from parent ids (the tree is small) and returns
 * the ids whose path changed. A category whose parent is unknown or deleted counts as a root; one
 * caught in a cycle keeps its last path until the tree is repaired.
 */
async function refreshCategoryPaths(trx: Transaction<SearchTables>): Promise<string[]> {
  const changed = await sql<{ id: string }>`
    with recursive live as (
      select id, parent_id from search.categories where not deleted
    ), tree (id, path) as (
      select l.id, array[l.id] from live l
      where l.parent_id is null or not exists (select 1 from live p where p.id = l.parent_id)
      union all
      select l.id, t.path || l.id from live l join tree t on l.parent_id = t.id
      where cardinality(t.path) < 64
    ), wanted as (
      select c.id, coalesce(t.path, case when c.deleted then '{}'::text[] else c.path end) as path
      from search.categories c left join tree t on t.id = c.id
    )
    update search.categories c set path = w.path
    from wanted w
    where w.id = c.id and c.path is distinct from w.path
    returning c.id`.execute(trx);
  return changed.rows.map((r) => r.id).sort();
}
