import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FormBrowser, inputValue } from './support/browser-session.ts';
import { startFullShop } from './support/full-shop.ts';
import { addProduct, type SeededProduct, type Shop } from './support/shop.ts';

// Every module of a purchase is real (see startFullShop); the shopper is a browser with no
// JavaScript (FormBrowser): the card token comes from POST /vault/tokens as the card field's own
// script would fetch it.
let shop: Shop;
let tee: SeededProduct;
let last: SeededProduct;

beforeAll(async () => {
  shop = await startFullShop();
  tee = await addProduct(shop, { title: 'Harbor Tee', handle: 'harbor-tee', price: 2500, stock: 50 });
  last = await addProduct(shop, { title: 'Last Lantern', handle: 'last-lantern', price: 4000, stock: 1 });
}, 180_000);
afterAll(() => shop?.close());

const address = {
  email: 'ada@example.com',
  first_name: 'Ada',
  last_name: 'Lovelace',
  line1: '1 Analytical Way',
  line2: '',
  city: 'Springfield',
  region: 'IL',
  postal_code: '62701',
  country_code: 'us',
};

async function tokenFor(number: string): Promise<string> {
  const res = await shop.app.inject({
    method: 'POST',
    url: '/vault/tokens',
    payload: { number, exp_month: 12, exp_year: new Date().getFullYear() + 2, cvc: '123' },
  });
  expect(res.statusCode).toBe(201);
  return res.json().token;
}

/** A shopper with `variantId` in the cart, on the checkout page with the address saved. */
async function shopperAtCheckout(
  variantId: string,
  quantity = 1,
): Promise<{ browser: FormBrowser; page: string }> {
  const browser = new FormBrowser(shop.app);
  const session = (await browser.get('/session.json')).json();
  const added = await browser.post('/cart/items', {
    _csrf: session.csrf,
    variant_id: variantId,
    quantity: String(quantity),
  });
  expect(added.statusCode).toBe(303);
  const saved = await browser.post('/checkout/address', { _csrf: session.csrf, ...address });
  expect(saved.statusCode).toBe(200);
  return { browser, page: saved.body };
}

describe('cart without JavaScript', () => {
  it('asks once more before adding when the form came from a cached page without a token', async () => {
    const browser = new FormBrowser(shop.app);
    const first = await browser.post('/cart/items', {
      _csrf: '',
      variant_id: tee.variants[0]?.id ?? '',
      quantity: '2',
      product_title: 'Harbor Tee',
    });
    expect(first.statusCode).toBe(200);
    expect(first.body).toContain('Add Harbor Tee to your cart?');
    expect((await browser.get('/cart')).body).toContain('Your cart is empty.');
    const confirmed = await browser.post('/cart/items', {
      _csrf: inputValue(first.body, '_csrf'),
      variant_id: inputValue(first.body, 'variant_id'),
      quantity: inputValue(first.body, 'quantity'),
    });
    expect(confirmed.statusCode).toBe(303);
    expect(confirmed.headers.location).toBe('/cart');
    const cart = await browser.get('/cart');
    expect(cart.headers['cache-control']).toBe('no-store');
    expect(cart.body).toContain('Harbor Tee');
    expect(cart.body).toContain('$50.00');
    expect(cart.body).toMatch(/<button type="submit">Checkout<\/button>/);
  });

  it('keeps the session in a __Host- cookie that is HttpOnly, SameSite=Lax and Secure', async () => {
    const res = await shop.app.inject({ url: '/session.json' });
    const cookie = String(res.headers['set-cookie']);
    expect(cookie).toMatch(/^__Host-emporium_session=[A-Za-z0-9_-]+;/);
    expect(cookie).toContain('Path=/');
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Lax');
    expect(cookie).toContain('Secure');
    expect(cookie).not.toMatch(/Domain=/i);
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('refuses a form with a wrong token and changes nothing', async () => {
    const browser = new FormBrowser(shop.app);
    const session = (await browser.get('/session.json')).json();
    await browser.post('/cart/items', {
      _csrf: session.csrf,
      variant_id: tee.variants[0]?.id ?? '',
      quantity: '1',
    });
    const cart = (await browser.get('/cart')).body;
    const itemAction = /action="(\/cart\/items\/cli_[^"/]+)\/remove"/.exec(cart)?.[1] ?? '';
    const forged = await browser.post(`${itemAction}/remove`, { _csrf: 'forged-token' });
    expect(forged.statusCode).toBe(403);
    expect((await browser.get('/cart')).body).toContain('Harbor Tee');
    const removed = await browser.post(`${itemAction}/remove`, { _csrf: session.csrf });
    expect(removed.statusCode).toBe(303);
    expect((await browser.get('/cart')).body).toContain('Your cart is empty.');
  });

  it('names the item that is out of stock', async () => {
    const browser = new FormBrowser(shop.app);
    const session = (await browser.get('/session.json')).json();
    const res = await browser.post('/cart/items', {
      _csrf: session.csrf,
      variant_id: last.variants[0]?.id ?? '',
      quantity: '3',
      product_title: 'Last Lantern',
    });
    expect(res.statusCode).toBe(303);
    const cart = (await browser.get('/cart')).body;
    expect(cart).toMatch(/role="alert">Sorry, we do not have enough of Last Lantern \(1 left\)/);
  });
});

describe('checkout', () => {
  it('renders labelled fields, shipping options as radios and the vault card frame, with no-store', async () => {
    const { page } = await shopperAtCheckout(tee.variants[0]?.id ?? '');
    for (const label of ['Email', 'First name', 'Last name', 'Address', 'City', 'Postal code', 'Country']) {
      expect(page).toMatch(new RegExp(`<label for="f-[a-z_0-9]+">${label}</label>`));
    }
    expect(page).toMatch(
      /<input type="radio" id="ship-sho_[0-9a-z]+" name="shipping_option_id" value="sho_[0-9a-z]+" checked> <label for="ship-sho_[0-9a-z]+">Standard<\/label>/,
    );
    expect(page).toMatch(
      /<iframe[^>]+title="Card details" src="http:\/\/localhost\/vault\/card-field\?origin=http%3A%2F%2Flocalhost"/,
    );
    expect(inputValue(page, 'idempotency_key')).toMatch(/^[0-9a-f-]{36}$/);
    expect(page).toMatch(/<button type="submit">Place order<\/button>/);
  });

  it('shows an invalid address field next to the field', async () => {
    const browser = new FormBrowser(shop.app);
    const session = (await browser.get('/session.json')).json();
    await browser.post('/cart/items', {
      _csrf: session.csrf,
      variant_id: tee.variants[0]?.id ?? '',
      quantity: '1',
    });
    const res = await browser.post('/checkout/address', {
      _csrf: session.csrf,
      ...address,
      country_code: 'zz',
    });
    expect(res.body).toMatch(
      /id="f-country_code"[^>]*aria-invalid="true" aria-describedby="f-country_code-error"/,
    );
    expect(res.body).toMatch(
      /<span id="f-country_code-error" class="field-error">[^<]*country code[^<]*<\/span>/,
    );
  });

  it('keeps the shopper on the checkout after a declined card, and a second card places the order', async () => {
    const { browser, page } = await shopperAtCheckout(tee.variants[0]?.id ?? '');
    const form = {
      _csrf: inputValue(page, '_csrf'),
      ...address,
      shipping_option_id: /name="shipping_option_id" value="([^"]+)"/.exec(page)?.[1] ?? '',
    };
    const declined = await browser.post('/checkout/place', {
      ...form,
      idempotency_key: inputValue(page, 'idempotency_key'),
      payment_token: await tokenFor('4000000000000002'),
    });
    expect(declined.statusCode).toBe(402);
    expect(declined.body).toMatch(/role="alert">[^<]*declined[^<]*another card[^<]*</i);
    expect(declined.body).toMatch(/<button type="submit">Place order<\/button>/);
    expect(inputValue(declined.body, 'first_name')).toBe('Ada');
    const retryKey = inputValue(declined.body, 'idempotency_key');
    expect(retryKey).not.toBe(inputValue(page, 'idempotency_key'));

    const placed = await browser.post('/checkout/place', {
      ...form,
      idempotency_key: retryKey,
      payment_token: await tokenFor('4242424242424242'),
    });
    expect(placed.statusCode).toBe(303);
    expect(placed.headers.location).toMatch(/^\/orders\/order_/);
    const confirmation = await browser.get(String(placed.headers.location));
    expect(confirmation.statusCode).toBe(200);
    expect(confirmation.headers['cache-control']).toBe('no-store');
    expect(confirmation.body).toMatch(/<h1>Thank you! Your order number is [A-Za-z0-9-]+<\/h1>/);
    expect(confirmation.body).toContain('Harbor Tee');
    // The cart is spent: the header shows none and the cart page is empty.
    expect((await browser.get('/cart')).body).toContain('Your cart is empty.');
  });

  it('places one order for a double click on "Place order" (one key per attempt)', async () => {
    const { browser, page } = await shopperAtCheckout(tee.variants[0]?.id ?? '');
    const form = {
      _csrf: inputValue(page, '_csrf'),
      ...address,
      shipping_option_id: /name="shipping_option_id" value="([^"]+)"/.exec(page)?.[1] ?? '',
      idempotency_key: inputValue(page, 'idempotency_key'),
      payment_token: await tokenFor('4242424242424242'),
    };
    const [a, b] = await Promise.all([
      browser.post('/checkout/place', form),
      browser.post('/checkout/place', form),
    ]);
    expect(a.statusCode).toBe(303);
    expect(b.statusCode).toBe(303);
    expect(b.headers.location).toBe(a.headers.location);
    expect(a.headers.location).toMatch(/^\/orders\/order_/);
  });

  it('does not place an order from a form with a wrong token', async () => {
    const { browser, page } = await shopperAtCheckout(tee.variants[0]?.id ?? '');
    const res = await browser.post('/checkout/place', {
      _csrf: 'not-the-token',
      ...address,
      shipping_option_id: /name="shipping_option_id" value="([^"]+)"/.exec(page)?.[1] ?? '',
      idempotency_key: inputValue(page, 'idempotency_key'),
      payment_token: await tokenFor('4242424242424242'),
    });
    expect(res.statusCode).toBe(403);
    expect((await browser.get('/cart')).body).toContain('Harbor Tee');
  });
});
