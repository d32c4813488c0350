import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createTestDatabaseUrl, databaseKinds, openTestDatabase } from '@emporium/testkit';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../db/database.ts';
import { openPostgresDatabase } from '../db/open-database.ts';
import { MigrationError, migrate, migrationStatus } from './migrator.ts';

const run = promisify(execFile);
const fixtures = fileURLToPath(new URL('./fixtures', import.meta.url));

describe.each(databaseKinds())('migrations on %s', (kind) => {
  let db: Database;
  let dir: string;
  beforeEach(async () => {
    db = await openTestDatabase(kind);
    dir = mkdtempSync(join(tmpdir(), 'emporium-mig-'));
    cpSync(join(fixtures, 'shop'), dir, { recursive: true });
  });
  afterEach(async () => {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('applies pending files in order into the module schema, once', async () => {
    const first = await migrate(db, [{ module: 'shop', dir }]);
    expect(first.applied.map((m) => m.name)).toEqual(['0001_create_items.sql', '0002_seed_items.sql']);
    const again = await migrate(db, [{ module: 'shop', dir }]);
    expect(again.applied).toEqual([]);
    expect(again.alreadyApplied).toBe(2);
    const rows = await db.primary.selectFrom('shop.items').selectAll().execute();
    expect(rows).toEqual([{ id: 1, name: 'first' }]);
    const status = await migrationStatus(db, [{ module: 'shop', dir }]);
    expect(status.every((s) => s.appliedAt instanceof Date)).toBe(true);
  });

  it('stops with a message naming a file edited after it was applied', async () => {
    await migrate(db, [{ module: 'shop', dir }]);
    writeFileSync(join(dir, '0002_seed_items.sql'), "insert into shop.items values (2, 'edited');\n");
    await expect(migrate(db, [{ module: 'shop', dir }])).rejects.toThrow(
      new MigrationError(
        'migration shop/0002_seed_items.sql was changed after it was applied (checksum differs); add a new migration instead of editing it',
      ),
    );
  });

  it('stops when an applied file has gone', async () => {
    await migrate(db, [{ module: 'shop', dir }]);
    rmSync(join(dir, '0002_seed_items.sql'));
    await expect(migrate(db, [{ module: 'shop', dir }])).rejects.toThrow(/its file is gone/);
  });

  it('rolls back a failing file entirely and records nothing for it', async () => {
    writeFileSync(
      join(dir, '0003_broken.sql'),
      "insert into shop.items values (3, 'x');\nselect no_such_function();\n",
    );
    await expect(migrate(db, [{ module: 'shop', dir }])).rejects.toThrow();
    const rows = await db.primary.selectFrom('shop.items').select('id').execute();
    expect(rows).toEqual([{ id: 1 }]);
    const ledger = await sql<{
      n: number;
    }>`select count(*)::int as n from platform.schema_migrations where module = 'shop'`.execute(db.primary);
    expect(ledger.rows[0]?.n).toBe(2);
  });
});

describe('migration lock', () => {
  it('holds with three processes migrating one PostgreSQL database at once', async () => {
    const { url, drop } = await createTestDatabaseUrl();
    try {
      const child = join(fixtures, 'migrate-child.ts');
      const results = await Promise.all(
        [1, 2, 3].map(() => run(process.execPath, [child], { env: { ...process.env, DATABASE_URL: url } })),
      );
      const reports = results.map(
        (r) => JSON.parse(r.stdout) as { applied: unknown[]; alreadyApplied: number },
      );
      // Exactly one process applied the file; the others queued on the lock and found it done.
      expect(reports.map((r) => r.applied.length).sort()).toEqual([0, 0, 1]);
      const db = openPostgresDatabase({ url, poolSize: 1 });
      try {
        const runs = await sql<{ n: number }>`select count(*)::int as n from slow.runs`.execute(db.primary);
        expect(runs.rows[0]?.n).toBe(1);
      } finally {
        await db.close();
      }
    } finally {
      await drop();
    }
  });
});
