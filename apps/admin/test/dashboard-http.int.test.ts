import { createCatalogModule } from '@emporium/catalog';
import { createInventoryModule } from '@emporium/inventory';
import { startTestPlatform, type TestPlatform } from '@emporium/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAdminDashboard } from '../src/index.ts';

// Real: catalog, inventory, the dashboard, PGlite, the in-process cache; no identity provider
// (no token is valid), which is all these checks need.
describe('dashboard pages over HTTP', () => {
  let platform: TestPlatform;
  const host = { host: '127.0.0.1:3000' };

  beforeAll(async () => {
    platform = await startTestPlatform({
      compose: (ports) => {
        const inventory = createInventoryModule(ports);
        return [
          inventory,
          createCatalogModule(ports, { inventory: inventory.service }),
          createAdminDashboard(ports),
        ];
      },
    });
  });
  afterAll(async () => platform?.close());

  it('sends a browser that is not signed in to the sign-in page, remembering where it was going', async () => {
    for (const url of ['/admin', '/admin/ui/products?q=lamp', '/admin/ui/orders/order_1']) {
      const res = await platform.app.inject({ url, headers: host });
      expect(res.statusCode).toBe(303);
      expect(res.headers.location).toBe(`/admin/ui/sign-in?return_to=${encodeURIComponent(url)}`);
      expect(res.headers['cache-control']).toBe('no-store');
    }
  });

  it('serves pages with no-store and a nonce CSP without unsafe-inline or unsafe-eval', async () => {
    const res = await platform.app.inject({ url: '/admin/ui/sign-in', headers: host });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/html');
    expect(res.headers['cache-control']).toBe('no-store');
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toMatch(/script-src 'nonce-[A-Za-z0-9+/=]{20,}'/);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("form-action 'self'");
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval/);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.body).toContain('Sign in with your staff account');
    const again = await platform.app.inject({ url: '/admin/ui/sign-in', headers: host });
    expect(again.headers['content-security-policy']).not.toBe(csp);
  });

  it('never redirects after sign-in to another site', async () => {
    for (const to of ['https://evil.example/admin', '//evil.example/admin', '/admin/../store', '/adminx']) {
      const res = await platform.app.inject({
        url: `/admin/ui/sign-in?return_to=${encodeURIComponent(to)}`,
        headers: host,
      });
      expect(res.body).toContain('return_to=%2Fadmin"');
    }
  });

  it('refuses a form post without the session token', async () => {
    const res = await platform.app.inject({
      method: 'POST',
      url: '/admin/ui/products',
      headers: { ...host, 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'title=Sneaky&v0_sku=X&v0_prices=1.00%20USD',
    });
    expect(res.statusCode).toBe(403);
    expect(res.body).toContain('This form has expired');
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('leaves the /admin JSON API where it was', async () => {
    const res = await platform.app.inject({ url: '/admin/products', headers: host });
    expect(res.statusCode).toBe(401);
    expect(res.headers['content-type']).toContain('application/problem+json');
  });

  it('serves its stylesheet for a year under a fingerprinted name, and nothing else there', async () => {
    const page = await platform.app.inject({ url: '/admin/ui/sign-in', headers: host });
    const href = /href="(\/admin\/ui\/assets\/admin\.[\w-]+\.css)"/.exec(page.body)?.[1] ?? '';
    const css = await platform.app.inject({ url: href, headers: host });
    expect(css.statusCode).toBe(200);
    expect(css.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    const other = await platform.app.inject({ url: '/admin/ui/assets/admin.old.css', headers: host });
    expect(other.statusCode).toBe(404);
  });
});
