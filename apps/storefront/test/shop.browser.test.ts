import { join } from 'node:path';
import { freePort } from '@emporium/testkit';
import {
  chromiumAvailable,
  launchChromium,
  saveScreenshot,
  seriousViolations,
} from '@emporium/testkit/browser';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { startFullShop } from './support/full-shop.ts';
import { addCategory, addProduct, type Shop } from './support/shop.ts';

// A real Chromium (Debian's, never a downloaded one) against the storefront listening on loopback,
// with every module of a purchase real and the identity provider (startFullShop with identity).
// axe-core audits each page visited.
const ARTIFACTS =
  process.env.CI_ARTIFACTS_DIR ?? join(import.meta.dirname, '../../../.tmp/artifacts/storefront');

/** Waits for what the page shows (the machine may be slow; nothing here is timed). */
const poll = <T>(read: () => Promise<T>) => expect.poll(read, { timeout: 20_000 });

let shop: Shop;
let browser: Browser;
let base: string;

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
    await saveScreenshot(page, ARTIFACTS, name);
  });
  return { page, cspViolations };
}

/** Zero serious or critical axe-core violations on the page as it is now. */
async function audit(page: Page): Promise<void> {
  const violations = await seriousViolations(page);
  expect(
    violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      targets: v.nodes.map((n) => JSON.stringify(n.target)),
    })),
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

describe.skipIf(!chromiumAvailable())('shopping in a browser', { timeout: 120_000 }, () => {
  beforeAll(async () => {
    const port = await freePort();
    shop = await startFullShop({ port, identity: true });
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
    browser = await launchChromium();
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

  it('a customer registers and signs in through the provider, pays with 4242… and sees the order and the address in the account', async () => {
    const context = await browser.newContext();
    const { page, cspViolations } = await openPage(context, 'account');
    // A guest first: the cart started before signing in is the one checked out after.
    await page.goto(`${base}/products/harbor-lantern`);
    await page.getByLabel('Size').selectOption({ label: 'Small — $39.00' });
    await page.getByRole('button', { name: 'Add to cart' }).click();
    await page.waitForURL(/\/cart$/);

    await page.getByRole('link', { name: 'Account', exact: true }).click();
    await page.waitForURL(/\/account$/);
    await poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Sign in');
    await audit(page);
    await page.getByRole('link', { name: 'Create an account' }).click();
    await page.waitForURL(/\/account\/register$/);
    await audit(page);
    await page.getByLabel('Email').fill('ada@example.com');
    await page.getByLabel('Password').fill('analytical engine notes');
    await page.getByLabel('First name').fill('Ada');
    await page.getByLabel('Last name').fill('Lovelace');
    await page.getByRole('button', { name: 'Create account' }).click();
    await poll(() => page.getByRole('status').filter({ hasText: 'Your account is ready' }).count()).toBe(1);
    await audit(page);

    // The storefront's "Sign in" goes to the identity provider (authorization code + PKCE).
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL(/\/auth\//);
    await audit(page);
    await page.getByLabel('Email').fill('ada@example.com');
    await page.getByLabel('Password').fill('analytical engine notes');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/\/account$/);
    await poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Your account');
    expect(await page.locator('main').textContent()).toContain('Signed in as Ada Lovelace (ada@example.com)');
    expect(await page.locator('main').textContent()).toContain('You have not placed an order yet.');
    await audit(page);

    await page.getByRole('link', { name: /^Cart/ }).click();
    await page.waitForURL(/\/cart$/);
    await poll(() => page.locator('main').textContent()).toContain('Harbor Lantern — Small');
    await page.getByRole('button', { name: 'Checkout' }).click();
    await page.waitForURL(/\/checkout\??$/);
    // The signed-in customer's email is filled in.
    expect(await page.getByLabel('Email').inputValue()).toBe('ada@example.com');
    await page.getByLabel('First name').fill('Ada');
    await page.getByLabel('Last name').fill('Lovelace');
    await page.getByLabel('Address', { exact: true }).fill('12 Analytical Row');
    await page.getByLabel('City').fill('Boston');
    await page.getByLabel('Postal code').fill('02108');
    await page.getByLabel('Country').selectOption('us');
    await page.getByRole('radio', { name: 'Standard' }).check();
    await audit(page);
    await payWith(page, '4242 4242 4242 4242');
    await page.waitForURL(/\/orders\/order_/);
    const heading = page.getByRole('heading', { level: 1 });
    await poll(() => heading.textContent()).toMatch(/^Thank you! Your order number is \S+$/);
    const number = (await heading.textContent())?.split(' ').pop() ?? '';
    await audit(page);

    await page.getByRole('link', { name: 'Your account' }).click();
    await page.waitForURL(/\/account$/);
    const orders = page.getByRole('region', { name: 'Your orders' });
    await poll(() => orders.getByRole('link', { name: `Order ${number}` }).count()).toBe(1);
    const row = orders.getByRole('row').filter({ hasText: `Order ${number}` });
    expect(await row.textContent()).toContain('$44.00');
    const addresses = page.getByRole('region', { name: 'Your addresses' });
    // biome-ignore lint/performance/useDomNodeTextContent: the lines are <br>-separated; the rendered text keeps them apart
    expect((await addresses.innerText()).replace(/\s+/g, ' ')).toContain(
      'Ada Lovelace 12 Analytical Row 02108 Boston US',
    );
    await audit(page);
    // The order opens from the account with the customer's own token.
    await orders.getByRole('link', { name: `Order ${number}` }).click();
    await page.waitForURL(/\/orders\/order_/);
    await poll(() => heading.textContent()).toBe(`Thank you! Your order number is ${number}`);
    expect(cspViolations).toEqual([]);
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
