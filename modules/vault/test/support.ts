import { ManualClock, migrate, platformMigrations } from '@emporium/platform';
import { type DatabaseKind, startTestPlatform, type TestPlatform } from '@emporium/testkit';
import { sql } from 'kysely';
import type { VaultTables } from '../src/db/tables.ts';
import {
  createTestAcquirer,
  createVaultModule,
  type KeyRing,
  memoryKeyRing,
  type VaultModule,
  vaultMigrations,
} from '../src/index.ts';

export const SHOP = 'https://shop.example.test';

export interface VaultPlatform {
  platform: TestPlatform;
  vault: VaultModule;
  keys: KeyRing;
  clock: ManualClock;
  tokenize(body: Record<string, unknown>): Promise<{ status: number; body: Record<string, unknown> }>;
  close(): Promise<void>;
}

/**
 * The vault mounted on the real HTTP app and a real database of `kind` (PGlite, or PostgreSQL),
 * with a keyring in memory (a fake secret store), the built-in test processor without latency (its
 * authorizations' CVCs recorded in `cvcsSeen`) and a ManualClock (2026-06-15).
 */
export async function startVault(
  kind: DatabaseKind,
  options: { cvcsSeen?: Array<string | undefined> } = {},
): Promise<VaultPlatform> {
  const clock = new ManualClock(Date.UTC(2026, 5, 15));
  const keys = memoryKeyRing();
  let vault: VaultModule | undefined;
  const platform = await startTestPlatform({
    database: kind,
    clock,
    compose: (ports) => {
      const processor = createTestAcquirer(ports.db.as<VaultTables>(), clock, 0);
      // The real test processor, watched: which CVC (if any) each authorization carried.
      const acquirer = {
        ...processor,
        authorize: (
          card: Parameters<typeof processor.authorize>[0],
          req: Parameters<typeof processor.authorize>[1],
        ) => {
          options.cvcsSeen?.push(card.cvc);
          return processor.authorize(card, req);
        },
      };
      vault = createVaultModule(ports, { keyRing: keys, allowedOrigins: [SHOP], acquirer });
      return [vault];
    },
  });
  await migrate(platform.ports.db, [platformMigrations, vaultMigrations]);
  if (!vault) throw new Error('vault not built');
  return {
    platform,
    vault,
    keys,
    clock,
    async tokenize(body) {
      const r = await platform.app.inject({ method: 'POST', url: '/vault/tokens', payload: body });
      return { status: r.statusCode, body: r.json() };
    },
    close: () => platform.close(),
  };
}

/** Every row of every table of the given schemas, as text (what a database dump would show). */
export async function dumpSchemas(
  platform: TestPlatform,
  schemas: readonly string[],
): Promise<Array<{ table: string; column: string; value: string }>> {
  const db = platform.ports.db.primary;
  const cols = await sql<{ table_schema: string; table_name: string; column_name: string }>`
    select table_schema, table_name, column_name from information_schema.columns
    where table_schema in (${sql.join(schemas)}) order by 1, 2, 3
  `.execute(db);
  const out: Array<{ table: string; column: string; value: string }> = [];
  for (const c of cols.rows) {
    const rows = await sql<{ v: string | null }>`
      select ${sql.ref(`${c.table_schema}.${c.table_name}.${c.column_name}`)}::text as v
      from ${sql.table(`${c.table_schema}.${c.table_name}`)}
    `.execute(db);
    for (const r of rows.rows) {
      if (r.v !== null)
        out.push({ table: `${c.table_schema}.${c.table_name}`, column: c.column_name, value: r.v });
    }
  }
  return out;
}
