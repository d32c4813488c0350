import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addCategory, addProduct, type SeededProduct, type Shop, startShop } from './support/shop.ts';

// Real catalog, inventory and search modules on PGlite, in-process events; the storefront reads
// them only through the public API (in-process adapter). Every request goes through app.inject.
let shop: Shop;
let shirt: SeededProduct;

beforeAll(async () => {
  shop = await startShop();
  const tops = await addCategory(shop, 'Tops & Tees', 'tops');
  shirt = await addProduct(shop, {
    title: 'Linen <b>Shirt</b>',
    handle: 'linen-shirt',
    category_ids: [tops],
    sizes: ['S', 'M'],
    price: 4900,
  });
  await addProduct(shop, { title: 'Wool Jumper', handle: 'wool-jumper', category_ids: [tops], price: 8900 });
  await addProduct(shop, { title: 'Canvas Tote', handle: 'canvas-tote', price: 1500, stock: 0 });
}, 120_000);
afterAll(() => shop?.close());

const get = (url: string, headers: Record<string, string> = {}) => shop.app.inject({ url, headers });

function nonceOf(csp: string): string {
  return /'nonce-([^']+)'/.exec(csp)?.[1] ?? '';
}

describe('product page', () => {
  it('shows title, price, availability and a variant picker, with every catalog text escaped', async () => {
    const res = await get('/products/linen-shirt');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.body).toContain('<h1>Linen &lt;b&gt;Shirt&lt;/b&gt;</h1>');
    expect(res.body).not.toContain('<b>Shirt</b>');
    expect(res.body).toContain('$49.00');
    expect(res.body).toContain('In stock');
    expect(res.body).toMatch(/<label for="variant">Size<\/label>\s*<select id="variant" name="variant_id"/);
    expect(res.body).toContain(`value="${shirt.variants[1]?.id}"`);
    expect(res.body).toMatch(/<button type="submit">Add to cart<\/button>/);
  });

  it('sends a nonce CSP without unsafe-inline or unsafe-eval that forbids framing the shop', async () => {
    const res = await get('/products/linen-shirt');
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toMatch(/script-src 'nonce-[A-Za-z0-9+/=]{16,}'/);
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval/);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("frame-src 'self'");
    // Every script on the page carries this response's nonce; no inline handlers.
    const scripts = res.body.match(/<script[^>]*>/g) ?? [];
    expect(scripts.length).toBeGreaterThan(0);
    for (const tag of scripts) expect(tag).toContain(`nonce="${nonceOf(csp)}"`);
    expect(res.body).not.toMatch(/\son[a-z]+=/);
    expect(res.body).not.toMatch(/\sstyle=/);
    // A new response has a new nonce.
    expect(nonceOf(String((await get('/products/linen-shirt')).headers['content-security-policy']))).not.toBe(
      nonceOf(csp),
    );
  });

  it('is cacheable at the edge with the catalog surrogate keys, sets no cookie, and answers 304 to its ETag', async () => {
    const res = await get('/products/linen-shirt');
    expect(res.headers.etag).toMatch(/^W\/"/);
    expect(res.headers['cache-control']).toMatch(
      /public, max-age=0, s-maxage=\d+, stale-while-revalidate=\d+/,
    );
    expect(String(res.headers['surrogate-key']).split(' ')).toContain(shirt.id);
    expect(res.headers['set-cookie']).toBeUndefined();
    const again = await get('/products/linen-shirt', { 'if-none-match': String(res.headers.etag) });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
    // The browser keeps the CSP stored with its copy (whose nonce matches that copy's scripts).
    expect(again.headers['content-security-policy']).toBeUndefined();
  });

  it('changes its ETag when the product changes', async () => {
    const before = await get('/products/wool-jumper');
    const product = (await get('/store/products/wool-jumper')).json().product;
    const patch = await shop.app.inject({
      method: 'PATCH',
      url: `/admin/products/${product.id}`,
      headers: { ...shop.admin, 'if-match': String(product.version) },
      payload: { description: 'Now in merino.' },
    });
    expect(patch.statusCode).toBe(200);
    const after = await get('/products/wool-jumper');
    expect(after.body).toContain('Now in merino.');
    expect(after.headers.etag).not.toBe(before.headers.etag);
  });

  it('says when nothing is in stock and disables the button', async () => {
    const res = await get('/products/canvas-tote');
    expect(res.body).toContain('Out of stock');
    expect(res.body).toMatch(/<button type="submit" disabled>Add to cart<\/button>/);
  });

  it('answers an unknown product with an HTML 404', async () => {
    const res = await get('/products/no-such-thing');
    expect(res.statusCode).toBe(404);
    expect(res.body).toContain('We could not find that product.');
  });

  it('weighs under 100 KB with its CSS and JavaScript as the server compresses them (images aside)', async () => {
    for (const encoding of ['br', 'gzip']) {
      const headers = { 'accept-encoding': encoding };
      const page = await get('/products/linen-shirt', headers);
      expect(page.statusCode).toBe(200);
      expect(page.headers['content-encoding']).toBe(encoding);
      expect(page.headers.vary).toMatch(/Accept-Encoding/);
      const html = (encoding === 'br' ? brotliDecompressSync : gunzipSync)(page.rawPayload).toString('utf8');
      expect(html).toContain('<h1>Linen &lt;b&gt;Shirt&lt;/b&gt;</h1>');
      const css = [...html.matchAll(/<link rel="stylesheet" href="([^"]+)"/g)].map((m) => m[1] ?? '');
      const js = [...html.matchAll(/<script src="([^"]+)"/g)].map((m) => m[1] ?? '');
      expect(css.length).toBeGreaterThan(0);
      expect(js.length).toBeGreaterThan(0);
      const assets = await Promise.all([...css, ...js].map((url) => get(url, headers)));
      for (const asset of assets) {
        expect(asset.statusCode).toBe(200);
        expect(asset.headers['content-encoding']).toBe(encoding);
        expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      }
      const total = page.rawPayload.length + assets.reduce((n, a) => n + a.rawPayload.length, 0);
      expect(total).toBeGreaterThan(1000);
      expect(total, `${encoding}: HTML ${page.rawPayload.length} B + CSS and JS`).toBeLessThan(100 * 1024);
    }
  });
});

describe('product images', () => {
  it('serves each image resized to WebP and AVIF at several widths with immutable URLs', async () => {
    const page = (await get('/products/linen-shirt')).body;
    const avif = /<source type="image\/avif" srcset="([^"]+)"/.exec(page)?.[1] ?? '';
    const widths = avif.split(', ').map((s) => Number(s.split(' ')[1]?.replace('w', '')));
    expect(widths).toEqual([320, 640, 960, 1280]);
    const webp320 = /srcset="(\/img\/320\/[^" ]+\.webp) 320w/.exec(page)?.[1] ?? '';
    const image = await get(webp320);
    expect(image.statusCode).toBe(200);
    expect(image.headers['content-type']).toBe('image/webp');
    expect(image.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(image.rawPayload.subarray(8, 12).toString('ascii')).toBe('WEBP');
    const avif320 = avif.split(', ')[0]?.split(' ')[0] ?? '';
    const av = await get(avif320);
    expect(av.headers['content-type']).toBe('image/avif');
    expect(av.rawPayload.subarray(4, 12).toString('ascii')).toMatch(/^ftypavi/);
  });

  it('refuses an image URL whose signature does not match (no resizing on demand for strangers)', async () => {
    const forged = `/img/320/AAAAAAAAAAAAAAAA/${Buffer.from('/media/test/other-1.svg').toString('base64url')}.webp`;
    expect((await get(forged)).statusCode).toBe(404);
  });
});

describe('listings and search', () => {
  it('lists a category with its products, option facets, sorts and the listing surrogate keys', async () => {
    const res = await get('/categories/tops');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('<h1>Tops &amp; Tees</h1>');
    expect(res.body).toContain('href="/products/linen-shirt"');
    expect(res.body).toContain('href="/products/wool-jumper"');
    expect(res.body).not.toContain('href="/products/canvas-tote"');
    expect(res.body).toMatch(/name="option" value="Size:M"/);
    expect(res.body).toMatch(/<label for="sort">Sort by<\/label>/);
    expect(String(res.headers['surrogate-key']).split(' ')).toEqual(
      expect.arrayContaining(['products', shirt.id]),
    );
    const cheapFirst = (await get('/categories/tops?sort=price_asc')).body;
    expect(cheapFirst.indexOf('linen-shirt')).toBeLessThan(cheapFirst.indexOf('wool-jumper'));
    const dearFirst = (await get('/categories/tops?sort=price_desc')).body;
    expect(dearFirst.indexOf('wool-jumper')).toBeLessThan(dearFirst.indexOf('linen-shirt'));
  });

  it('filters by a facet and pages with a plain link (no JavaScript needed)', async () => {
    const filtered = (await get('/categories/tops?option=Size%3AM')).body;
    expect(filtered).toContain('href="/products/linen-shirt"');
    expect(filtered).not.toContain('href="/products/wool-jumper"');
    expect(filtered).toMatch(/value="Size:M" checked/);
  });

  it('finds products by search, keeps the words in the search box, and suggests a spelling', async () => {
    const res = await get('/search?q=jumper');
    expect(res.body).toContain('href="/products/wool-jumper"');
    expect(res.body).toMatch(/<input type="search" id="site-search" name="q" value="jumper"/);
    expect(res.body).toMatch(/<label for="site-search"[^>]*>Search products<\/label>/);
    const typo = await get('/search?q=jumpr');
    expect(typo.body).toContain('href="/products/wool-jumper"');
    const none = await get(`/search?q=${encodeURIComponent('<script>zzzz')}`);
    expect(none.body).toContain('No products match');
    expect(none.body).not.toContain('<script>zzzz');
  });

  it('shows featured products and categories on the home page', async () => {
    const res = await get('/');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('href="/categories/tops"');
    expect(res.body).toContain('href="/products/wool-jumper"');
    expect(res.headers['cache-control']).toMatch(/^public/);
  });
});
