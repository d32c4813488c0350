import { chromiumAvailable } from '@emporium/testkit/browser';
import type { Browser, Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, seriousViolations, step } from './support/browser.ts';
import { type AdminTestPlatform, startAdminPlatform } from './support/platform.ts';

/** A 900×600 PNG made here: a blue field with a yellow square (an opaque picture). */
const picture = () =>
  sharp({ create: { width: 900, height: 600, channels: 3, background: '#1d4ed8' } })
    .composite([{ input: { create: { width: 300, height: 300, channels: 3, background: '#facc15' } } }])
    .png()
    .toBuffer();

// Real: the whole monolith (identity's provider with TOTP, catalog, the media module, storefront
// with its sharp resizer, the dashboard) on PGlite over a real socket, driven by Debian's Chromium.
describe.skipIf(!chromiumAvailable())('product images in the dashboard', () => {
  let platform: AdminTestPlatform;
  let browser: Browser;
  let productId = '';
  const handle = 'tide-clock';

  beforeAll(async () => {
    platform = await startAdminPlatform();
    await platform.listen();
    browser = await launchChromium();
    const token = await platform.serviceToken(['owner']);
    const created = await platform.app.inject({
      method: 'POST',
      url: '/admin/products',
      headers: { authorization: `Bearer ${token}` },
      payload: {
        title: 'Tide Clock',
        handle,
        status: 'published',
        variants: [{ sku: 'TIDE-1', title: 'Oak', prices: [{ amount: 8900, currency_code: 'usd' }] }],
      },
    });
    expect(created.statusCode).toBe(201);
    productId = created.json().product.id;
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await platform?.close();
  });

  async function check(page: Page, label: string): Promise<void> {
    const violations = await seriousViolations(page);
    expect(
      violations.map((v) => `${label} ${v.id}: ${v.help} (${JSON.stringify(v.nodes.map((n) => n.target))})`),
    ).toEqual([]);
  }

  async function signIn(page: Page, staff: { email: string; password: string; totp(): Promise<string> }) {
    await page.goto(`${platform.baseUrl}/admin`);
    await page.getByRole('link', { name: 'Sign in with your staff account' }).click();
    await page.getByLabel('Email').fill(staff.email);
    await page.getByLabel('Password').fill(staff.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByLabel('Authentication code').fill(await staff.totp());
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.waitForURL(`${platform.baseUrl}/admin`);
  }

  /** True once the <img> matching `selector` has loaded real pixels. */
  const loaded = (page: Page, selector: string) =>
    page
      .locator(selector)
      .first()
      .evaluate((el) => {
        const img = el as unknown as { complete: boolean; naturalWidth: number };
        return img.complete && img.naturalWidth > 0;
      });

  it('a catalog manager uploads an image, sees it listed, the storefront shows it resized, and removes it', async () => {
    const manager = await platform.createStaff('catalog@example.com', ['catalog_manager']);
    const context = await browser.newContext();
    context.setDefaultTimeout(15_000);
    const page = await context.newPage();
    const cspErrors: string[] = [];
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text()))
        cspErrors.push(`${page.url()}: ${m.text().slice(0, 80)}`);
    });
    const png = await picture();

    await step(page, 'sign in', () => signIn(page, manager));

    await step(page, 'upload', async () => {
      await page.goto(`${platform.baseUrl}/admin/ui/products/${productId}`);
      expect(await page.getByRole('heading', { name: 'Images' }).count()).toBe(1);
      expect(await page.getByText('No images yet.').count()).toBe(1);
      await check(page, 'product without images');
      await page.getByLabel('Alt text').fill('Tide clock on an oak shelf');
      await page
        .getByLabel('Image file')
        .setInputFiles({ name: 'tide.png', mimeType: 'image/png', buffer: png });
      await page.getByRole('button', { name: 'Upload image' }).click();
      await page.waitForURL(`${platform.baseUrl}/admin/ui/products/${productId}`);
      expect(await page.getByRole('status').textContent()).toContain('Image added.');
      const thumb = page.getByRole('img', { name: 'Tide clock on an oak shelf' });
      expect(await thumb.count()).toBe(1);
      expect(await thumb.getAttribute('src')).toMatch(/^\/media\/[A-Za-z0-9_-]{43}\.webp$/);
      await expect.poll(() => loaded(page, '.images img')).toBe(true);
      expect(await page.locator('.images').textContent()).toContain('900×600');
      await check(page, 'product with an image');
    });

    await step(page, 'the same image again is refused, and a text file gets the API sentence', async () => {
      await page
        .getByLabel('Image file')
        .setInputFiles({ name: 'tide.png', mimeType: 'image/png', buffer: png });
      await page.getByRole('button', { name: 'Upload image' }).click();
      expect(await page.getByRole('alert').textContent()).toContain('This image is already on the product.');
      await page.getByLabel('Image file').setInputFiles({
        name: 'notes.png',
        mimeType: 'image/png',
        buffer: Buffer.from('these are my notes, not a picture'),
      });
      await page.getByRole('button', { name: 'Upload image' }).click();
      expect(await page.getByRole('alert').textContent()).toContain(
        'The file could not be read as an image.',
      );
      expect(await page.getByRole('img', { name: 'Tide clock on an oak shelf' }).count()).toBe(1);
    });

    await step(page, 'a file over 10 MB gets a page that says so', async () => {
      await page.getByLabel('Image file').setInputFiles({
        name: 'huge.png',
        mimeType: 'image/png',
        buffer: Buffer.concat([png, Buffer.alloc(10 * 1024 * 1024)]),
      });
      await page.getByRole('button', { name: 'Upload image' }).click();
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('That was too large');
      expect(await page.locator('main').textContent()).toContain('at most 10 MB');
      await page.goto(`${platform.baseUrl}/admin/ui/products/${productId}`);
      expect(await page.locator('.images img').count()).toBe(1);
    });

    await step(page, 'a multipart post without the form token is refused', async () => {
      const res = await page.evaluate(async (action) => {
        const form = new FormData();
        form.append('alt', 'forged');
        form.append(
          'image',
          new Blob([new Uint8Array([0x89, 0x50, 0x4e, 0x47])], { type: 'image/png' }),
          'x.png',
        );
        const r = await fetch(action, { method: 'POST', body: form });
        return { status: r.status, text: await r.text() };
      }, `/admin/ui/products/${productId}/images`);
      expect(res.status).toBe(403);
      expect(res.text).toContain('This form has expired');
    });

    await step(page, 'storefront', async () => {
      const shop = await context.newPage();
      const images: Array<{ url: string; status: number; type: string }> = [];
      shop.on('response', (r) => {
        if (new URL(r.url()).pathname.startsWith('/img/'))
          images.push({ url: r.url(), status: r.status(), type: r.headers()['content-type'] ?? '' });
      });
      await expect
        .poll(
          async () => {
            await shop.goto(`${platform.baseUrl}/products/${handle}`);
            return shop.locator('picture img[alt="Tide clock on an oak shelf"]').count();
          },
          { timeout: 15_000, interval: 250 },
        )
        .toBe(1);
      const picture = shop.locator('picture').first();
      expect(await picture.locator('source[type="image/avif"]').count()).toBe(1);
      await expect.poll(() => images.length).toBeGreaterThan(0);
      expect(images.every((i) => i.status === 200 && /^image\/(avif|webp)$/.test(i.type))).toBe(true);
      await expect.poll(() => loaded(shop, 'picture img[alt="Tide clock on an oak shelf"]')).toBe(true);
      await check(shop, 'storefront product');
      await shop.close();
    });

    await step(page, 'remove', async () => {
      await page.goto(`${platform.baseUrl}/admin/ui/products/${productId}`);
      await page.getByRole('button', { name: /^Remove image 1/ }).click();
      expect(await page.getByRole('status').textContent()).toContain('Image removed.');
      expect(await page.getByText('No images yet.').count()).toBe(1);
      const api = await platform.app.inject({
        method: 'GET',
        url: `/admin/products/${productId}`,
        headers: { authorization: `Bearer ${await platform.serviceToken(['support'])}` },
      });
      expect(api.json().product.images).toEqual([]);
    });

    expect(cspErrors).toEqual([]);
    await context.close();
  }, 180_000);

  it('support (no catalog:write) sees the images but no upload or remove form', async () => {
    const owner = await platform.serviceToken(['owner']);
    const version = (
      await platform.app.inject({
        method: 'GET',
        url: `/admin/products/${productId}`,
        headers: { authorization: `Bearer ${owner}` },
      })
    ).json().product.version;
    const uploaded = await platform.app.inject({
      method: 'POST',
      url: '/admin/media',
      headers: { authorization: `Bearer ${owner}`, 'content-type': 'image/png' },
      payload: await picture(),
    });
    expect(uploaded.statusCode).toBe(201);
    const { url, width, height } = uploaded.json();
    const patched = await platform.app.inject({
      method: 'PATCH',
      url: `/admin/products/${productId}`,
      headers: { authorization: `Bearer ${owner}`, 'if-match': `"${version}"` },
      payload: { images: [{ url, alt: 'Tide clock, front', width, height }] },
    });
    expect(patched.statusCode).toBe(200);

    const support = await platform.createStaff('support@example.com', ['support']);
    const context = await browser.newContext();
    context.setDefaultTimeout(15_000);
    const page = await context.newPage();
    await step(page, 'support sign in', () => signIn(page, support));
    await step(page, 'support product page', async () => {
      await page.goto(`${platform.baseUrl}/admin/ui/products/${productId}`);
      expect(await page.getByRole('img', { name: 'Tide clock, front' }).count()).toBe(1);
      expect(await page.getByRole('button', { name: 'Upload image' }).count()).toBe(0);
      expect(await page.getByRole('button', { name: /^Remove image/ }).count()).toBe(0);
      await check(page, 'product as support');
    });
    await context.close();
  }, 120_000);
});
