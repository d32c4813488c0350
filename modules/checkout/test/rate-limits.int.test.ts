import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CheckoutPlatform, startCheckoutPlatform } from './support/checkout-platform.ts';
import { cards, checkout, type ReadyCart, readyCart, tokenize } from './support/shopper.ts';

// Card testing: with rate limits on (the default), a cart and a source address may try only so
// many checkouts. Real modules on PGlite; the in-process limiter (identity's Redis one in a
// distributed deployment is tested with identity).
describe('checkout rate limits', () => {
  let store: CheckoutPlatform;
  let variantId: string;

  beforeAll(async () => {
    store = await startCheckoutPlatform('pglite', { stock: 500, rateLimits: true });
    variantId = store.variantIds[0] ?? '';
  });
  afterAll(async () => store?.close());

  it('stops a cart after 12 attempts with a 429 problem and Retry-After', async () => {
    const cart = await readyCart(store.http, variantId, 1);
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) {
      const token = await tokenize(store.http, cards.declined);
      statuses.push((await checkout(store.http, cart, randomUUID(), { payment: { token } })).status);
    }
    expect(new Set(statuses)).toEqual(new Set([402]));
    const blocked = await checkout(store.http, cart, randomUUID(), {
      payment: { token: await tokenize(store.http) },
    });
    expect(blocked.status).toBe(429);
    expect(blocked.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(blocked.body).toMatchObject({ code: 'rate_limited', status: 429 });
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('stops one address after 60 attempts across carts', async () => {
    // The cart above spent 13 of this address's 60; empty carts spend one each, answered 4xx.
    const statuses: number[] = [];
    const emptyCart = async (): Promise<ReadyCart> => {
      const created = await store.http('POST', '/store/carts', { body: { currency_code: 'usd' } });
      const secret: string = created.body.secret;
      return {
        cartId: created.body.cart.id,
        secret,
        auth: { authorization: `Bearer ${secret}` },
        shippingOptionId: 'so_none',
      };
    };
    const body = { payment: { token: 'tok_unknown' } };
    for (let i = 0; i < 47; i++)
      statuses.push((await checkout(store.http, await emptyCart(), randomUUID(), body)).status);
    expect(statuses.filter((s) => s === 429)).toEqual([]);
    expect(statuses.every((s) => s >= 400 && s < 500)).toBe(true);
    const blocked = await checkout(store.http, await emptyCart(), randomUUID(), body);
    expect(blocked.status).toBe(429);
    expect(blocked.body.code).toBe('rate_limited');
  });
});
