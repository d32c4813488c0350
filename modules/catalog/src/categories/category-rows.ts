import type { CategoryDocument } from '../contract/index.ts';
import type { Executor } from '../db/executor.ts';

const columns = ['id', 'handle', 'name', 'description', 'parent_id', 'rank'] as const;

export function selectCategories(db: Executor) {
  return db.selectFrom('catalog.categories').select(columns);
}

export async function loadCategory(db: Executor, id: string): Promise<CategoryDocument | undefined> {
  return selectCategories(db).where('id', '=', id).executeTakeFirst();
}

/** The whole tree, flat: roots first, then by parent, rank and id (stable for equal ranks). */
export function loadAllCategories(db: Executor): Promise<CategoryDocument[]> {
  return selectCategories(db)
    .orderBy('parent_id', (ob) => ob.asc().nullsFirst())
    .orderBy('rank')
    .orderBy('id')
    .execute();
}
