import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { startFullShop } from './support/full-shop.ts';
import { addCategory, addProduct, type Shop } from './support/shop.ts';

// A real Chromium (Debian's, never a downloaded one) against the storefront listening on loopback,
// with every module of a purchase real (startFullShop). axe-core audits each page visited.
const CHROMIUM = '/usr/bin/chromium';
const FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
const ARTIFACTS =
  process.env.CI_ARTIFACTS_DIR ?? join(import.meta.dirname, '../../../.tmp/artifacts/storefront');
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium && process.env.CI === 'true') {
  throw new Error(`${CHROMIUM} is missing: .ci/run installs it (apt-get install -y chromium)`);
}

/** Waits for what the page shows (the machine may be slow; nothing here is timed). */
const poll = <T>(read: () => Promise<T>) => expect.poll(read, { timeout: 20_000 });

let shop: Shop;
let browser: Browser;
let base: string;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** A page that records CSP violations and saves a screenshot when the test fails. */
async function openPage(
  context: BrowserContext,
  name: string,
): Promise<{ page: Page; cspViolations: string[] }> {
  const page = await context.newPage();
  const cspViolations: string[] = [];
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) cspViolations.push(message.text());
  });
  onTestFailed(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true }).catch(() => {});
  });
  return { page, cspViolations };
}

/** Zero serious or critical axe-core violations on the page as it is now. */
async function audit(page: Page): Promise<void> {
  await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const axe = (
      globalThis as unknown as {
        axe: {
          run(
            ctx: unknown,
            o: unknown,
          ): Promise<{
            violations: Array<{ id: string; impact: string; nodes: Array<{ target: unknown }> }>;
          }>;
        };
      }
    ).axe;
    const result = await axe.run((globalThis as unknown as { document: unknown }).document, {
      resultTypes: ['violations'],
    });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      targets: v.nodes.map((n) => JSON.stringify(n.target)),
    }));
  });
  expect(
    violations.filter((v) => v.impact === 'serious' || v.impact === 'critical'),
    `axe on ${page.url()}`,
  ).toEqual([]);
}

async function payWith(page: Page, number: string): Promise<void> {
  const card = page.frameLocator('iframe[title="Card details"]');
  await card.getByLabel('Card number').fill(number);
  await card.getByLabel('Expiry').fill(`12/${String((new Date().getFullYear() + 3) % 100).padStart(2, '0')}`);
  await card.getByLabel('CVC').fill('123');
  await page.getByRole('button', { name: 'Place order' }).click();
}

async function fillAddress(page: Page): Promise<void> {
  await page.getByLabel('Email').fill('grace@example.com');
  await page.getByLabel('First name').fill('Grace');
  await page.getByLabel('Last name').fill('Hopper');
  await page.getByLabel('Address', { exact: true }).fill('7 Compiler Court');
  await page.getByLabel('City').fill('Arlington');
  await page.getByLabel('Postal code').fill('22201');
  await page.getByLabel('Country').selectOption('us');
}

describe.skipIf(!hasChromium)('shopping in a browser', { timeout: 120_000 }, () => {
  beforeAll(async () => {
    const port = await freePort();
    shop = await startFullShop({ port });
    const home = await addCategory(shop, 'Home & Garden', 'home-garden');
    await addProduct(shop, {
      title: 'Harbor Lantern',
      handle: 'harbor-lantern',
      category_ids: [home],
      sizes: ['Small', 'Large'],
      price: 3900,
      stock: 50,
    });
    await addProduct(shop, {
      title: 'Garden Trowel',
      handle: 'garden-trowel',
      category_ids: [home],
      price: 1200,
    });
    await shop.app.listen({ port, host: '127.0.0.1' });
    base = `http://127.0.0.1:${port}`;
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await shop?.close();
  });

  it('a shopper searches, opens a product, adds it to the cart, pays with 4242… and sees the confirmation', async () => {
    const context = await browser.newContext();
    const { page, cspViolations } = await openPage(context, 'journey');
    await page.goto(`${base}/`);
    await audit(page);
    const search = page.getByRole('searchbox', { name: 'Search products' });
    await search.fill('lante');
    await expect
      .poll(() => page.locator('#search-suggestions a').allTextContents())
      .toContain('Harbor Lantern');
    await search.press('Enter');
    await page.waitForURL(/\/search\?q=lante/);
    await audit(page);
    await page
      .getByRole('link', { name: /Harbor Lantern/ })
      .first()
      .click();
    await page.waitForURL(/\/products\/harbor-lantern$/);
    await poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Harbor Lantern');
    await audit(page);
    await page.getByLabel('Size').selectOption({ label: 'Large — $39.00' });
    await page.getByRole('button', { name: 'Add to cart' }).click();
    await page.waitForURL(/\/cart$/);
    await poll(() => page.locator('main').textContent()).toContain('Harbor Lantern — Large');
    await audit(page);
    await page.getByRole('button', { name: 'Checkout' }).click();
    await page.waitForURL(/\/checkout\??$/);
    await fillAddress(page);
    await page.getByRole('radio', { name: 'Standard' }).check();
    await audit(page);
    await payWith(page, '4242 4242 4242 4242');
    await page.waitForURL(/\/orders\/order_/);
    const heading = page.getByRole('heading', { level: 1 });
    await poll(() => heading.textContent()).toMatch(/^Thank you! Your order number is \S+$/);
    await audit(page);
    expect(cspViolations).toEqual([]);
    // The session cookie is the __Host- one, HttpOnly and SameSite=Lax.
    const cookie = (await context.cookies()).find((c) => c.name.endsWith('emporium_session'));
    expect(cookie).toMatchObject({
      name: '__Host-emporium_session',
      httpOnly: true,
      sameSite: 'Lax',
      path: '/',
    });
    await context.close();
  });

  it('a declined card shows its message on the checkout, and a second card succeeds', async () => {
    const context = await browser.newContext();
    const { page } = await openPage(context, 'declined');
    await page.goto(`${base}/products/garden-trowel`);
    await page.getByRole('button', { name: 'Add to cart' }).click();
    await page.waitForURL(/\/cart$/);
    await page.getByRole('button', { name: 'Checkout' }).click();
    await fillAddress(page);
    await page.getByRole('radio', { name: 'Standard' }).check();
    await payWith(page, '4000 0000 0000 0002');
    const alert = page.getByRole('alert').filter({ hasText: /declined/i });
    await poll(() => alert.count()).toBeGreaterThan(0);
    expect(page.url()).toMatch(/\/checkout\/place$/);
    await audit(page);
    await page.getByRole('radio', { name: 'Standard' }).check();
    await payWith(page, '4242 4242 4242 4242');
    await page.waitForURL(/\/orders\/order_/);
    await poll(() => page.getByRole('heading', { level: 1 }).textContent()).toMatch(/Thank you/);
    await context.close();
  });

  it('browsing, search and the product page work with JavaScript off', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const { page } = await openPage(context, 'no-js');
    await page.goto(`${base}/`);
    await page.getByRole('link', { name: 'Home & Garden' }).first().click();
    await page.waitForURL(/\/categories\/home-garden$/);
    await page.getByLabel('Sort by').selectOption('price_asc');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForURL(/sort=price_asc/);
    const names = await page.locator('.card h3').allTextContents();
    expect(names).toEqual(['Garden Trowel', 'Harbor Lantern']);
    await page.getByRole('searchbox', { name: 'Search products' }).fill('trowel');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.getByRole('link', { name: /Garden Trowel/ }).click();
    await page.getByRole('button', { name: 'Add to cart' }).click();
    // No script filled the form token: the shop asks once more, with a form that carries it.
    await page.getByRole('button', { name: 'Add to cart' }).click();
    await page.waitForURL(/\/cart$/);
    expect(await page.locator('main').textContent()).toContain('Garden Trowel');
    // (No axe here: it runs as a script, and scripts are off; the JS journeys audit these pages.)
    await context.close();
  });
});
