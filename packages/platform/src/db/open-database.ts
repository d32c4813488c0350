import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { btree_gin } from '@electric-sql/pglite/contrib/btree_gin';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { unaccent } from '@electric-sql/pglite/contrib/unaccent';
import { PostgresDialect } from 'kysely';
import pg from 'pg';
import { lockDataDir } from './data-dir-lock.ts';
import { createDatabase, type Database } from './database.ts';
import { PGliteDialect } from './pglite-dialect.ts';
import { usePreparedStatements } from './prepared-statements.ts';

/** int8 (count(*), sums) as a JavaScript number on both backends; numeric stays a string. */
const INT8 = 20;
const toNumber = (v: string): number => Number(v);

/** The extensions every module may rely on, present in both PGlite and PostgreSQL's contrib. */
const extensions = { pg_trgm, btree_gin, unaccent };

export interface EmbeddedOptions {
  /** Directory to persist in; the database lives in `<dataDir>/pg`. */
  dataDir?: string;
  /** Start from a dump made by `dumpEmbedded` instead (in memory; used by tests). */
  loadDataDir?: Blob;
  /** Told once when a new directory is initialised, which takes a few seconds. */
  onInitialise?: (dir: string) => void;
}

/**
 * Opens the embedded database. A persisted directory is locked against other processes first;
 * the lock is released on close.
 */
export async function openEmbeddedDatabase(
  options: EmbeddedOptions = {},
): Promise<Database & { pglite: PGlite }> {
  let release = (): void => {};
  let dataDir: string | undefined;
  if (options.dataDir) {
    release = lockDataDir(options.dataDir);
    dataDir = join(resolve(options.dataDir), 'pg');
    if (!existsSync(join(dataDir, 'PG_VERSION'))) options.onInitialise?.(dataDir);
  }
  try {
    const pglite = await PGlite.create({
      ...(dataDir ? { dataDir } : {}),
      ...(options.loadDataDir ? { loadDataDir: options.loadDataDir } : {}),
      extensions,
      parsers: { [INT8]: toNumber },
    });
    const db = createDatabase('pglite', new PGliteDialect(pglite), [], async () => release());
    return Object.assign(db, { pglite });
  } catch (err) {
    release();
    throw err;
  }
}

/** A copy of an embedded database as one blob (fast to load again: ~0.3 s against ~3 s for a fresh one). */
export function dumpEmbedded(db: { pglite: PGlite }): Promise<Blob> {
  return db.pglite.dumpDataDir('none') as Promise<Blob>;
}

export interface PostgresOptions {
  url: string;
  replicaUrls?: readonly string[];
  poolSize?: number;
  applicationName?: string;
}

export function openPostgresDatabase(options: PostgresOptions): Database {
  const types = {
    getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
      oid === INT8 ? toNumber : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
  };
  const pool = (url: string): pg.Pool => {
    const p = new pg.Pool({
      connectionString: url,
      max: options.poolSize ?? 10,
      // pg's default closes a connection idle for 10 s: between bursts the pool would close and
      // reopen connections, each new one a new PostgreSQL process preparing every statement again
      // (see usePreparedStatements). Five minutes keeps them through the lulls of a working day.
      idleTimeoutMillis: 5 * 60_000,
      // Idle connections alone do not keep a process alive (a command that forgot to close).
      allowExitOnIdle: true,
      application_name: options.applicationName ?? 'emporium',
      types,
    });
    // An idle client that loses its server emits here; without a listener it would crash the process.
    p.on('error', () => {});
    p.on('connect', usePreparedStatements);
    return p;
  };
  return createDatabase(
    'postgres',
    new PostgresDialect({ pool: pool(options.url) }),
    (options.replicaUrls ?? []).map((u) => new PostgresDialect({ pool: pool(u) })),
  );
}
