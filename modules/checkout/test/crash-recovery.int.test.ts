import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Database, openEmbeddedDatabase, openPostgresDatabase } from '@emporium/platform';
import {
  createTestDatabaseUrl,
  databaseKinds,
  type EmporiumProcess,
  runEmporium,
  startEmporium,
} from '@emporium/testkit';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CrashPoint } from '../src/index.ts';
import { seedStore } from './support/seed-store.ts';
import { cards, checkout, fetchHttp, readyCart, tokenize } from './support/shopper.ts';

const STOCK = 100;

/** Where the process dies, and what the shopper must find after the restart. */
const crashes: Array<[CrashPoint, 'placed' | 'interrupted']> = [
  ['reserved', 'interrupted'],
  ['authorizing', 'placed'],
  ['authorization_answered', 'placed'],
  ['placed', 'placed'],
];

// Real: the monolith as shipped (`emporium start`, every module) in a child process, killed with
// SIGKILL by its own test hook between saga steps, then started again on the same PostgreSQL
// database or PGlite data directory; the built-in test processor. Nothing faked.
describe.each(databaseKinds())('checkout survives a crash between saga steps on %s', (kind) => {
  let env: Record<string, string>;
  let cleanup: () => Promise<void>;
  let variantId: string;
  const logs: string[] = [];
  const sold = { units: 0 };

  const openDb = async (): Promise<Database> =>
    env.DATABASE_URL
      ? openPostgresDatabase({ url: env.DATABASE_URL, poolSize: 2 })
      : openEmbeddedDatabase({ dataDir: env.EMPORIUM_DATA_DIR ?? '' });

  const serve = async (extra: Record<string, string> = {}): Promise<EmporiumProcess> => {
    const server = await startEmporium({
      ...env,
      LOG_LEVEL: 'info',
      EMPORIUM_RATE_LIMITS: 'off',
      EMPORIUM_TEST_PROCESSOR_LATENCY_MS: '0',
      EMPORIUM_CHECKOUT_LEASE_MS: '1000',
      EMPORIUM_CHECKOUT_RECOVERY_INTERVAL_MS: '200',
      ...extra,
    });
    return server;
  };

  beforeAll(async () => {
    if (kind === 'postgres') {
      const made = await createTestDatabaseUrl();
      env = { DATABASE_URL: made.url, VAULT_KEK: randomBytes(32).toString('base64') };
      cleanup = made.drop;
    } else {
      const dir = mkdtempSync(join(tmpdir(), 'emporium-checkout-crash-'));
      env = { EMPORIUM_DATA_DIR: dir };
      cleanup = async () => rmSync(dir, { recursive: true, force: true });
    }
    const migrated = await runEmporium(['migrate'], env);
    expect(migrated.code, migrated.stderr).toBe(0);
    logs.push(migrated.stdout + migrated.stderr);
    const db = await openDb();
    try {
      variantId = (await seedStore(db, { stock: STOCK })).variantIds[0] ?? '';
    } finally {
      await db.close();
    }
  }, 120_000);
  afterAll(async () => cleanup?.());

  /** Every saga finished; each placed order has exactly one authorization; nothing else holds stock or money. */
  async function checkInvariants(): Promise<void> {
    const db = await openDb();
    try {
      const q = db.primary;
      const unfinished = await q
        .selectFrom('checkout.sagas')
        .select(['id', 'step', 'status'])
        .where('status', 'in', ['running', 'compensating'])
        .execute();
      expect(unfinished).toEqual([]);
      const sagas = await q.selectFrom('checkout.sagas').select(['status', 'order_id']).execute();
      for (const saga of sagas) {
        if (!saga.order_id) continue;
        const order = await q
          .selectFrom('orders.orders')
          .select('status')
          .where('id', '=', saga.order_id)
          .executeTakeFirstOrThrow();
        const intents = await q
          .selectFrom('payments.intents')
          .select('status')
          .where('reference', '=', saga.order_id)
          .execute();
        const held = intents.filter((i) => i.status === 'authorized' || i.status === 'captured');
        if (saga.status === 'completed') {
          expect(order.status).toBe('placed');
          expect(held).toHaveLength(1);
        } else {
          expect(order.status).toBe('canceled');
          expect(held).toEqual([]);
        }
      }
      const level = await q
        .selectFrom('inventory.stock_levels')
        .select(['on_hand', 'reserved'])
        .where('variant_id', '=', variantId)
        .executeTakeFirstOrThrow();
      // No stock leaked: sold units left on-hand stock, and no checkout's hold is left behind.
      expect(level).toEqual({ on_hand: STOCK - sold.units, reserved: 0 });
      const active = await q
        .selectFrom('inventory.reservations')
        .select('id')
        .where('status', '=', 'active')
        .where(
          sql<boolean>`exists (select 1 from inventory.reservation_lines l where l.reservation_id = id and l.held)`,
        )
        .execute();
      expect(active).toEqual([]);
    } finally {
      await db.close();
    }
  }

  it.each(crashes)(
    'killed at %s, restarted: the checkout ends %s',
    async (point, expected) => {
      const crashing = await serve({ EMPORIUM_CHECKOUT_CRASH_AT: point });
      const http = fetchHttp(crashing.baseUrl);
      const cart = await readyCart(http, variantId, 2);
      const body = { payment: { token: await tokenize(http) } };
      const key = randomUUID();
      const lost = await checkout(http, cart, key, body).then(
        (res) => `answered ${res.status}`,
        () => 'connection lost',
      );
      expect(lost).toBe('connection lost');
      expect(await crashing.exited).toBe('SIGKILL');
      logs.push(crashing.output());

      const server = await serve();
      try {
        const again = fetchHttp(server.baseUrl);
        // The shopper's retry with the same key gets the recovered outcome (waiting while it runs).
        let res = await checkout(again, cart, key, body);
        while (res.status === 409 && res.body?.code === 'checkout_in_progress')
          res = await checkout(again, cart, key, body);
        if (expected === 'placed') {
          expect(res.status, res.text).toBe(201);
          expect(res.body.order.status).toBe('placed');
          sold.units += 2;
        } else {
          expect(res.status, res.text).toBe(409);
          expect(res.body.code).toBe('checkout_interrupted');
          // Nothing was charged and the cart still checks out, with a new key.
          const retry = await checkout(again, cart, randomUUID(), {
            payment: { token: await tokenize(again) },
          });
          expect(retry.status, retry.text).toBe(201);
          sold.units += 2;
        }
      } finally {
        await server.stop();
        logs.push(server.output());
      }
      await checkInvariants();
    },
    120_000,
  );

  it('leaves no card number or CVC in any table, event or log', async () => {
    // A few more payments with every kind of test card, so each number went through the system.
    const server = await serve();
    try {
      const http = fetchHttp(server.baseUrl);
      for (const number of Object.values(cards)) {
        const cart = await readyCart(http, variantId, 1);
        const res = await checkout(http, cart, randomUUID(), {
          payment: { token: await tokenize(http, number) },
        });
        if (res.status === 201) sold.units += 1;
      }
    } finally {
      await server.stop();
      logs.push(server.output());
    }
    const db = await openDb();
    let dump = '';
    try {
      const tables = await sql<{ schema: string; name: string }>`
        select table_schema as schema, table_name as name from information_schema.tables
        where table_type = 'BASE TABLE' and table_schema not in ('pg_catalog', 'information_schema')`.execute(
        db.primary,
      );
      expect(tables.rows.map((t) => `${t.schema}.${t.name}`)).toEqual(
        expect.arrayContaining(['platform.outbox', 'checkout.sagas', 'payments.intents', 'vault.cards']),
      );
      for (const t of tables.rows) {
        const rows = await sql<{
          row: string;
        }>`select row_to_json(t)::text as row from ${sql.table(`${t.schema}.${t.name}`)} t`.execute(
          db.primary,
        );
        dump += rows.rows.map((r) => r.row).join('\n');
      }
    } finally {
      await db.close();
    }
    expect(dump.length).toBeGreaterThan(1000);
    const everything = `${dump}\n${logs.join('\n')}`;
    for (const number of Object.values(cards)) {
      expect(everything).not.toContain(number);
      expect(everything).not.toContain(number.replace(/(\d{4})(?=\d)/g, '$1 '));
    }
    expect(everything).not.toMatch(/"(cvc|cvv|cvv2|card_number|pan)"\s*:\s*"?\d/i);
    if (env.EMPORIUM_DATA_DIR) {
      // The database files themselves (pages, WAL): the vault's ciphertext is all that reached disk.
      const files = readdirSync(env.EMPORIUM_DATA_DIR, { recursive: true, withFileTypes: true })
        .filter((f) => f.isFile())
        .map((f) => join(f.parentPath, f.name));
      expect(files.length).toBeGreaterThan(10);
      for (const file of files) {
        const bytes = readFileSync(file);
        for (const number of Object.values(cards)) expect(bytes.includes(number), file).toBe(false);
      }
    }
    await checkInvariants();
  }, 180_000);
});
