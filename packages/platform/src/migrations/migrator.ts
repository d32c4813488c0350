import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Kysely, sql } from 'kysely';
import type { AnyTables, Database } from '../db/database.ts';

/** One module's migrations: forward-only SQL files in `dir`, applied in name order. */
export interface MigrationSource {
  /** The module name; also the Postgres schema it owns (created before its first migration). */
  module: string;
  dir: string;
}

export interface MigrationFile {
  module: string;
  name: string;
  sql: string;
  checksum: string;
}

export interface MigrationReport {
  applied: Array<{ module: string; name: string }>;
  alreadyApplied: number;
}

/** A migration problem a person must fix (an edited or missing file); the CLI prints it as is. */
export class MigrationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MigrationError';
  }
}

const FILE = /^\d{4,14}_[a-z0-9_]+\.sql$/;
const SCHEMA = /^[a-z][a-z0-9_]{0,62}$/;
/** Key of the advisory lock every migrating process queues on ('emporium' in ASCII, as int8). */
const LOCK_KEY = 0x656d706f7269756dn;

export function readMigrations(source: MigrationSource): MigrationFile[] {
  if (!SCHEMA.test(source.module))
    throw new MigrationError(`module name "${source.module}" is not a valid schema name`);
  const names = readdirSync(source.dir)
    .filter((f) => f.endsWith('.sql'))
    .sort();
  return names.map((name) => {
    if (!FILE.test(name)) {
      throw new MigrationError(`${source.dir}/${name}: migration files are named NNNN_snake_case.sql`);
    }
    const text = readFileSync(join(source.dir, name), 'utf8').replace(/\r\n/g, '\n');
    return {
      module: source.module,
      name,
      sql: text,
      checksum: createHash('sha256').update(text).digest('hex'),
    };
  });
}

async function ensureLedger(conn: Kysely<AnyTables>): Promise<void> {
  await sql`create schema if not exists platform`.execute(conn);
  await sql`create table if not exists platform.schema_migrations (
      module text not null,
      name text not null,
      checksum text not null,
      applied_at timestamptz not null default now(),
      primary key (module, name)
    )`.execute(conn);
}

/**
 * Applies every pending migration of `sources`, in the order given (platform first, then modules
 * in dependency order), each file in its own transaction together with its ledger row.
 *
 * Several processes may call this at once: they queue on one session-level advisory lock, and
 * whoever comes second finds the work done. A file edited after it was applied, or an applied
 * file that has gone, stops everything with a message naming it (migrations are forward-only).
 */
export async function migrate(db: Database, sources: readonly MigrationSource[]): Promise<MigrationReport> {
  const files = sources.flatMap(readMigrations);
  return db.withConnection(async (conn) => {
    await sql`select pg_advisory_lock(${LOCK_KEY.toString()}::int8)`.execute(conn);
    try {
      await ensureLedger(conn);
      const done = await conn
        .selectFrom('platform.schema_migrations')
        .select(['module', 'name', 'checksum'])
        .execute();
      const applied = new Map(done.map((r) => [`${r.module}/${r.name}`, r.checksum as string]));
      const known = new Set(files.map((f) => `${f.module}/${f.name}`));
      const modules = new Set(sources.map((s) => s.module));
      for (const r of done) {
        if (modules.has(r.module) && !known.has(`${r.module}/${r.name}`)) {
          throw new MigrationError(
            `migration ${r.module}/${r.name} was applied to this database but its file is gone; migrations are forward-only, restore the file`,
          );
        }
      }
      const report: MigrationReport = { applied: [], alreadyApplied: 0 };
      for (const f of files) {
        const key = `${f.module}/${f.name}`;
        const previous = applied.get(key);
        if (previous !== undefined) {
          if (previous !== f.checksum) {
            throw new MigrationError(
              `migration ${key} was changed after it was applied (checksum differs); add a new migration instead of editing it`,
            );
          }
          report.alreadyApplied++;
          continue;
        }
        await conn.transaction().execute(async (trx) => {
          await sql.raw(`create schema if not exists ${f.module}`).execute(trx);
          await sql.raw(f.sql).execute(trx);
          await trx
            .insertInto('platform.schema_migrations')
            .values({ module: f.module, name: f.name, checksum: f.checksum })
            .execute();
        });
        report.applied.push({ module: f.module, name: f.name });
      }
      return report;
    } finally {
      await sql`select pg_advisory_unlock(${LOCK_KEY.toString()}::int8)`.execute(conn);
    }
  });
}

/** Applied and pending migrations, for `emporium migrate --status`. */
export async function migrationStatus(
  db: Database,
  sources: readonly MigrationSource[],
): Promise<Array<{ module: string; name: string; appliedAt: Date | null }>> {
  const files = sources.flatMap(readMigrations);
  const exists = await sql<{
    t: string | null;
  }>`select to_regclass('platform.schema_migrations')::text as t`.execute(db.primary);
  const rows = exists.rows[0]?.t
    ? await db.primary
        .selectFrom('platform.schema_migrations')
        .select(['module', 'name', 'applied_at'])
        .execute()
    : [];
  const at = new Map(rows.map((r) => [`${r.module}/${r.name}`, r.applied_at as Date]));
  return files.map((f) => ({
    module: f.module,
    name: f.name,
    appliedAt: at.get(`${f.module}/${f.name}`) ?? null,
  }));
}
