// What one statement costs this machine, for reading the checkout benchmark: the CPU a single-row
// prepared statement takes in this process and in PostgreSQL, with 32 callers at once (as the
// checkout benchmark's shoppers), through the project's own database layer (Kysely, the pool,
// named statements) and through a bare node-postgres pool; and pgbench's TPC-B-like rate in the
// same run. From those it prints how many such statements a checkout may send in all (its
// request, its events, its emails) if completed orders are to reach 25 % of pgbench's rate with
// both cores spent on nothing else: the budget the checkout's statement count is measured against.
//
//   node bench/round-trip.ts [--duration 6] [--connections 32]
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { openPostgresDatabase } from '@emporium/platform';
import { sql } from 'kysely';
import pg from 'pg';
import { cpuWindow } from './lib/cpu-usage.ts';
import { runPgbench } from './lib/pgbench.ts';
import { freshDatabase } from './lib/scratch-database.ts';

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '6' },
    connections: { type: 'string', default: '32' },
    admin: {
      type: 'string',
      default: process.env.BENCH_PG_ADMIN ?? 'postgres://postgres@127.0.0.1:5432/postgres',
    },
    pgbench: { type: 'string', default: '/usr/lib/postgresql/15/bin/pgbench' },
  },
});
const seconds = Number(values.duration);
const callers = Number(values.connections);
const admin = values.admin ?? '';
const root = fileURLToPath(new URL('..', import.meta.url));

interface Cost {
  name: string;
  perSecond: number;
  /** CPU per statement, µs: this process, and every PostgreSQL process together. */
  nodeUs: number;
  postgresUs: number;
}

/** Runs `statement` from `callers` loops for `seconds` (after a one-second warm-up) and measures it. */
async function measure(name: string, statement: (i: number) => Promise<unknown>): Promise<Cost> {
  let stop = false;
  let count = 0;
  const loop = async (start: number) => {
    for (let i = start; !stop; i += callers) {
      await statement(i);
      count++;
    }
  };
  const run = async (ms: number) => {
    stop = false;
    const loops = Array.from({ length: callers }, (_, k) => loop(k));
    await new Promise((resolve) => setTimeout(resolve, ms));
    stop = true;
    await Promise.all(loops);
  };
  await run(1000);
  count = 0;
  const began = performance.now();
  const window = cpuWindow(process.pid);
  await run(seconds * 1000);
  const cpu = window();
  const elapsed = (performance.now() - began) / 1000;
  const perSecond = count / elapsed;
  return {
    name,
    perSecond: Math.round(perSecond),
    nodeUs: Math.round((cpu.server * 1e6) / perSecond),
    postgresUs: Math.round((cpu.postgres * 1e6) / perSecond),
  };
}

const url = await freshDatabase(admin, 'emporium_bench_round_trip');
const setup = new pg.Client({ connectionString: url });
await setup.connect();
await setup.query(
  'create table t (id integer primary key, v integer not null, s text not null); insert into t select g, 0, md5(g::text) from generate_series(1, 1000) g',
);
await setup.end();

const rows: Cost[] = [];
const db = openPostgresDatabase({ url, poolSize: 20 });
const id = (i: number) => 1 + (i % 1000);
rows.push(
  await measure('read one row by key, project database layer (Kysely, pool of 20, named statements)', (i) =>
    sql`select id, v, s from t where id = ${id(i)}`.execute(db.primary),
  ),
);
rows.push(
  await measure('update one row by key, project database layer', (i) =>
    sql`update t set v = v + 1 where id = ${id(i)}`.execute(db.primary),
  ),
);
await db.close();
const pool = new pg.Pool({ connectionString: url, max: 20 });
rows.push(
  await measure('read one row by key, bare node-postgres pool of 20 (named statement)', (i) =>
    pool.query({ name: 'read', text: 'select id, v, s from t where id = $1', values: [id(i)] }),
  ),
);
await pool.end();

const { tps } = await runPgbench({ admin, bin: values.pgbench ?? 'pgbench', connections: callers, seconds });

const cores = cpus().length;
const orderBudgetUs = (cores * 1e6) / (0.25 * tps);
const cost = (r: Cost | undefined) => (r ? r.nodeUs + r.postgresUs : Number.NaN);
const [read, write] = [cost(rows[0]), cost(rows[1])];
const report = [
  `# What a statement costs — ${new Date().toISOString()}`,
  '',
  `${callers} callers, ${seconds} s each; PostgreSQL 15 and this process on the same ${cores}-core machine. CPU from /proc.`,
  '',
  '| statement | statements/s | this process, µs CPU each | PostgreSQL, µs CPU each |',
  '|---|---:|---:|---:|',
  ...rows.map((r) => `| ${r.name} | ${r.perSecond} | ${r.nodeUs} | ${r.postgresUs} |`),
  '',
  `pgbench TPC-B-like, -c ${callers}: ${tps.toFixed(0)} tps. 25 % of it is ${(0.25 * tps).toFixed(0)} orders/s, which leaves ${(orderBudgetUs / 1000).toFixed(2)} ms of CPU an order with all ${cores} cores on the checkout (none for the load generator). Through the project's database layer that is **${Math.floor(orderBudgetUs / read)} single-row reads** (${read} µs each) or **${Math.floor(orderBudgetUs / write)} single-row updates** (${write} µs each, a commit each) an order in all, before any HTTP, JSON, crypto or application code.`,
];
const text = report.join('\n');
console.log(text);
const file = `${root}bench/results/round-trip-${new Date().toISOString().slice(0, 10)}.md`;
writeFileSync(file, `${text}\n`);
console.log(`\nwritten to ${file}`);
process.exit(0);
