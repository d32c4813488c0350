// Catalog, search and admin-list benchmark on PostgreSQL (issue 3). For each catalog size it
// seeds a database (kept between runs, topped up if smaller), starts the monolith and a bare
// Fastify baseline in their own processes, warms them, then measures each scenario with
// autocannon for a bounded time and prints req/s and p50/p99.
//
//   npm run bench -- --sizes 10000,1000000 --duration 10 --connections 32 [--rounds 3] [--across-only]
//
// With two sizes or more it ends by comparing search latency at the smallest and the largest size,
// both servers running, alternating rounds (`--across-only`: that comparison alone).
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runEmporium, startEmporium } from '@emporium/testkit';
import pg from 'pg';
import { type Measurement, type MeasureOptions, measure, table } from './lib/measure.ts';
import { databaseUrl } from './lib/scratch-database.ts';

// The server refuses to start on PostgreSQL without a vault key; no card is stored in a benchmark,
// so a fresh one per run will do.
const vaultKek = randomBytes(32).toString('base64');

const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '10000' },
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '32' },
    // Product detail and category page alternate with their bare baselines this many times; the
    // report keeps the middle round (by ratio) and lists every round's ratio.
    rounds: { type: 'string', default: '3' },
    'across-only': { type: 'boolean', default: false },
    admin: {
      type: 'string',
      default: process.env.BENCH_PG_ADMIN ?? 'postgres://postgres@127.0.0.1:5432/postgres',
    },
  },
});
const sizes = (values.sizes ?? '10000').split(',').map(Number);
const durationSeconds = Number(values.duration);
const connections = Number(values.connections);
const rounds = Math.max(1, Number(values.rounds));
const root = fileURLToPath(new URL('..', import.meta.url));
const cli = `${root}apps/server/bin/emporium.js`;

const dbUrl = (name: string): string => databaseUrl(values.admin ?? '', name);

async function ensureSeeded(size: number): Promise<string> {
  const name = `emporium_bench_${size}`;
  const admin = new pg.Client({ connectionString: values.admin });
  await admin.connect();
  const exists = await admin.query('select 1 from pg_database where datname = $1', [name]);
  if (exists.rowCount === 0) await admin.query(`create database ${name}`);
  await admin.end();
  const url = dbUrl(name);
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  const have = await db
    .query<{ n: number }>('select count(*)::int as n from catalog.products')
    .then((r) => r.rows[0]?.n ?? 0)
    .catch(() => 0);
  await db.end();
  if (have < size) {
    console.log(`seeding ${size - have} products into ${name}…`);
    execFileSync(process.execPath, [cli, 'seed', '--products', String(size - have), '--batch', '2000'], {
      env: { ...process.env, DATABASE_URL: url, LOG_LEVEL: 'warn', VAULT_KEK: vaultKek },
      stdio: 'inherit',
    });
  }
  return url;
}

function start(args: string[], env: Record<string, string>): Promise<ChildProcess> {
  const child = spawn(process.execPath, args, {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    child.stdout?.on('data', (d: Buffer) => {
      if (d.toString().includes('ready')) resolve(child);
    });
    child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited with ${code}`)));
  });
}

const stop = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });

/**
 * An access token for the admin list: an integration credential made with the CLI
 * (`emporium api-key create`, role owner) and the client-credentials grant, as an integration would.
 */
async function adminToken(base: string, url: string): Promise<string> {
  const made = await runEmporium(
    ['api-key', 'create', '--name', `bench ${Date.now()}`, '--role', 'owner', '--json'],
    { DATABASE_URL: url, VAULT_KEK: vaultKek },
  );
  if (made.code !== 0) throw new Error(`api-key create failed: ${made.stderr}`);
  const { client_id, client_secret } = JSON.parse(made.stdout) as {
    client_id: string;
    client_secret: string;
  };
  const res = await fetch(`${base}/auth/token`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`${client_id}:${client_secret}`).toString('base64')}`,
    },
    body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'api' }),
  });
  const body = (await res.json()) as { access_token?: string };
  if (!body.access_token) throw new Error(`no token from /auth/token: ${res.status} ${JSON.stringify(body)}`);
  return body.access_token;
}

/**
 * A database seeded before products stored their documents is caught up by the server's backfill
 * at start: measure once it has finished (and its dead row versions are vacuumed), not during it.
 */
async function awaitStoredDocuments(db: pg.Client): Promise<void> {
  const missing = async () =>
    (await db.query<{ n: number }>('select count(*)::int as n from catalog.products where document is null'))
      .rows[0]?.n ?? 0;
  let left = await missing();
  if (left === 0) return;
  console.log(`waiting for the server to render ${left} stored product documents…`);
  while (left > 0) {
    await new Promise((resolve) => setTimeout(resolve, 2000));
    left = await missing();
  }
  await db.query('vacuum (analyze) catalog.products');
}

/** The server's settings in every scenario (its database URL added per catalog). */
const serverEnv = {
  VAULT_KEK: vaultKek,
  DATABASE_POOL_SIZE: '20',
  LOG_LEVEL: 'warn',
  EMPORIUM_RATE_LIMITS: 'off',
  EMPORIUM_DEMO: '0',
};

/** 2 s of the same load first (JIT, caches, connections), then the measured run. */
async function warmThenMeasure(
  name: string,
  target: string,
  options: Omit<MeasureOptions, 'connections' | 'durationSeconds'> = {},
): Promise<Measurement> {
  await measure(name, target, { ...options, connections, durationSeconds: 2 });
  return measure(name, target, { ...options, connections, durationSeconds });
}

const pathOptions = (paths: string[] | (() => string) | undefined) =>
  typeof paths === 'function' ? { pathFor: paths } : paths ? { paths } : {};

const report: string[] = [`# Catalog benchmark — ${new Date().toISOString()}`, ''];
report.push(
  `${connections} connections, ${durationSeconds} s per scenario, autocannon; server and baseline each in their own process on this machine.`,
);

for (const size of values['across-only'] ? [] : sizes) {
  const url = await ensureSeeded(size);
  // The server exactly as shipped (`emporium start`), on a free loopback port.
  const server = await startEmporium({ ...serverEnv, DATABASE_URL: url });
  const base = server.baseUrl;
  try {
    const token = await adminToken(base, url);
    const sample = new pg.Client({ connectionString: url });
    await sample.connect();
    await awaitStoredDocuments(sample);
    const handles = (
      await sample.query<{ handle: string }>(
        `select handle from catalog.products where status = 'published' order by id limit 100`,
      )
    ).rows.map((r) => r.handle);
    // Searches no cache has seen (the database's cost, not the result cache's or the warm path's),
    // drawn per request from 2 000 real titles: as a shopper types one ("canyon cor" for Canyon Corduroy Cargo
    // Pants), and two words of different titles, which mostly match nothing (the typo path).
    const titles = (
      await sample.query<{ words: string[] }>(
        `select regexp_split_to_array(lower(title), '[^a-z]+') as words from catalog.products
         where status = 'published' order by random() limit 2000`,
      )
    ).rows
      .map((r) => r.words.filter((w) => w.length >= 3))
      .filter((w) => w.length >= 2);
    // Product pages no cache has seen: each request the next of up to 100 000 random handles.
    const coldHandles = (
      await sample.query<{ handle: string }>(
        `select handle from catalog.products where status = 'published' order by random() limit 100000`,
      )
    ).rows.map((r) => r.handle);
    let nextCold = 0;
    const cold = () => `/store/products/${coldHandles[nextCold++ % coldHandles.length]}`;
    await sample.end();
    const any = <T>(xs: readonly T[]): T => xs[Math.floor(Math.random() * xs.length)] as T;
    // A price cap above every price, different on every request: the same products match, but no
    // two requests share a cache key, so a repeated text (there are ~10 000 of them) is never a hit.
    let caps = 0;
    const uniqueCap = () => `price_max=${1_000_000_000 + caps++}`;
    const typing = () => {
      const [first = 'jacket', second = 'jacket'] = any(titles);
      const prefix = second.slice(0, 3 + Math.floor(Math.random() * Math.max(1, second.length - 2)));
      return `/store/products?q=${encodeURIComponent(`${first} ${prefix}`)}&limit=20&${uniqueCap()}`;
    };
    const unrelated = () =>
      `/store/products?q=${encodeURIComponent(`${any(any(titles))} ${any(any(titles))}`)}&limit=20&${uniqueCap()}`;
    const detailPaths = handles.map((h) => `/store/products/${h}`);
    const detailPage = await fetch(`${base}${detailPaths[0]}`);
    const detailBytes = (await detailPage.text()).length;
    // The product page's own headers (security, ETag, caching, surrogate keys, request id), for a
    // reference route that sends them too: what is left between the two is the server's own work.
    const connectionHeaders = new Set(['date', 'connection', 'keep-alive', 'content-length', 'content-type']);
    const pageHeaders = Object.fromEntries(
      [...detailPage.headers].filter(([name]) => !connectionHeaders.has(name)),
    );
    const categoryPath = '/store/products?category=jackets&limit=20';
    const categoryBytes = (await (await fetch(`${base}${categoryPath}`)).text()).length;
    // One baseline per body size: each page is compared with a bare route sending as many bytes.
    const baseline = await start([`${root}bench/servers/bare-fastify.ts`, '4101', String(detailBytes)], {});
    const categoryBaseline = await start(
      [`${root}bench/servers/bare-fastify.ts`, '4102', String(categoryBytes)],
      {},
    );
    const headersReference = await start(
      [`${root}bench/servers/bare-fastify.ts`, '4103', String(detailBytes), JSON.stringify(pageHeaders)],
      {},
    );
    try {
      // Warm every cache the scenarios touch.
      for (const p of detailPaths) await fetch(`${base}${p}`);
      type Scenario = [string, string, string[] | (() => string) | undefined, Record<string, string>];
      const bareDetailScenario: Scenario = [
        // Rotating through 100 URLs costs the load generator more per request than one URL (it
        // cannot reuse one prepared request), so this baseline rotates through as many.
        `bare Fastify, ${detailBytes} B JSON, 100 URLs (baseline)`,
        'http://127.0.0.1:4101',
        handles.map((h) => `/bare/${h}`),
        {},
      ];
      const pairs: Array<[Scenario, Scenario]> = [
        [bareDetailScenario, ['product detail (100 handles, warm)', base, detailPaths, {}]],
        [
          [`bare Fastify, ${categoryBytes} B JSON (baseline)`, 'http://127.0.0.1:4102/bare', undefined, {}],
          ['category page 1 (jackets)', `${base}${categoryPath}`, undefined, {}],
        ],
      ];
      const scenarios: Scenario[] = [
        [
          `bare Fastify, ${detailBytes} B JSON and the product page's ${Object.keys(pageHeaders).length} headers, 100 URLs (reference)`,
          'http://127.0.0.1:4103',
          handles.map((h) => `/bare/${h}`),
          {},
        ],
        [
          `product detail, cold (the next of ${coldHandles.length.toLocaleString('en')} random handles each time)`,
          base,
          cold,
          {},
        ],
        ['search: one word (jacket)', `${base}/store/products?q=jacket&limit=20`, undefined, {}],
        [
          'search: two words (waxed jacket)',
          `${base}/store/products?q=waxed%20jacket&limit=20`,
          undefined,
          {},
        ],
        ['search: prefix (jack)', `${base}/store/products?q=jack&limit=20`, undefined, {}],
        ['search: typo (jakcet)', `${base}/store/products?q=jakcet&limit=20`, undefined, {}],
        ['search: uncached, as you type (word + prefix of one title)', base, typing, {}],
        ['search: uncached, words of two titles (mostly the typo path)', base, unrelated, {}],
        [
          'admin product list page 1',
          `${base}/admin/products?limit=20`,
          undefined,
          { authorization: `Bearer ${token}` },
        ],
      ];
      const run = async ([name, target, paths, headers]: Scenario): Promise<Measurement> => {
        const m = await warmThenMeasure(name, target, { headers, ...pathOptions(paths) });
        console.log(
          `${size.toLocaleString('en')} products · ${name}: ${m.reqPerSec} req/s, p50 ${m.p50} ms, p99 ${m.p99} ms`,
        );
        return m;
      };
      // Each page alternates with its baseline, so a drift of the machine's speed (this one is shared
      // and noisy) weighs on both sides alike; the middle round by ratio is reported.
      const rows: Measurement[] = [];
      const ratios: string[] = [];
      for (const [bareScenario, pageScenario] of pairs) {
        const measured: Array<{ bare: Measurement; page: Measurement; ratio: number }> = [];
        for (let r = 0; r < rounds; r++) {
          const bare = await run(bareScenario);
          const page = await run(pageScenario);
          measured.push({ bare, page, ratio: (100 * page.reqPerSec) / Math.max(1, bare.reqPerSec) });
        }
        const byRatio = [...measured].sort((a, b) => a.ratio - b.ratio);
        const middle = byRatio[Math.floor(byRatio.length / 2)];
        if (!middle) continue;
        rows.push(middle.bare, middle.page);
        ratios.push(
          `- ${middle.page.name}: ${Math.round(middle.ratio)} % of the req/s of a bare Fastify route sending as many bytes, the middle of ${rounds} alternating rounds (${measured.map((m) => `${Math.round(m.ratio)} %`).join(', ')}; target ≥ 50 %)`,
        );
      }
      for (const scenario of scenarios) rows.push(await run(scenario));
      report.push(
        '',
        `## ${size.toLocaleString('en')} products (product detail ${detailBytes} B, category page ${categoryBytes} B)`,
        '',
        table(rows),
        '',
        ...ratios,
      );
      const [bareDetail, detail, , , reference] = rows;
      if (bareDetail && detail && reference) {
        report.push(
          `- the product page's headers alone take the bare route to ${Math.round((100 * reference.reqPerSec) / bareDetail.reqPerSec)} %; product detail is ${Math.round((100 * detail.reqPerSec) / reference.reqPerSec)} % of that reference`,
        );
      }
    } finally {
      await stop(baseline);
      await stop(categoryBaseline);
      await stop(headersReference);
    }
  } finally {
    await server.stop();
  }
}

/**
 * Search latency at two catalog sizes, measured alternately against two servers running side by
 * side (each on its own database), so that the machine's drift weighs on both sizes alike: for each
 * query, the median over the rounds of each side's p50, p99 and mean, and the large side's p99 and
 * mean as a multiple of the small side's (target: within 1.5×).
 */
async function searchAcrossSizes(small: number, large: number): Promise<string[]> {
  const servers = [
    await startEmporium({ ...serverEnv, DATABASE_URL: await ensureSeeded(small) }),
    await startEmporium({ ...serverEnv, DATABASE_URL: await ensureSeeded(large) }),
  ] as const;
  const queries = ['jacket', 'waxed jacket', 'jack', 'jakcet'];
  const lines = [
    '',
    `## Search latency, ${small.toLocaleString('en')} against ${large.toLocaleString('en')} products (alternating, ${rounds} rounds, medians)`,
    '',
    `| query | ${small.toLocaleString('en')}: p50 / p99 / mean ms | ${large.toLocaleString('en')}: p50 / p99 / mean ms | p99, large ÷ small | mean, large ÷ small |`,
    '|---|---|---|---:|---:|',
  ];
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
  const cell = (ms: Measurement[]) =>
    `${median(ms.map((m) => m.p50))} / ${median(ms.map((m) => m.p99))} / ${median(ms.map((m) => m.mean)).toFixed(2)}`;
  try {
    for (const q of queries) {
      const urls = servers.map((s) => `${s.baseUrl}/store/products?q=${encodeURIComponent(q)}&limit=20`);
      const sides: [Measurement[], Measurement[]] = [[], []];
      for (let r = 0; r < rounds; r++) {
        for (const [i, url] of urls.entries()) {
          const m = await warmThenMeasure(q, url);
          sides[i as 0 | 1].push(m);
          console.log(
            `search across sizes · ${q} · ${(i === 0 ? small : large).toLocaleString('en')}: p50 ${m.p50} ms, p99 ${m.p99} ms, mean ${m.mean} ms`,
          );
        }
      }
      const [s, l] = sides;
      const ratio = (pick: (m: Measurement) => number) =>
        (median(l.map(pick)) / Math.max(0.01, median(s.map(pick)))).toFixed(2);
      lines.push(`| ${q} | ${cell(s)} | ${cell(l)} | ${ratio((m) => m.p99)}× | ${ratio((m) => m.mean)}× |`);
    }
  } finally {
    for (const server of servers) await server.stop();
  }
  return lines;
}

if (sizes.length >= 2) report.push(...(await searchAcrossSizes(Math.min(...sizes), Math.max(...sizes))));

const text = report.join('\n');
console.log(`\n${text}`);
const out = `${root}bench/results/catalog-${new Date().toISOString().slice(0, 10)}.md`;
writeFileSync(out, `${text}\n`);
console.log(`\nwritten to ${out}`);
