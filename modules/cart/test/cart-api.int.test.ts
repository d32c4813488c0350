import { databaseKinds } from '@emporium/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { address, type CartPlatform, startCartPlatform } from './support/cart-platform.ts';

const usd = (amount: number) => ({ amount, currency_code: 'usd' });
const gbp = (amount: number) => ({ amount, currency_code: 'gbp' });
const eur = (amount: number) => ({ amount, currency_code: 'eur' });

// The whole platform in-process on a real database (PGlite, and PostgreSQL when it answers) with the
// real inventory, catalog, shipping and cart modules; real JWTs from a key made for this test.
describe.each(databaseKinds())('cart store API on %s', (kind) => {
  let p: CartPlatform;
  const TTL = 10 * 60_000;

  beforeAll(async () => {
    p = await startCartPlatform({ database: kind, reservationTtlMs: TTL });
    // Shipping and tax as a shop would set them up through the admin API.
    const us = await p.inject('POST', '/admin/shipping/zones', {
      headers: p.owner,
      body: { name: 'United States', countries: ['us'] },
    });
    expect(us.status).toBe(201);
    await p.inject('POST', `/admin/shipping/zones/${us.json.zone.id}/options`, {
      headers: p.owner,
      body: {
        name: 'Standard',
        rule: { kind: 'free_above', free_above: [usd(10_000)] },
        prices: [usd(500)],
        rank: 1,
      },
    });
    const uk = await p.inject('POST', '/admin/shipping/zones', {
      headers: p.owner,
      body: { name: 'United Kingdom', countries: ['gb'] },
    });
    await p.inject('POST', `/admin/shipping/zones/${uk.json.zone.id}/options`, {
      headers: p.owner,
      body: { name: 'Royal Mail', rule: { kind: 'flat' }, prices: [gbp(300)] },
    });
    for (const body of [
      { country_code: 'gb', name: 'UK VAT', rate_bp: 2000, inclusive: true },
      { country_code: 'us', region: 'ny', name: 'New York sales tax', rate_bp: 888, inclusive: false },
    ]) {
      expect((await p.inject('POST', '/admin/tax-regions', { headers: p.owner, body })).status).toBe(201);
    }
  });
  afterAll(async () => {
    await p?.close();
  });

  const newCart = async (body: Record<string, unknown> = {}, headers: Record<string, string> = {}) => {
    const r = await p.inject('POST', '/store/carts', { body, headers });
    expect(r.status).toBe(201);
    return {
      id: r.json.cart.id as string,
      auth: { authorization: `Bearer ${r.json.secret}` },
      cart: r.json.cart,
    };
  };

  it('creates a cart with an unguessable secret and serves it only to its holder', async () => {
    const r = await p.inject('POST', '/store/carts', { body: {} });
    expect(r.status).toBe(201);
    expect(r.json.cart).toMatchObject({ currency_code: 'usd', items: [], total: usd(0) });
    expect(r.json.cart.id).toMatch(/^cart_/);
    expect(r.json.secret).toMatch(/^cs_[A-Za-z0-9_-]{43}$/);
    const other = await newCart();
    const id = r.json.cart.id;
    expect(
      (await p.inject('GET', `/store/carts/${id}`, { headers: { authorization: `Bearer ${r.json.secret}` } }))
        .status,
    ).toBe(200);
    // No secret, another cart's secret, a made-up secret, an unknown cart: all the same 404.
    for (const headers of [{}, other.auth, { authorization: 'Bearer cs_nottheone' }]) {
      const denied = await p.inject('GET', `/store/carts/${id}`, { headers });
      expect(denied.status).toBe(404);
      expect(denied.json.code).toBe('cart_not_found');
    }
    expect(
      (await p.inject('GET', '/store/carts/cart_01jd0000000000000000000000', { headers: other.auth })).status,
    ).toBe(404);
    // Nor can another cart's secret change this one.
    const [v] = await p.product([{ prices: { usd: 1000 } }]);
    expect(
      (
        await p.inject('POST', `/store/carts/${id}/items`, {
          headers: other.auth,
          body: { variant_id: v, quantity: 1 },
        })
      ).status,
    ).toBe(404);
  });

  it("serves a customer's cart to that customer's token, and to no other customer", async () => {
    const alice = await p.auth.headers({ kind: 'customer', subject: 'cus_alice' });
    const bob = await p.auth.headers({ kind: 'customer', subject: 'cus_bob' });
    const c = await newCart({}, alice);
    expect(c.cart.customer_id).toBe('cus_alice');
    expect((await p.inject('GET', `/store/carts/${c.id}`, { headers: alice })).status).toBe(200);
    expect((await p.inject('GET', `/store/carts/${c.id}`, { headers: bob })).status).toBe(404);
    // A guest cart is not any customer's.
    const guest = await newCart();
    expect((await p.inject('GET', `/store/carts/${guest.id}`, { headers: alice })).status).toBe(404);
  });

  it('gives a guest cart, lines and hold included, to the customer who signs in with its secret', async () => {
    const alice = await p.auth.headers({ kind: 'customer', subject: 'cus_claim_alice' });
    const bob = await p.auth.headers({ kind: 'customer', subject: 'cus_claim_bob' });
    const [v] = await p.product([{ prices: { usd: 1200 } }]);
    const guest = await newCart();
    const secret = guest.auth.authorization.slice('Bearer '.length);
    await p.inject('POST', `/store/carts/${guest.id}/items`, {
      headers: guest.auth,
      body: { variant_id: v, quantity: 2 },
    });
    const claim = (headers: Record<string, string>, body: unknown) =>
      p.inject('POST', `/store/carts/${guest.id}/customer`, { headers, body });

    // Without a customer's token: 401; with a wrong secret: the same 404 as any other cart.
    expect((await claim({}, { secret })).status).toBe(401);
    expect((await claim(alice, { secret: 'cs_nottheone' })).json.code).toBe('cart_not_found');
    expect((await claim(alice, { secret, total: 0 })).status).toBe(422);

    const claimed = await claim(alice, { secret });
    expect(claimed.status).toBe(200);
    expect(claimed.json.cart).toMatchObject({ customer_id: 'cus_claim_alice', items: [{ quantity: 2 }] });
    expect((await p.inject('GET', `/store/carts/${guest.id}`, { headers: alice })).status).toBe(200);
    // Again by the same customer: the same answer. By another, even with the secret: 404.
    expect((await claim(alice, { secret })).status).toBe(200);
    expect((await claim(bob, { secret })).status).toBe(404);
    expect((await p.inject('GET', `/store/carts/${guest.id}`, { headers: bob })).status).toBe(404);
  });

  it('adds, changes and removes lines, priced by the server', async () => {
    const [a, b] = await p.product([{ prices: { usd: 1999 } }, { prices: { usd: 500 } }]);
    const c = await newCart();
    let r = await p.inject('POST', `/store/carts/${c.id}/items`, {
      headers: c.auth,
      body: { variant_id: a, quantity: 2 },
    });
    expect(r.status).toBe(200);
    expect(r.json.cart.items).toHaveLength(1);
    expect(r.json.cart.items[0]).toMatchObject({
      variant_id: a,
      quantity: 2,
      unit_price: usd(1999),
      subtotal: usd(3998),
      available: true,
    });
    // Adding the same variant again adds to its line.
    r = await p.inject('POST', `/store/carts/${c.id}/items`, {
      headers: c.auth,
      body: { variant_id: a, quantity: 1 },
    });
    expect(r.json.cart.items).toHaveLength(1);
    expect(r.json.cart.items[0].quantity).toBe(3);
    r = await p.inject('POST', `/store/carts/${c.id}/items`, {
      headers: c.auth,
      body: { variant_id: b, quantity: 4 },
    });
    expect(r.json.cart).toMatchObject({
      subtotal: usd(5997 + 2000),
      shipping_total: usd(0),
      tax_total: usd(0),
      total: usd(7997),
    });
    const lineA = r.json.cart.items[0].id;
    const lineB = r.json.cart.items[1].id;
    r = await p.inject('PATCH', `/store/carts/${c.id}/items/${lineA}`, {
      headers: c.auth,
      body: { quantity: 1 },
    });
    expect(r.status).toBe(200);
    expect(r.json.cart.subtotal).toEqual(usd(1999 + 2000));
    r = await p.inject('DELETE', `/store/carts/${c.id}/items/${lineB}`, { headers: c.auth });
    expect(r.status).toBe(200);
    expect(r.json.cart.items.map((i: { id: string }) => i.id)).toEqual([lineA]);
    expect(r.json.cart.total).toEqual(usd(1999));
    const gone = await p.inject('PATCH', `/store/carts/${c.id}/items/${lineB}`, {
      headers: c.auth,
      body: { quantity: 1 },
    });
    expect(gone.status).toBe(404);
    expect(gone.json.code).toBe('cart_item_not_found');
  });

  it('serves each shopper their own cart when many are read at the same moment (reads share statements)', async () => {
    const [a, b] = await p.product([{ prices: { usd: 700 } }, { prices: { usd: 300 } }]);
    const carts = await Promise.all(Array.from({ length: 6 }, () => newCart()));
    await Promise.all(
      carts.map((c, i) =>
        p.inject('POST', `/store/carts/${c.id}/items`, {
          headers: c.auth,
          body: { variant_id: i % 2 ? a : b, quantity: i + 1 },
        }),
      ),
    );
    const [read, checkout, missing] = await Promise.all([
      Promise.all(carts.map((c) => p.inject('GET', `/store/carts/${c.id}`, { headers: c.auth }))),
      Promise.all(carts.map((c) => p.cart.getForCheckout(c.id))),
      p.cart.getCart('cart_unknown'),
    ]);
    read.forEach((r, i) => {
      expect(r.status).toBe(200);
      expect(r.json.cart.id).toBe(carts[i]?.id);
      expect(r.json.cart.items).toMatchObject([{ variant_id: i % 2 ? a : b, quantity: i + 1 }]);
      expect(r.json.cart.subtotal).toEqual(usd((i % 2 ? 700 : 300) * (i + 1)));
    });
    // Not ready for checkout (no email or address yet), each for its own cart's reasons.
    expect(checkout.map((c) => (c.ok ? 'ok' : c.code))).toEqual(Array(6).fill('email_required'));
    expect(missing).toBeUndefined();
  });

  it('rejects unknown fields, so a client can never set a price, total or discount', async () => {
    const [v] = await p.product([{ prices: { usd: 1000 } }]);
    const c = await newCart();
    for (const body of [
      { variant_id: v, quantity: 1, unit_price: 1 },
      { variant_id: v, quantity: 1, price: { amount: 1, currency_code: 'usd' } },
      { variant_id: v, quantity: 1, discount: 500 },
    ]) {
      const r = await p.inject('POST', `/store/carts/${c.id}/items`, { headers: c.auth, body });
      expect(r.status, JSON.stringify(body)).toBeGreaterThanOrEqual(400);
      expect(r.status).toBeLessThan(500);
      expect(r.json.code).toBe('validation_failed');
    }
    for (const body of [
      { total: usd(1) },
      { subtotal: usd(1) },
      { discount_total: usd(1) },
      { tax_total: usd(0) },
    ]) {
      const r = await p.inject('PATCH', `/store/carts/${c.id}`, { headers: c.auth, body });
      expect(r.json.code, JSON.stringify(body)).toBe('validation_failed');
    }
    expect((await p.inject('POST', '/store/carts', { body: { total: usd(1) } })).json.code).toBe(
      'validation_failed',
    );
    const after = await p.inject('GET', `/store/carts/${c.id}`, { headers: c.auth });
    expect(after.json.cart.items).toEqual([]);
  });

  it('accepts quantities from 1 to 999 only, as whole numbers', async () => {
    const [v] = await p.product([{ prices: { usd: 100 }, stock: 5000 }]);
    const c = await newCart();
    for (const quantity of [0, -1, 1000, 1.5, '2']) {
      const r = await p.inject('POST', `/store/carts/${c.id}/items`, {
        headers: c.auth,
        body: { variant_id: v, quantity },
      });
      expect(r.json.code, String(quantity)).toBe('validation_failed');
    }
    const ok = await p.inject('POST', `/store/carts/${c.id}/items`, {
      headers: c.auth,
      body: { variant_id: v, quantity: 999 },
    });
    expect(ok.status).toBe(200);
    // Adding more to a full line would pass 999.
    const over = await p.inject('POST', `/store/carts/${c.id}/items`, {
      headers: c.auth,
      body: { variant_id: v, quantity: 1 },
    });
    expect(over.status).toBe(422);
    expect(over.json.code).toBe('validation_failed');
    const line = ok.json.cart.items[0].id;
    const zero = await p.inject('PATCH', `/store/carts/${c.id}/items/${line}`, {
      headers: c.auth,
      body: { quantity: 0 },
    });
    expect(zero.json.code).toBe('validation_failed');
  });

  it('names an unknown or unsellable variant', async () => {
    const c = await newCart();
    const unknown = await p.inject('POST', `/store/carts/${c.id}/items`, {
      headers: c.auth,
      body: { variant_id: 'var_01jd0000000000000000000000', quantity: 1 },
    });
    expect(unknown.status).toBe(422);
    expect(unknown.json).toMatchObject({
      code: 'variant_not_found',
      variant_id: 'var_01jd0000000000000000000000',
    });
    expect(unknown.json.detail).toContain('var_01jd0000000000000000000000');
    const [draft] = await p.product([{ prices: { usd: 100 } }], 'draft');
    const r = await p.inject('POST', `/store/carts/${c.id}/items`, {
      headers: c.auth,
      body: { variant_id: draft, quantity: 1 },
    });
    expect(r.json).toMatchObject({ code: 'variant_not_for_sale', variant_id: draft });
    const [eurOnly] = await p.product([{ prices: { eur: 100 } }]);
    const noPrice = await p.inject('POST', `/store/carts/${c.id}/items`, {
      headers: c.auth,
      body: { variant_id: eurOnly, quantity: 1 },
    });
    expect(noPrice.json).toMatchObject({ code: 'variant_not_for_sale', variant_id: eurOnly });
  });

  it('holds stock while in the cart and gives it back when a line is removed', async () => {
    const [v] = await p.product([{ prices: { usd: 100 }, stock: 5 }]);
    const available = async () => (await p.inventory.service.available([v])).get(v);
    const c = await newCart();
    const r = await p.inject('POST', `/store/carts/${c.id}/items`, {
      headers: c.auth,
      body: { variant_id: v, quantity: 3 },
    });
    expect(await available()).toBe(2);
    expect(r.json.cart.reservation_expires_at).toBe(new Date(p.clock.now().getTime() + TTL).toISOString());
    const line = r.json.cart.items[0].id;
    await p.inject('PATCH', `/store/carts/${c.id}/items/${line}`, { headers: c.auth, body: { quantity: 5 } });
    expect(await available()).toBe(0);
    await p.inject('PATCH', `/store/carts/${c.id}/items/${line}`, { headers: c.auth, body: { quantity: 1 } });
    expect(await available()).toBe(4);
    const removed = await p.inject('DELETE', `/store/carts/${c.id}/items/${line}`, { headers: c.auth });
    expect(await available()).toBe(5);
    expect(removed.json.cart.reservation_expires_at).toBeNull();
  });

  it('409 out_of_stock names the line and what is available, and changes nothing', async () => {
    const [v] = await p.product([{ prices: { usd: 100 }, stock: 3 }]);
    const c = await newCart();
    const first = await p.inject('POST', `/store/carts/${c.id}/items`, {
      headers: c.auth,
      body: { variant_id: v, quantity: 2 },
    });
    const line = first.json.cart.items[0].id;
    const r = await p.inject('PATCH', `/store/carts/${c.id}/items/${line}`, {
      headers: c.auth,
      body: { quantity: 4 },
    });
    expect(r.status).toBe(409);
    expect(r.json.code).toBe('out_of_stock');
    expect(r.json.shortages).toEqual([{ item_id: line, variant_id: v, requested: 4, available: 3 }]);
    expect(r.json.detail).toContain(v);
    // Another shopper cannot take what this cart holds.
    const other = await newCart();
    const taken = await p.inject('POST', `/store/carts/${other.id}/items`, {
      headers: other.auth,
      body: { variant_id: v, quantity: 2 },
    });
    expect(taken.status).toBe(409);
    expect(taken.json.shortages).toEqual([{ item_id: '', variant_id: v, requested: 2, available: 1 }]);
    const still = await p.inject('GET', `/store/carts/${c.id}`, { headers: c.auth });
    expect(still.json.cart.items[0].quantity).toBe(2);
    expect((await p.inventory.service.available([v])).get(v)).toBe(1);
  });

  it('returns the stock when the hold expires, and holds it again on the next change', async () => {
    const [v, w] = await p.product([
      { prices: { usd: 100 }, stock: 4 },
      { prices: { usd: 100 }, stock: 4 },
    ]);
    const c = await newCart();
    await p.inject('POST', `/store/carts/${c.id}/items`, {
      headers: c.auth,
      body: { variant_id: v, quantity: 4 },
    });
    expect((await p.inventory.service.available([v])).get(v)).toBe(0);
    p.clock.advance(TTL + 1);
    expect((await p.inventory.service.available([v])).get(v)).toBe(4);
    const lapsed = await p.inject('GET', `/store/carts/${c.id}`, { headers: c.auth });
    expect(lapsed.json.cart.reservation_expires_at).toBeNull();
    // Any line change holds every line again.
    await p.inject('POST', `/store/carts/${c.id}/items`, {
      headers: c.auth,
      body: { variant_id: w, quantity: 1 },
    });
    expect(await p.inventory.service.available([v, w])).toEqual(
      new Map([
        [v, 0],
        [w, 3],
      ]),
    );
  });

  it('validates addresses, including the country code against ISO 3166-1', async () => {
    const c = await newCart();
    const bad = await p.inject('PATCH', `/store/carts/${c.id}`, {
      headers: c.auth,
      body: { shipping_address: address('xx') },
    });
    expect(bad.status).toBe(422);
    expect(bad.json.code).toBe('validation_failed');
    expect(bad.json.errors[0].path).toBe('/shipping_address/country_code');
    const upper = await p.inject('PATCH', `/store/carts/${c.id}`, {
      headers: c.auth,
      body: { shipping_address: address('GB') },
    });
    expect(upper.json.code).toBe('validation_failed');
    const missing = await p.inject('PATCH', `/store/carts/${c.id}`, {
      headers: c.auth,
      body: { shipping_address: { ...address('gb'), city: undefined } },
    });
    expect(missing.json.code).toBe('validation_failed');
    const email = await p.inject('PATCH', `/store/carts/${c.id}`, {
      headers: c.auth,
      body: { email: 'not-an-email' },
    });
    expect(email.json.code).toBe('validation_failed');
    const ok = await p.inject('PATCH', `/store/carts/${c.id}`, {
      headers: c.auth,
      body: { email: 'ada@example.com', shipping_address: address('gb') },
    });
    expect(ok.status).toBe(200);
    expect(ok.json.cart).toMatchObject({
      email: 'ada@example.com',
      shipping_address: address('gb'),
      billing_address: null,
    });
    // A NUL character cannot be stored: refused at the edge, the cart unchanged.
    const nul = await p.inject('PATCH', `/store/carts/${c.id}`, {
      headers: c.auth,
      body: { shipping_address: { ...address('gb'), line1: '1 High St\u0000' } },
    });
    expect(nul.status).toBe(422);
    expect(nul.json.errors).toEqual([
      { path: '/shipping_address/line1', message: 'must not contain the NUL character' },
    ]);
    const after = await p.inject('GET', `/store/carts/${c.id}`, { headers: c.auth });
    expect(after.json.cart.shipping_address).toEqual(address('gb'));
  });

  it('totals with inclusive tax: prices contain the VAT, the total does not grow', async () => {
    const [v] = await p.product([{ prices: { usd: 999, gbp: 1200 } }]);
    const c = await newCart({ currency_code: 'gbp', shipping_address: address('gb') });
    await p.inject('POST', `/store/carts/${c.id}/items`, {
      headers: c.auth,
      body: { variant_id: v, quantity: 2 },
    });
    const options = await p.inject('GET', `/store/carts/${c.id}/shipping-options`, { headers: c.auth });
    expect(options.json.data).toEqual([expect.objectContaining({ name: 'Royal Mail', price: gbp(300) })]);
    const r = await p.inject('PATCH', `/store/carts/${c.id}`, {
      headers: c.auth,
      body: { shipping_option_id: options.json.data[0].id },
    });
    expect(r.status).toBe(200);
    // 2400 + 300 shipping, 20 % included: 400 on the items and 50 on shipping.
    expect(r.json.cart).toMatchObject({
      subtotal: gbp(2400),
      shipping_total: gbp(300),
      tax_total: gbp(450),
      total: gbp(2700),
      tax_inclusive: true,
      shipping_option: { id: options.json.data[0].id, name: 'Royal Mail', price: gbp(300) },
    });
    expect(r.json.cart.items[0].tax_total).toEqual(gbp(400));
  });

  it('totals with exclusive tax by region, and free shipping above the threshold', async () => {
    const [v] = await p.product([{ prices: { usd: 1999 } }]);
    const c = await newCart({ shipping_address: address('us', 'ny') });
    await p.inject('POST', `/store/carts/${c.id}/items`, {
      headers: c.auth,
      body: { variant_id: v, quantity: 3 },
    });
    const options = await p.inject('GET', `/store/carts/${c.id}/shipping-options`, { headers: c.auth });
    expect(options.json.data).toEqual([expect.objectContaining({ name: 'Standard', price: usd(500) })]);
    let r = await p.inject('PATCH', `/store/carts/${c.id}`, {
      headers: c.auth,
      body: { shipping_option_id: options.json.data[0].id },
    });
    // 5997 + 500; 8.88 % on top, per line and on shipping: 532.53… → 533, 44.4 → 44.
    expect(r.json.cart).toMatchObject({
      subtotal: usd(5997),
      shipping_total: usd(500),
      tax_total: usd(577),
      total: usd(7074),
      tax_inclusive: false,
    });
    const line = r.json.cart.items[0].id;
    r = await p.inject('PATCH', `/store/carts/${c.id}/items/${line}`, {
      headers: c.auth,
      body: { quantity: 6 },
    });
    // 11994 ≥ 10000: Standard is free now.
    expect(r.json.cart).toMatchObject({
      subtotal: usd(11_994),
      shipping_total: usd(0),
      tax_total: usd(1065),
      total: usd(13_059),
    });
    // Another state has no tax region here: no tax.
    r = await p.inject('PATCH', `/store/carts/${c.id}`, {
      headers: c.auth,
      body: { shipping_address: address('us', 'or') },
    });
    expect(r.json.cart).toMatchObject({ tax_total: usd(0), total: usd(11_994) });
  });

  it('refuses a shipping option that does not ship to the address', async () => {
    const c = await newCart({ shipping_address: address('gb'), currency_code: 'gbp' });
    const ukOptions = await p.inject('GET', `/store/carts/${c.id}/shipping-options`, { headers: c.auth });
    const us = await newCart({ shipping_address: address('us') });
    const r = await p.inject('PATCH', `/store/carts/${us.id}`, {
      headers: us.auth,
      body: { shipping_option_id: ukOptions.json.data[0].id },
    });
    expect(r.status).toBe(422);
    expect(r.json.code).toBe('shipping_option_unavailable');
    const none = await newCart();
    const noAddress = await p.inject('GET', `/store/carts/${none.id}/shipping-options`, {
      headers: none.auth,
    });
    expect(noAddress.status).toBe(422);
    expect(noAddress.json.code).toBe('shipping_address_required');
    // A country without a zone gets no options.
    const far = await newCart({ shipping_address: address('nz') });
    expect(
      (await p.inject('GET', `/store/carts/${far.id}/shipping-options`, { headers: far.auth })).json.data,
    ).toEqual([]);
  });

  it('gives checkout a priced cart and its hold, and a completed cart can no longer change', async () => {
    const [v] = await p.product([{ prices: { usd: 2500 } }]);
    const c = await newCart();
    await p.inject('POST', `/store/carts/${c.id}/items`, {
      headers: c.auth,
      body: { variant_id: v, quantity: 1 },
    });
    const notReady = await p.cart.getForCheckout(c.id);
    expect(notReady).toMatchObject({ ok: false, code: 'email_required' });
    const options = async () =>
      (await p.inject('GET', `/store/carts/${c.id}/shipping-options`, { headers: c.auth })).json.data;
    await p.cart.update(c.id, { email: 'ada@example.com', shipping_address: address('us') });
    expect(await p.cart.getForCheckout(c.id)).toMatchObject({ ok: false, code: 'shipping_option_required' });
    const updated = await p.cart.update(c.id, { shipping_option_id: (await options())[0].id });
    expect(updated.ok).toBe(true);
    const ready = await p.cart.getForCheckout(c.id);
    if (!ready.ok) throw new Error(ready.message);
    expect(ready.cart).toMatchObject({
      email: 'ada@example.com',
      billing_address: address('us'),
      lines: [{ variant_id: v, quantity: 1, unit_price: usd(2500) }],
      total: usd(3000),
    });
    expect(ready.cart.reservation?.id).toMatch(/^res_/);
    const held = await p.cart.refreshReservation(c.id);
    if (!held.ok) throw new Error(held.message);
    expect(held.reservation_id).not.toBe(ready.cart.reservation?.id);
    expect((await p.inventory.service.commit(held.reservation_id)).ok).toBe(true);
    expect(await p.cart.complete(c.id, { orderId: 'order_1' })).toEqual({ ok: true });
    expect(await p.cart.complete(c.id, { orderId: 'order_1' })).toEqual({ ok: true });
    expect(await p.cart.complete(c.id, { orderId: 'order_2' })).toMatchObject({
      ok: false,
      code: 'cart_completed',
    });
    expect(await p.cart.getForCheckout(c.id)).toMatchObject({ ok: false, code: 'cart_completed' });
    const add = await p.inject('POST', `/store/carts/${c.id}/items`, {
      headers: c.auth,
      body: { variant_id: v, quantity: 1 },
    });
    expect(add.status).toBe(409);
    expect(add.json.code).toBe('cart_completed');
    const patch = await p.inject('PATCH', `/store/carts/${c.id}`, {
      headers: c.auth,
      body: { email: 'x@example.com' },
    });
    expect(patch.json.code).toBe('cart_completed');
    const got = await p.inject('GET', `/store/carts/${c.id}`, { headers: c.auth });
    expect(got.json.cart).toMatchObject({ order_id: 'order_1', email: 'ada@example.com' });
    expect(got.json.cart.completed_at).not.toBeNull();
  });

  it('keeps the cart’s hold for checkout while it lasts long enough, and holds the stock anew once it does not', async () => {
    const [v] = await p.product([{ prices: { usd: 2500 } }]);
    const c = await newCart({ email: 'ada@example.com', shipping_address: address('us') });
    await p.inject('POST', `/store/carts/${c.id}/items`, {
      headers: c.auth,
      body: { variant_id: v, quantity: 2 },
    });
    const option = (await p.inject('GET', `/store/carts/${c.id}/shipping-options`, { headers: c.auth })).json
      .data[0].id;
    await p.cart.update(c.id, { shipping_option_id: option });
    const ready = await p.cart.getForCheckout(c.id);
    if (!ready.ok || !ready.cart.reservation) throw new Error('expected a held cart');
    const held = ready.cart.reservation;
    // The cart's hold lasts TTL (10 minutes) from the change: a checkout asking 5 keeps it as it is.
    p.clock.advance(60_000);
    const row = () =>
      p.platform.ports.db.primary
        .selectFrom('cart.carts')
        .select(['email', 'updated_at', 'reservation_id'])
        .where('id', '=', c.id)
        .executeTakeFirstOrThrow();
    const before = await row();
    const kept = await p.cart.prepareCheckout(c.id, { shipping_option_id: option }, { ttlMs: 5 * 60_000 });
    if (!kept.ok) throw new Error(kept.code);
    expect(kept.cart.reservation).toEqual(held);
    // Same details, same hold: nothing was written.
    expect(await row()).toEqual(before);
    // A changed detail is saved, the hold still kept.
    const changed = await p.cart.prepareCheckout(
      c.id,
      { shipping_option_id: option, email: 'grace@example.com' },
      { ttlMs: 5 * 60_000 },
    );
    if (!changed.ok) throw new Error(changed.code);
    expect(changed.cart.reservation).toEqual(held);
    expect(await row()).toMatchObject({ email: 'grace@example.com', reservation_id: held.id });
    // Eight minutes on, two are left: the checkout holds the same units anew for its five.
    p.clock.advance(7 * 60_000);
    const renewed = await p.cart.prepareCheckout(c.id, { shipping_option_id: option }, { ttlMs: 5 * 60_000 });
    if (!renewed.ok) throw new Error(renewed.code);
    expect(renewed.cart.reservation.id).not.toBe(held.id);
    expect(renewed.cart.reservation.expires_at).toBe(
      new Date(p.clock.now().getTime() + 5 * 60_000).toISOString(),
    );
    const [level] = await p.inventory.service.levels([v]);
    expect(level).toMatchObject({ reserved: 2 });
    // And the hold it made is the cart's now, and what a sale takes.
    const after = await p.cart.getForCheckout(c.id);
    expect(after.ok && after.cart.reservation?.id).toBe(renewed.cart.reservation.id);
    expect((await p.inventory.service.commit(renewed.cart.reservation.id)).ok).toBe(true);
  });

  it("leaves a kept hold's new details to the caller's transaction when asked, saving them with it", async () => {
    const [v] = await p.product([{ prices: { usd: 2500 } }]);
    const carts = await Promise.all(
      [1, 2].map(async () => {
        const c = await newCart({ email: 'ada@example.com', shipping_address: address('us') });
        await p.inject('POST', `/store/carts/${c.id}/items`, {
          headers: c.auth,
          body: { variant_id: v, quantity: 1 },
        });
        return c;
      }),
    );
    const [first, second] = carts;
    if (!first || !second) throw new Error('expected two carts');
    const option = (
      await p.inject('GET', `/store/carts/${first.id}/shipping-options`, { headers: first.auth })
    ).json.data[0].id;
    const email = (id: string) =>
      p.platform.ports.db.primary
        .selectFrom('cart.carts')
        .select(['email', 'shipping_option_id'])
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
    const prepared = await Promise.all(
      carts.map((c, i) =>
        p.cart.prepareCheckout(
          c.id,
          { shipping_option_id: option, email: `buyer${i}@example.com` },
          { ttlMs: 5 * 60_000, saveDetails: 'caller' },
        ),
      ),
    );
    const details = prepared.map((r) => (r.ok ? r.unsavedDetails : undefined));
    // Priced with the new details, nothing written yet.
    expect(prepared.map((r) => r.ok && r.cart.email)).toEqual(['buyer0@example.com', 'buyer1@example.com']);
    expect(await email(first.id)).toEqual({ email: 'ada@example.com', shipping_option_id: null });
    if (!details[0] || !details[1]) throw new Error('expected details to save');
    const all = [details[0], details[1]];
    // A rolled-back transaction saves nothing…
    await expect(
      p.platform.ports.db.transaction(async (trx) => {
        await p.cart.saveDetailsMany(all, trx);
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    expect(await email(first.id)).toMatchObject({ email: 'ada@example.com' });
    // …a committed one saves every cart's.
    await p.platform.ports.db.transaction((trx) => p.cart.saveDetailsMany(all, trx));
    expect(await email(first.id)).toEqual({ email: 'buyer0@example.com', shipping_option_id: option });
    expect(await email(second.id)).toEqual({ email: 'buyer1@example.com', shipping_option_id: option });
    // The same details again: nothing to save.
    const again = await p.cart.prepareCheckout(
      first.id,
      { shipping_option_id: option, email: 'buyer0@example.com' },
      { ttlMs: 5 * 60_000, saveDetails: 'caller' },
    );
    expect(again.ok && again.unsavedDetails).toBeUndefined();
    // A cart completed meanwhile fails the caller's transaction.
    expect(await p.cart.complete(second.id, { orderId: 'order_details' })).toEqual({ ok: true });
    const late = [{ ...details[0], email: 'late@example.com' }, details[1]];
    await expect(p.platform.ports.db.transaction((trx) => p.cart.saveDetailsMany(late, trx))).rejects.toThrow(
      /completed while its checkout ran/,
    );
    expect(await email(first.id)).toMatchObject({ email: 'buyer0@example.com' });
  });

  it('announces a completed cart once, with its order and its customer (none for a guest)', async () => {
    const alice = await p.auth.headers({ kind: 'customer', subject: 'cus_done_alice' });
    const mine = await newCart({}, alice);
    const guest = await newCart();
    p.clock.advance(1_000);
    expect(await p.cart.complete(mine.id, { orderId: 'order_alice' })).toEqual({ ok: true });
    expect(await p.cart.complete(guest.id, { orderId: 'order_guest' })).toEqual({ ok: true });
    expect(await p.cart.complete(guest.id, { orderId: 'order_guest' })).toEqual({ ok: true });
    const events = await p.platform.ports.db.primary
      .selectFrom('platform.outbox')
      .select(['key', 'payload'])
      .where('type', '=', 'cart.cart.completed.v1')
      .where('key', 'in', [mine.id, guest.id])
      .orderBy('key')
      .execute();
    const completedAt = p.clock.now().toISOString();
    expect(events).toEqual(
      [
        {
          key: mine.id,
          payload: {
            cart_id: mine.id,
            order_id: 'order_alice',
            customer_id: 'cus_done_alice',
            completed_at: completedAt,
          },
        },
        {
          key: guest.id,
          payload: {
            cart_id: guest.id,
            order_id: 'order_guest',
            customer_id: null,
            completed_at: completedAt,
          },
        },
      ].sort((a, b) => (a.key < b.key ? -1 : 1)),
    );
  });

  it('completes several carts at once, each announced with its own order and customer, each answered', async () => {
    const bob = await p.auth.headers({ kind: 'customer', subject: 'cus_many_bob' });
    const his = await newCart({}, bob);
    const guest = await newCart();
    const taken = await newCart();
    await p.cart.complete(taken.id, { orderId: 'order_earlier' });
    p.clock.advance(1_000);
    const outcomes = await p.cart.completeMany([
      { cartId: guest.id, orderId: 'order_many_guest' },
      { cartId: taken.id, orderId: 'order_many_taken' },
      { cartId: 'cart_unknown', orderId: 'order_many_unknown' },
      { cartId: his.id, orderId: 'order_many_bob' },
    ]);
    expect(Object.fromEntries(outcomes)).toEqual({
      [his.id]: { ok: true },
      [guest.id]: { ok: true },
      [taken.id]: { ok: false, code: 'cart_completed', message: 'This cart has been checked out already.' },
      cart_unknown: { ok: false, code: 'cart_not_found', message: 'This cart was not found.' },
    });
    const events = await p.platform.ports.db.primary
      .selectFrom('platform.outbox')
      .select(['key', 'payload'])
      .where('type', '=', 'cart.cart.completed.v1')
      .where('key', 'in', [his.id, guest.id, taken.id, 'cart_unknown'])
      .orderBy('id')
      .execute();
    const at = p.clock.now().toISOString();
    const completed = (cartId: string, orderId: string, customerId: string | null) => ({
      key: cartId,
      payload: { cart_id: cartId, order_id: orderId, customer_id: customerId, completed_at: at },
    });
    expect(events.filter((e) => e.key !== taken.id)).toEqual(
      expect.arrayContaining([
        completed(his.id, 'order_many_bob', 'cus_many_bob'),
        completed(guest.id, 'order_many_guest', null),
      ]),
    );
    // The cart completed earlier was announced once, for its own order; the unknown one never.
    expect(
      events.filter((e) => e.key !== his.id && e.key !== guest.id).map((e) => e.payload.order_id),
    ).toEqual(['order_earlier']);
    expect(events).toHaveLength(3);
  });

  it('creates a cart from a request without a body', async () => {
    const r = await p.platform.app.inject({ method: 'POST', url: '/store/carts' });
    expect(r.statusCode).toBe(201);
    expect(r.json().cart.currency_code).toBe('usd');
  });

  it('keeps the hold equal to the lines when changes to one cart race', async () => {
    const variants = [
      ...(await p.product([
        { prices: { usd: 100 }, stock: 50 },
        { prices: { usd: 100 }, stock: 50 },
      ])),
      ...(await p.product([
        { prices: { usd: 100 }, stock: 50 },
        { prices: { usd: 100 }, stock: 50 },
      ])),
    ];
    const c = await newCart();
    const answers = await Promise.all(
      variants.flatMap((variant_id) =>
        [1, 2].map((quantity) =>
          p.inject('POST', `/store/carts/${c.id}/items`, { headers: c.auth, body: { variant_id, quantity } }),
        ),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(8).fill(200));
    const cart = (await p.inject('GET', `/store/carts/${c.id}`, { headers: c.auth })).json.cart;
    expect(cart.items.map((i: { quantity: number }) => i.quantity)).toEqual([3, 3, 3, 3]);
    const levels = await p.inventory.service.levels(variants);
    expect(levels.map((l) => l.reserved)).toEqual([3, 3, 3, 3]);
  });

  it('prices a cart with a tax rate staff just changed, added or removed (rates are cached)', async () => {
    const [v] = await p.product([{ prices: { eur: 10_000 } }]);
    const c = await newCart({ currency_code: 'eur', shipping_address: address('nl') });
    const added = await p.inject('POST', `/store/carts/${c.id}/items`, {
      headers: c.auth,
      body: { variant_id: v, quantity: 1 },
    });
    // No tax region for the Netherlands yet: no tax (and that answer is what gets cached).
    expect(added.json.cart).toMatchObject({ tax_total: eur(0), total: eur(10_000) });
    const get = async () => (await p.inject('GET', `/store/carts/${c.id}`, { headers: c.auth })).json.cart;
    const created = await p.inject('POST', '/admin/tax-regions', {
      headers: p.owner,
      body: { country_code: 'nl', name: 'BTW', rate_bp: 2100, inclusive: false },
    });
    expect(created.status).toBe(201);
    expect(await get()).toMatchObject({ tax_total: eur(2100), total: eur(12_100) });
    await p.inject('PATCH', `/admin/tax-regions/${created.json.tax_region.id}`, {
      headers: p.owner,
      body: { rate_bp: 900 },
    });
    expect(await get()).toMatchObject({ tax_total: eur(900), total: eur(10_900) });
    const removed = await p.inject('DELETE', `/admin/tax-regions/${created.json.tax_region.id}`, {
      headers: p.owner,
    });
    expect(removed.status).toBe(204);
    expect(await get()).toMatchObject({ tax_total: eur(0), total: eur(10_000) });
  });

  it('serves a cart again to its secret, and never to a wrong one, once it has been seen', async () => {
    const c = await newCart();
    const read = (headers: Record<string, string>) =>
      p.inject('GET', `/store/carts/${c.id}`, { headers }).then((r) => r.status);
    expect(await read(c.auth)).toBe(200);
    expect(await read(c.auth)).toBe(200);
    const other = await newCart();
    expect(await read(other.auth)).toBe(404);
    expect(await read({ authorization: 'Bearer x' })).toBe(404);
    expect(await read({})).toBe(404);
  });

  it('guards the tax admin routes with settings:manage', async () => {
    const body = { country_code: 'de', name: 'MwSt', rate_bp: 1900, inclusive: true };
    expect((await p.inject('POST', '/admin/tax-regions', { body })).status).toBe(401);
    const catalogManager = await p.auth.headers({ roles: ['catalog_manager'] });
    expect((await p.inject('POST', '/admin/tax-regions', { body, headers: catalogManager })).status).toBe(
      403,
    );
    const created = await p.inject('POST', '/admin/tax-regions', { body, headers: p.owner });
    expect(created.status).toBe(201);
    const again = await p.inject('POST', '/admin/tax-regions', { body, headers: p.owner });
    expect(again.json.code).toBe('tax_region_exists');
    const changed = await p.inject('PATCH', `/admin/tax-regions/${created.json.tax_region.id}`, {
      body: { rate_bp: 700 },
      headers: p.owner,
    });
    expect(changed.json.tax_region).toMatchObject({
      country_code: 'de',
      region: null,
      rate_bp: 700,
      inclusive: true,
    });
    expect(
      (await p.inject('DELETE', `/admin/tax-regions/${created.json.tax_region.id}`, { headers: p.owner }))
        .status,
    ).toBe(204);
  });
});
