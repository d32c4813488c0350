import { randomInt } from 'node:crypto';
import type { Transaction } from 'kysely';
import type { CatalogTables } from '../db/tables.ts';
import { handleCandidates } from './slug.ts';

type Trx = Transaction<CatalogTables>;

type HandleTable = 'catalog.products' | 'catalog.categories' | 'catalog.collections';

/** True when no row of `table` has `handle` (other than `exceptId`). */
export async function isHandleFree(
  trx: Trx,
  table: HandleTable,
  handle: string,
  exceptId?: string,
): Promise<boolean> {
  let query = trx.selectFrom(table).select('id').where('handle', '=', handle);
  if (exceptId !== undefined) query = query.where('id', '<>', exceptId);
  return (await query.executeTakeFirst()) === undefined;
}

/**
 * A free handle derived from `base`: `base`, else `base-2` … `base-10`, else `base-<random>`.
 * A concurrent writer may still take it first; the unique constraint catches that and the caller
 * tries again.
 */
export async function freeHandle(trx: Trx, table: HandleTable, base: string): Promise<string> {
  const candidates = handleCandidates(base);
  const taken = await trx.selectFrom(table).select('handle').where('handle', 'in', candidates).execute();
  const used = new Set(taken.map((r) => r.handle));
  const free = candidates.find((c) => !used.has(c));
  return free ?? `${base}-${randomInt(36 ** 5, 36 ** 6).toString(36)}`;
}
