import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { openPostgresDatabase } from '@emporium/platform';
import pg from 'pg';
import { seedStore } from '../../modules/checkout/test/support/seed-store.ts';

const cli = fileURLToPath(new URL('../../apps/server/bin/emporium.js', import.meta.url));

/** The URL of database `name` on the server `admin` points at. */
export function databaseUrl(admin: string, name: string): string {
  const u = new URL(admin);
  u.pathname = `/${name}`;
  return u.toString();
}

/** Drops and creates database `name` (with per-database `settings`), and returns its URL. */
export async function freshDatabase(
  admin: string,
  name: string,
  settings: Record<string, string> = {},
): Promise<string> {
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  try {
    await client.query(`drop database if exists ${name} with (force)`);
    await client.query(`create database ${name}`);
    for (const [setting, value] of Object.entries(settings)) {
      await client.query(`alter database ${name} set ${setting} = '${value}'`);
    }
  } finally {
    await client.end();
  }
  return databaseUrl(admin, name);
}

/**
 * A fresh database to check out from: migrated by the shipped CLI, then `products` one-variant
 * products with `stock` units each and a US shipping option (the checkout tests' seedStore).
 */
export async function freshCheckoutStore(
  admin: string,
  name: string,
  options: { products: number; stock: number; settings?: Record<string, string> },
): Promise<{ url: string; variantIds: string[] }> {
  const url = await freshDatabase(admin, name, options.settings);
  execFileSync(process.execPath, [cli, 'migrate'], {
    env: { ...process.env, DATABASE_URL: url, LOG_LEVEL: 'warn' },
    stdio: 'inherit',
  });
  const db = openPostgresDatabase({ url, poolSize: 2 });
  try {
    const { variantIds } = await seedStore(db, { products: options.products, stock: options.stock });
    return { url, variantIds };
  } finally {
    await db.close();
  }
}

/** Gathers planner statistics for every table of the database at `url` (ANALYZE). */
export async function analyzeDatabase(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('analyze');
  } finally {
    await client.end();
  }
}
