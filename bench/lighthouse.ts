// Lighthouse (mobile profile, its default: simulated slow 4G and a 4× slower CPU) on the storefront's
// home, product and checkout pages, served by the real `emporium start` (embedded mode, a fresh data
// directory, the demo catalog seeded on first start), in Debian's Chromium. Prints the performance,
// accessibility and best-practices scores and the bytes transferred by type, and writes
// .tmp/lighthouse-<date>.json (plus each page's full report, .tmp/lighthouse-<page>.lhr.json).
// Usage: npm run bench:lighthouse  (RUNS=3 runs each page three times and reports the median)
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '@emporium/testkit';
import { CHROMIUM_FLAGS, CHROMIUM_PATH } from '@emporium/testkit/browser';
import * as chromeLauncher from 'chrome-launcher';
import lighthouse from 'lighthouse';
import { chromium } from 'playwright-core';

const CHROMIUM = CHROMIUM_PATH;
const FLAGS = [...CHROMIUM_FLAGS];
const CATEGORIES = ['performance', 'accessibility', 'best-practices'] as const;
const TYPES = ['document', 'stylesheet', 'script', 'image', 'font', 'other', 'total'] as const;
const cli = fileURLToPath(new URL('../apps/server/bin/emporium.js', import.meta.url));
const root = fileURLToPath(new URL('..', import.meta.url));
const runs = Math.max(1, Number(process.env.RUNS ?? 1));

interface PageResult {
  name: string;
  url: string;
  scores: Record<(typeof CATEGORIES)[number], number[]>;
  /** Bytes over the wire (compressed as sent) per resource type, from the last run. */
  transfer: Partial<Record<(typeof TYPES)[number], number>>;
  /** Bytes over the wire of the page's own HTML (`document` also counts frames: the vault's card field). */
  pageHtml: number | undefined;
  metrics: Record<string, number | undefined>;
  /** Audits that lost points, with their score, from the last run. */
  failing: Array<{ id: string; category: string; score: number | null; title: string }>;
}

async function until<T>(what: string, read: () => Promise<T | undefined>, timeoutMs = 180_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const value = await read();
      if (value !== undefined) return value;
    } catch {
      // not yet
    }
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

const dataDir = mkdtempSync(join(tmpdir(), 'emporium-lighthouse-'));
const port = await freePort();
const base = `http://127.0.0.1:${port}`;
const server = spawn(process.execPath, [cli, 'start'], {
  env: {
    ...process.env,
    EMPORIUM_DATA_DIR: dataDir,
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    EMPORIUM_DEMO: '1',
  },
  stdio: ['ignore', 'ignore', 'inherit'],
});
let chrome: chromeLauncher.LaunchedChrome | undefined;
try {
  await until('the server answering /healthz', async () =>
    (await fetch(`${base}/healthz`)).ok ? true : undefined,
  );
  // The demo catalog is seeded on the first start: wait until search lists a product with an image.
  const handle = await until('the demo catalog', async () => {
    const res = await fetch(`${base}/store/products?limit=20&sort=newest`);
    const body = (await res.json()) as { data?: Array<{ handle: string; thumbnail?: string | null }> };
    return body.data?.find((p) => p.thumbnail)?.handle;
  });

  const pages: Array<{ name: string; url: string; keepSession: boolean }> = [
    { name: 'home', url: `${base}/`, keepSession: false },
    { name: 'product', url: `${base}/products/${handle}`, keepSession: false },
    { name: 'checkout', url: `${base}/checkout`, keepSession: true },
  ];

  // The checkout needs a cart in the session: a page of the same Chromium (same profile, same
  // cookies) adds the product to the cart first. Lighthouse then keeps that cookie
  // (disableStorageReset) for the checkout run only.
  const addToCart = async (port: number) => {
    const cdp = await chromium.connectOverCDP(`http://127.0.0.1:${port}`);
    const context = cdp.contexts()[0];
    if (!context) throw new Error('no default browser context');
    const page = await context.newPage();
    await page.goto(`${base}/products/${handle}`);
    // The shared page's form token arrives from /session.json; wait for it before posting.
    await page.waitForFunction(() => {
      const input = (
        globalThis as unknown as {
          document: { querySelector(s: string): { value: string } | null };
        }
      ).document.querySelector('input[name="_csrf"]');
      return input !== null && input.value !== '';
    });
    await page.getByRole('button', { name: 'Add to cart' }).click();
    await page.waitForURL(/\/cart$/);
    // Keep the cookie, drop the HTTP cache: the checkout is measured as a first visit's bytes.
    const session = await context.newCDPSession(page);
    await session.send('Network.clearBrowserCache');
    await session.detach();
    await page.close();
    await cdp.close();
  };

  // Each run in a fresh Chromium (a first visit: empty cache, no cookies), as the Lighthouse CLI
  // does. A run whose trace Chromium did not record (NO_NAVSTART, NO_FCP on a busy machine) is
  // run again, at most twice.
  const measure = async (target: (typeof pages)[number]) => {
    for (let attempt = 1; ; attempt++) {
      chrome = await chromeLauncher.launch({ chromePath: CHROMIUM, chromeFlags: FLAGS });
      try {
        if (target.keepSession) await addToCart(chrome.port);
        const run = await lighthouse(target.url, {
          port: chrome.port,
          output: 'json',
          logLevel: 'error',
          onlyCategories: [...CATEGORIES],
          disableStorageReset: target.keepSession,
        });
        if (!run) throw new Error(`no Lighthouse result for ${target.url}`);
        if (!run.lhr.runtimeError) return run.lhr;
        if (attempt >= 3) throw new Error(`${target.url}: ${run.lhr.runtimeError.message}`);
        console.error(`${target.name}: ${run.lhr.runtimeError.code}, running again`);
      } finally {
        chrome.kill();
        chrome = undefined;
      }
    }
  };

  const outDir = join(root, '.tmp');
  mkdirSync(outDir, { recursive: true });
  const results: PageResult[] = [];
  let version = '';
  for (const target of pages) {
    const result: PageResult = {
      name: target.name,
      url: target.url,
      scores: { performance: [], accessibility: [], 'best-practices': [] },
      transfer: {},
      pageHtml: undefined,
      metrics: {},
      failing: [],
    };
    // A first, unmeasured load warms the server (resized images, search cache), as an edge would be.
    await fetch(target.url).catch(() => undefined);
    for (let i = 0; i < runs; i++) {
      const lhr = await measure(target);
      version = lhr.lighthouseVersion;
      // The whole report of the last run, for a closer look (open it in the Lighthouse viewer).
      writeFileSync(join(outDir, `lighthouse-${target.name}.lhr.json`), JSON.stringify(lhr));
      if (target.keepSession && !new URL(lhr.finalDisplayedUrl).pathname.startsWith('/checkout'))
        throw new Error(`the checkout redirected to ${lhr.finalDisplayedUrl}: no cart in the session`);
      for (const c of CATEGORIES) result.scores[c].push(Math.round((lhr.categories[c]?.score ?? 0) * 100));
      const summary = lhr.audits['resource-summary']?.details as
        | { items?: Array<{ resourceType: string; transferSize: number }> }
        | undefined;
      result.transfer = {};
      for (const item of summary?.items ?? []) {
        if ((TYPES as readonly string[]).includes(item.resourceType))
          result.transfer[item.resourceType as (typeof TYPES)[number]] = item.transferSize;
      }
      const requests = lhr.audits['network-requests']?.details as
        | { items?: Array<{ url: string; transferSize?: number }> }
        | undefined;
      result.pageHtml = requests?.items?.find((r) => r.url === lhr.finalDisplayedUrl)?.transferSize;
      const metric = (id: string) => lhr.audits[id]?.numericValue;
      result.metrics = {
        fcp_ms: metric('first-contentful-paint'),
        lcp_ms: metric('largest-contentful-paint'),
        tbt_ms: metric('total-blocking-time'),
        cls: metric('cumulative-layout-shift'),
        si_ms: metric('speed-index'),
      };
      result.failing = CATEGORIES.flatMap((c) =>
        (lhr.categories[c]?.auditRefs ?? [])
          .filter((ref) => ref.weight > 0)
          .map((ref) => ({ ref, audit: lhr.audits[ref.id] }))
          .filter(({ audit }) => audit && audit.score !== null && audit.score < 0.9)
          .map(({ ref, audit }) => ({
            id: ref.id,
            category: c,
            score: audit?.score ?? null,
            title: audit?.title ?? '',
          })),
      );
    }
    results.push(result);
  }

  const kb = (n: number | undefined) => (n === undefined ? '-' : (n / 1024).toFixed(1));
  const rows = results.map((r) => {
    const s = (c: (typeof CATEGORIES)[number]) =>
      runs > 1 ? `${median(r.scores[c])} (${r.scores[c].join('/')})` : String(r.scores[c][0]);
    const t = r.transfer;
    const htmlCssJs = (t.document ?? 0) + (t.stylesheet ?? 0) + (t.script ?? 0);
    return `| ${r.name} | ${s('performance')} | ${s('accessibility')} | ${s('best-practices')} | ${kb(r.pageHtml)} | ${kb(t.document)} | ${kb(t.stylesheet)} | ${kb(t.script)} | ${kb(t.image)} | ${kb(htmlCssJs)} | ${kb(t.total)} |`;
  });
  console.log(`Lighthouse ${version}, mobile (default), ${runs} run(s) per page, ${base}`);
  console.log(
    '| page | performance | accessibility | best practices | page HTML KB | documents KB | CSS KB | JS KB | images KB | HTML+CSS+JS KB | total KB |',
  );
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const row of rows) console.log(row);
  for (const r of results) {
    console.log(
      `${r.name}: FCP ${Math.round(r.metrics.fcp_ms ?? 0)} ms, LCP ${Math.round(r.metrics.lcp_ms ?? 0)} ms, TBT ${Math.round(r.metrics.tbt_ms ?? 0)} ms, CLS ${(r.metrics.cls ?? 0).toFixed(3)}`,
    );
    for (const f of r.failing) console.log(`  ${f.category} ${f.id} (${f.score}): ${f.title}`);
  }
  const out = join(outDir, `lighthouse-${new Date().toISOString().slice(0, 10)}.json`);
  writeFileSync(
    out,
    `${JSON.stringify({ date: new Date().toISOString(), lighthouse: version, chromium: CHROMIUM, runs, pages: results }, null, 2)}\n`,
  );
  console.log(`written to ${out}`);
} finally {
  chrome?.kill();
  if (server.exitCode === null && server.signalCode === null) {
    const exited = new Promise((resolve) => server.once('exit', resolve));
    server.kill('SIGTERM');
    await exited;
  }
  rmSync(dataDir, { recursive: true, force: true });
}
