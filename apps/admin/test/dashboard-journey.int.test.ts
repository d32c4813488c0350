import { chromiumAvailable } from '@emporium/testkit/browser';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, seriousViolations, step } from './support/browser.ts';
import { placeOrder } from './support/orders.ts';
import { type AdminTestPlatform, startAdminPlatform } from './support/platform.ts';

// Real: the whole monolith as the server composes it (identity's OIDC provider and TOTP, catalog,
// search, cart, checkout, orders, payments with the vault's test processor, storefront, dashboard),
// PGlite, the in-process cache and event bus; Debian's Chromium over a real socket. Nothing is faked.
describe.skipIf(!chromiumAvailable())('the dashboard in a browser', () => {
  let platform: AdminTestPlatform;
  let browser: Browser;
  const visited = new Map<string, string[]>();

  beforeAll(async () => {
    platform = await startAdminPlatform();
    await platform.listen();
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await platform?.close();
  });

  /** Every page visited is checked with axe-core: no serious or critical violation. */
  async function check(page: Page, label: string): Promise<void> {
    const violations = await seriousViolations(page);
    visited.set(
      label,
      violations.map((v) => `${v.id}: ${v.help}`),
    );
    expect(
      violations.map((v) => `${label} ${v.id}: ${v.help} (${JSON.stringify(v.nodes.map((n) => n.target))})`),
    ).toEqual([]);
  }

  async function signIn(page: Page, staff: { email: string; password: string; totp(): Promise<string> }) {
    await page.goto(`${platform.baseUrl}/admin`);
    await expect.poll(() => new URL(page.url()).pathname).toBe('/admin/ui/sign-in');
    await check(page, 'sign-in');
    await page.getByRole('link', { name: 'Sign in with your staff account' }).click();
    await page.getByLabel('Email').fill(staff.email);
    await page.getByLabel('Password').fill(staff.password);
    await check(page, 'provider sign-in');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByLabel('Authentication code').fill(await staff.totp());
    await check(page, 'provider second factor');
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.waitForURL(`${platform.baseUrl}/admin`);
  }

  it('an owner signs in with TOTP, creates and publishes a product that shoppers then find', async () => {
    const owner = await platform.createStaff('owner@example.com', ['owner']);
    const context = await browser.newContext();
    context.setDefaultTimeout(10_000);
    const page = await context.newPage();
    const cspErrors: string[] = [];
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text()))
        cspErrors.push(`${page.url()} ${m.location().url}: ${m.text().slice(0, 60)}`);
    });

    await step(page, 'sign in', () => signIn(page, owner));
    await step(page, 'overview', async () => {
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Overview');
      expect(await page.locator('svg.chart').count()).toBe(1);
      const nav = await page
        .getByRole('navigation', { name: 'Dashboard' })
        .getByRole('link')
        .allTextContents();
      expect(nav).toEqual(['Overview', 'Products', 'Inventory', 'Orders', 'Staff', 'Audit log']);
      await check(page, 'overview');
    });

    const title = 'Harbour Lantern Deluxe';
    await step(page, 'create product', async () => {
      await page
        .getByRole('navigation', { name: 'Dashboard' })
        .getByRole('link', { name: 'Products' })
        .click();
      await check(page, 'products');
      await page.getByRole('link', { name: 'New product' }).click();
      await check(page, 'new product');
      await page.getByLabel('Title', { exact: true }).fill(title);
      await page.getByLabel('Description', { exact: true }).fill('A brass lantern for long evenings.');
      await page.getByLabel('Options, one per line').fill('Finish: Brass, Copper');
      await page.getByLabel('SKU of variant 1').fill('LANTERN-BRASS');
      await page.getByLabel('Options of variant 1').fill('Finish=Brass');
      await page.getByLabel('Prices of variant 1').fill('49.00 USD');
      await page.getByLabel('SKU of variant 2').fill('LANTERN-COPPER');
      await page.getByLabel('Options of variant 2').fill('Finish=Copper');
      await page.getByLabel('Prices of variant 2').fill('54.50 USD, 50 EUR');
      await page.getByRole('button', { name: 'Create product' }).click();
      await page.waitForURL(/\/admin\/ui\/products\/prod_/);
      expect(await page.getByRole('status').textContent()).toContain(`Created “${title}”`);
      expect(await page.locator('.product-status').textContent()).toContain('draft');
      await check(page, 'product');
    });

    await step(page, 'publish and stock', async () => {
      await page.getByRole('button', { name: 'Publish' }).click();
      expect(await page.getByRole('status').textContent()).toContain('Published');
      await page.getByLabel('Change for LANTERN-BRASS').fill('7');
      await page.getByLabel('Reason').first().fill('opening stock');
      await page.getByRole('button', { name: 'Adjust' }).first().click();
      expect(await page.getByRole('status').textContent()).toContain('7 available');
      await check(page, 'product after publish');
    });

    await step(page, 'storefront search', async () => {
      const shop = await context.newPage();
      await expect
        .poll(
          async () => {
            await shop.goto(`${platform.baseUrl}/search?q=${encodeURIComponent('harbour lantern')}`);
            return shop.getByRole('link', { name: title }).count();
          },
          { timeout: 15_000, interval: 200 },
        )
        .toBeGreaterThan(0);
      await check(shop, 'storefront search');
      await shop.close();
    });

    await step(page, 'product list filters', async () => {
      await page.goto(`${platform.baseUrl}/admin/ui/products?q=Harbour&status=published`);
      expect(await page.getByRole('link', { name: title }).count()).toBe(1);
      await page.goto(`${platform.baseUrl}/admin/ui/products?q=Harbour&status=draft`);
      expect(await page.getByRole('link', { name: title }).count()).toBe(0);
    });

    await step(page, 'staff, audit log, inventory', async () => {
      await page.goto(`${platform.baseUrl}/admin/ui/staff`);
      expect(await page.getByRole('cell', { name: 'owner@example.com', exact: true }).count()).toBe(1);
      await check(page, 'staff');
      await page.goto(
        `${platform.baseUrl}/admin/ui/audit-log?action=${encodeURIComponent('POST /admin/products')}`,
      );
      expect(
        await page.getByRole('cell', { name: 'POST /admin/products', exact: true }).count(),
      ).toBeGreaterThan(0);
      await check(page, 'audit log');
      await page.goto(`${platform.baseUrl}/admin/ui/inventory`);
      await check(page, 'inventory');
      await page.goto(`${platform.baseUrl}/admin/ui/orders`);
      await check(page, 'orders');
    });

    await step(page, 'sign out', async () => {
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.goto(`${platform.baseUrl}/admin/ui/products`);
      expect(new URL(page.url()).pathname).toBe('/admin/ui/sign-in');
    });
    expect(cspErrors).toEqual([]);
    await context.close();
  }, 120_000);

  it('an order manager finds an order placed through the store checkout API, captures it and refunds part of it', async () => {
    const order = await placeOrder(platform);
    const manager = await platform.createStaff('orders@example.com', ['order_manager']);
    const context = await browser.newContext();
    context.setDefaultTimeout(10_000);
    const page = await context.newPage();
    await step(page, 'order manager signs in', () => signIn(page, manager));
    await step(page, 'find the order', async () => {
      const nav = await page
        .getByRole('navigation', { name: 'Dashboard' })
        .getByRole('link')
        .allTextContents();
      expect(nav).toEqual(['Overview', 'Products', 'Inventory', 'Orders']);
      expect(await page.locator('svg.chart rect.bar').count()).toBe(30);
      await page.getByRole('navigation', { name: 'Dashboard' }).getByRole('link', { name: 'Orders' }).click();
      await page.getByLabel('Customer email').fill('shopper@example.com');
      await page.getByRole('button', { name: 'Filter' }).click();
      await check(page, 'orders filtered');
      await page.getByRole('link', { name: `#${order.number}` }).click();
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe(`Order #${order.number}`);
      await check(page, 'order');
    });
    await step(page, 'capture', async () => {
      if (await page.getByRole('button', { name: 'Capture' }).count()) {
        await page.getByRole('button', { name: 'Capture' }).click();
        expect(await page.getByRole('status').textContent()).toContain('Payment captured.');
      }
    });
    await step(page, 'partial refund', async () => {
      await page.getByLabel(/^Amount in USD/).fill('10.00');
      await page.locator('#refund-reason').fill('damaged box');
      await page.getByRole('button', { name: 'Refund' }).click();
      expect(await page.getByRole('status').textContent()).toContain('Refund issued.');
      expect(await page.locator('main').textContent()).toContain('partially_refunded');
      expect(await page.getByRole('listitem').filter({ hasText: 'damaged box' }).count()).toBeGreaterThan(0);
      await check(page, 'order after refund');
    });
    const api = await platform.app.inject({
      url: `/admin/orders/${order.id}`,
      headers: { authorization: `Bearer ${await platform.serviceToken(['support'])}` },
    });
    expect(api.json<{ order: { refunded_total: { amount: number } } }>().order.refunded_total.amount).toBe(
      1000,
    );
    await context.close();
  }, 180_000);

  it('a catalog manager is offered only what the role may do, and the server refuses the rest', async () => {
    const manager = await platform.createStaff('catalog@example.com', ['catalog_manager']);
    const context = await browser.newContext();
    context.setDefaultTimeout(10_000);
    const page = await context.newPage();
    await step(page, 'catalog manager', async () => {
      await signIn(page, manager);
      const nav = await page
        .getByRole('navigation', { name: 'Dashboard' })
        .getByRole('link')
        .allTextContents();
      expect(nav).toEqual(['Products', 'Inventory']);
      expect(await page.locator('svg.chart').count()).toBe(0);
      const res = await page.goto(`${platform.baseUrl}/admin/ui/orders`);
      expect(res?.status()).toBe(403);
      await check(page, 'not allowed');
      const staff = await page.goto(`${platform.baseUrl}/admin/ui/staff`);
      expect(staff?.status()).toBe(403);
    });
    await context.close();
  }, 120_000);
});
