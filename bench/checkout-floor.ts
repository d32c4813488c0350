// The checkout's floor on PostgreSQL (issue 4): how many checkouts a second PostgreSQL itself can
// take on this machine when nothing but the rows a checkout must write reaches it, against pgbench
// (TPC-B-like) in the same run. It answers whether the target (completed orders per second ≥ 25 %
// of pgbench's TPS) is within reach of any design that keeps what the issue asks a checkout to
// persist (the saga and its replayable answer, the pending then placed order with its history,
// the payment intent and attempt, the single-use token, the sale of the hold with its ledger,
// the cart's completion, the events in the same transaction, the confirmation email).
//
// `checkout-floor.sql` writes those rows on the shipped schema in five statements (one read, four
// writes each its own transaction), with no server, no HTTP and no event transport: what is left
// of a checkout's cost when the application costs nothing. With `--batches 1,8`, it runs once
// writing one checkout at a time and once writing eight shoppers' checkouts together in the same
// five statements (the cost a design that batches concurrent checkouts could reach). Every
// checkout's cart, hold and card token are seeded first; after each run, the placed orders, sold
// holds and stored emails are counted against pgbench's transactions, so a script that wrote
// nothing cannot pass for fast.
//
//   node bench/checkout-floor.ts [--duration 10] [--connections 32] [--batches 1,8]
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { type PgbenchResult, runPgbench, runPgbenchOn } from './lib/pgbench.ts';
import { freshCheckoutStore } from './lib/scratch-database.ts';

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '32' },
    admin: {
      type: 'string',
      default: process.env.BENCH_PG_ADMIN ?? 'postgres://postgres@127.0.0.1:5432/postgres',
    },
    pgbench: { type: 'string', default: '/usr/lib/postgresql/15/bin/pgbench' },
    // Checkouts seeded for each run: more than it can take (pgbench stops at the duration).
    carts: { type: 'string', default: '60000' },
    // Checkouts written together by each pgbench transaction, one run each.
    batches: { type: 'string', default: '1,8' },
  },
});
const seconds = Number(values.duration);
const connections = Number(values.connections);
const carts = Number(values.carts);
const batches = (values.batches ?? '1').split(',').map(Number);
const admin = values.admin ?? '';
const bin = values.pgbench ?? 'pgbench';
const script = fileURLToPath(new URL('./checkout-floor.sql', import.meta.url));
const root = fileURLToPath(new URL('..', import.meta.url));

/**
 * `count` checkouts ready to be written: cart `cart_f<n>` with one line (of the seeded variants in
 * turn), its active hold `res_f<n>` (counted in the stock level's `reserved`) and its single-use
 * card token `tok_f<n>` (no card data: the floor never reaches the vault's encryption).
 */
async function seedCheckouts(
  url: string,
  variantIds: readonly string[],
  count: number,
  batch: number,
): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`create sequence public.floor_n increment by ${batch}`);
    const option = await client.query<{ id: string }>('select id from shipping.options limit 1');
    const shippingOptionId = option.rows[0]?.id;
    if (!shippingOptionId) throw new Error('the seeded store has no shipping option');
    const seed = (text: string) => client.query(text, [count, variantIds]);
    await seed(`
      insert into cart.carts (id, secret_hash, currency_code, email, shipping_address, shipping_option_id,
        reservation_id, reservation_expires_at, created_at, updated_at)
      select 'cart_f' || g, repeat('h', 64), 'usd', 'bench@example.com',
        '{"first_name":"Ada","last_name":"Lovelace","line1":"12 Analytical Row","city":"Springfield","postal_code":"12345","region":"il","country_code":"us"}',
        '${shippingOptionId}', 'res_f' || g, now() + interval '1 hour', now(), now()
      from generate_series(1, $1::int) g where $2::text[] is not null`);
    await seed(`
      insert into cart.items (id, cart_id, variant_id, quantity, created_at)
      select 'cli_f' || g, 'cart_f' || g, ($2::text[])[1 + g % cardinality($2::text[])], 1, now()
      from generate_series(1, $1::int) g`);
    await seed(`
      insert into inventory.reservations (id, holder_id, status, expires_at, created_at)
      select 'res_f' || g, 'cart_f' || g, 'active', now() + interval '1 hour', now()
      from generate_series(1, $1::int) g where $2::text[] is not null`);
    await seed(`
      insert into inventory.reservation_lines (reservation_id, variant_id, quantity, expires_at)
      select 'res_f' || g, ($2::text[])[1 + g % cardinality($2::text[])], 1, now() + interval '1 hour'
      from generate_series(1, $1::int) g`);
    await seed(`
      update inventory.stock_levels s set reserved = s.reserved + h.units
      from (select variant_id, sum(quantity)::int as units from inventory.reservation_lines group by variant_id) h
      where s.variant_id = h.variant_id and $1::int > 0 and $2::text[] is not null`);
    await seed(`
      insert into vault.cards (token, fingerprint, brand, last4, exp_month, exp_year, pan_ciphertext,
        wrapped_key, key_id, status, created_at)
      select 'tok_f' || g, md5(g::text), 'visa', '4242', 12, 2030, 'not-a-card', 'not-a-key', 'floor', 'active', now()
      from generate_series(1, $1::int) g where $2::text[] is not null`);
    await client.query('vacuum analyze');
  } finally {
    await client.end();
  }
}

/** What the floor run wrote: placed orders, stored emails, sold stock. */
async function written(url: string): Promise<{ placed: number; emails: number; sold: number }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ placed: number; emails: number; sold: number }>(`
      select (select count(*)::int from orders.orders where status = 'placed') as placed,
             (select count(*)::int from notify.messages where kind = 'order.confirmation') as emails,
             (select count(*)::int from inventory.adjustments where kind = 'sale') as sold`);
    const row = rows[0];
    if (!row) throw new Error('no counts');
    return row;
  } finally {
    await client.end();
  }
}

const perCheckout = (r: PgbenchResult, batch: number) => (r.cpu.postgres * 1000) / (r.tps * batch);

interface FloorRun {
  batch: number;
  connections: number;
  result: PgbenchResult;
  checkouts: number;
}

/** One run of the floor script on a fresh store, `batch` checkouts a pgbench transaction. */
async function runFloor(batch: number): Promise<FloorRun> {
  const { url, variantIds } = await freshCheckoutStore(admin, 'emporium_bench_floor', {
    products: 50,
    stock: 1_000_000,
  });
  await seedCheckouts(url, variantIds, carts, batch);
  // The same checkouts in flight: a server batching its shoppers' checkouts sends each batch on
  // one connection (concurrent batches over shared stock rows would queue on each other's locks).
  const result = await runPgbenchOn(url, {
    bin,
    connections: Math.max(1, Math.round(connections / batch)),
    seconds,
    script,
    mode: 'prepared',
    variables: { k: String(batch) },
  });
  const checkouts = result.transactions * batch;
  const rows = await written(url);
  if (checkouts >= carts) throw new Error(`all ${carts} seeded checkouts were used: raise --carts`);
  if (rows.placed !== checkouts || rows.emails !== checkouts || rows.sold !== checkouts) {
    throw new Error(
      `the floor script did not write every checkout: ${checkouts} checkouts run, ${rows.placed} orders placed, ${rows.emails} emails, ${rows.sold} sales`,
    );
  }
  return { batch, connections: Math.max(1, Math.round(connections / batch)), result, checkouts };
}

const baseline = await runPgbench({ admin, bin, connections, seconds });
const runs: FloorRun[] = [];
for (const batch of batches) runs.push(await runFloor(batch));

const share = (checkoutsPerSecond: number) => `${((100 * checkoutsPerSecond) / baseline.tps).toFixed(1)} %`;
const report = [
  `# Checkout floor — ${new Date().toISOString()}`,
  '',
  `${connections} connections, ${seconds} s each, pgbench \`-j 2\`; PostgreSQL 15; pgbench and PostgreSQL on this machine, no Emporium server. \`node bench/checkout-floor.ts --duration ${seconds} --connections ${connections} --batches ${batches.join(',')}\`.`,
  '',
  '| workload | checkouts/s | share of pgbench | latency average | PostgreSQL CPU | PostgreSQL CPU a checkout | pgbench CPU |',
  '|---|---:|---:|---:|---:|---:|---:|',
  `| pgbench TPC-B-like (baseline, simple protocol), a transaction | ${baseline.tps.toFixed(0)} | 100 % | ${baseline.latencyMs} ms | ${baseline.cpu.postgres.toFixed(2)} cores | ${perCheckout(baseline, 1).toFixed(2)} ms | ${baseline.cpu.client.toFixed(2)} cores |`,
  ...runs.map(
    ({ batch, connections: used, result }) =>
      `| checkout floor (\`checkout-floor.sql\`, prepared), ${batch === 1 ? 'one checkout' : `${batch} checkouts`} a transaction, ${used} connections | ${(result.tps * batch).toFixed(0)} | ${share(result.tps * batch)} | ${result.latencyMs} ms | ${result.cpu.postgres.toFixed(2)} cores | ${perCheckout(result, batch).toFixed(2)} ms | ${result.cpu.client.toFixed(2)} cores |`,
  ),
  '',
  ...runs.map(
    ({ batch, checkouts }) =>
      `- ${batch} a transaction: every one of ${checkouts} checkouts placed its order, sold its hold and kept its confirmation email.`,
  ),
  "- The issue's target for the whole shop (server, HTTP, vault, events) is ≥ 25 % of pgbench's TPS, on the same cores.",
  '',
].join('\n');
console.log(report);
const file = `${root}bench/results/checkout-floor-${new Date().toISOString().slice(0, 10)}.md`;
writeFileSync(file, report);
console.log(`written to ${file}`);
