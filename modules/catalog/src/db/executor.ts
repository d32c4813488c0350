import type { Kysely, Transaction } from 'kysely';
import type { CatalogTables } from './tables.ts';

/** A root handle (reads) or a transaction (writes): queries that serve both take either. */
export type Executor = Kysely<CatalogTables> | Transaction<CatalogTables>;
