import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { type Database, openEmbeddedDatabase, openPostgresDatabase } from '@emporium/platform';
import pg from 'pg';
import { inject } from 'vitest';
import { requireService } from './require-service.ts';
import { databaseUrl, serviceUrls } from './services.ts';

export type DatabaseKind = 'pglite' | 'postgres';

let template: Blob | undefined;

/**
 * A fresh, fully migrated database of the given kind, private to the caller. PGlite: loaded in
 * memory from the run's template dump. PostgreSQL: `CREATE DATABASE … TEMPLATE` the run's
 * migrated template; `close()` drops it.
 */
export async function openTestDatabase(kind: DatabaseKind): Promise<Database> {
  if (kind === 'pglite') {
    template ??= new Blob([readFileSync(inject('emporiumPgliteTemplate'))]);
    return openEmbeddedDatabase({ loadDataDir: template });
  }
  requireService('postgres');
  const source = inject('emporiumPostgresTemplate');
  if (!source) throw new Error('PostgreSQL was not reachable when the test run started.');
  const name = `emporium_test_${inject('emporiumRunId')}_${randomBytes(4).toString('hex')}`;
  await adminQuery(`create database ${name} template ${source}`);
  const db = openPostgresDatabase({ url: databaseUrl(name), poolSize: 5 });
  const close = db.close.bind(db);
  return Object.assign(db, {
    async close() {
      await close();
      await adminQuery(`drop database if exists ${name} with (force)`);
    },
  });
}

/** The URL of a fresh, migrated PostgreSQL database (for tests that start child processes). */
export async function createTestDatabaseUrl(): Promise<{ url: string; drop: () => Promise<void> }> {
  requireService('postgres');
  const name = `emporium_test_${inject('emporiumRunId')}_${randomBytes(4).toString('hex')}`;
  await adminQuery(`create database ${name}`);
  return { url: databaseUrl(name), drop: () => adminQuery(`drop database if exists ${name} with (force)`) };
}

async function adminQuery(text: string): Promise<void> {
  const client = new pg.Client({ connectionString: serviceUrls.postgres });
  await client.connect();
  try {
    // CREATE DATABASE … TEMPLATE fails while another session is connected to the template;
    // tests run in parallel, so retry briefly on that one error.
    for (let attempt = 0; ; attempt++) {
      try {
        await client.query(text);
        return;
      } catch (err) {
        const busy = (err as { code?: string }).code === '55006';
        if (!busy || attempt > 20) throw err;
        await new Promise((r) => setTimeout(r, 50 * (attempt + 1)));
      }
    }
  } finally {
    await client.end();
  }
}

/**
 * The database kinds a contract suite runs on: always PGlite, and PostgreSQL when it answers.
 * With CI=true a missing PostgreSQL is not skipped: the kind stays in the list and its tests fail.
 */
export function databaseKinds(): DatabaseKind[] {
  const reachable = inject('emporiumServices').postgres;
  return reachable || process.env.CI === 'true' ? ['pglite', 'postgres'] : ['pglite'];
}
