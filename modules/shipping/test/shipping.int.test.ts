import { ManualClock, migrate } from '@emporium/platform';
import {
  createTestAuth,
  databaseKinds,
  startTestPlatform,
  type TestAuth,
  type TestPlatform,
} from '@emporium/testkit';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createShippingModule, type ShippingModule, shippingMigrations } from '../src/index.ts';

const usd = (amount: number) => ({ amount, currency_code: 'usd' });
const eur = (amount: number) => ({ amount, currency_code: 'eur' });

// The whole platform in-process on a real database (PGlite, and PostgreSQL when it answers), the
// in-process cache and database-backed events; real JWTs from a key made for this test.
describe.each(databaseKinds())('shipping zones, rates and shipments on %s', (kind) => {
  let auth: TestAuth;
  let platform: TestPlatform;
  let shipping: ShippingModule;
  let owner: Record<string, string>;

  beforeAll(async () => {
    auth = await createTestAuth();
    platform = await startTestPlatform({
      database: kind,
      clock: new ManualClock(),
      authenticator: auth.authenticator,
      compose: (ports) => {
        shipping = createShippingModule(ports);
        return [shipping];
      },
    });
    await migrate(platform.ports.db, [shippingMigrations]);
    owner = await auth.headers({ roles: ['owner'] });
  });
  afterAll(async () => {
    await platform?.close();
  });

  const call = async (
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
    url: string,
    body?: unknown,
    headers = owner,
  ) => {
    const r = await platform.app.inject({
      method,
      url,
      headers,
      ...(body === undefined ? {} : { payload: body as object }),
    });
    return { status: r.statusCode, json: r.body ? r.json() : undefined };
  };
  const zone = async (name: string, countries: string[]) => {
    const r = await call('POST', '/admin/shipping/zones', { name, countries });
    expect(r.status).toBe(201);
    return r.json.zone.id as string;
  };
  const option = async (zoneId: string, body: Record<string, unknown>) => {
    const r = await call('POST', `/admin/shipping/zones/${zoneId}/options`, body);
    expect(r.status, JSON.stringify(r.json)).toBe(201);
    return r.json.shipping_option.id as string;
  };
  const rates = (countryCode: string, subtotal: number, weightGrams: number, currencyCode = 'usd') =>
    shipping.service.ratesFor({ countryCode, subtotal, weightGrams, currencyCode });

  it('prices each kind of option: flat, free above a threshold, weight brackets', async () => {
    const z = await zone('North America', ['us', 'mx']);
    await option(z, { name: 'Express', rule: { kind: 'flat' }, prices: [usd(1999)], rank: 3 });
    await option(z, {
      name: 'Standard',
      rule: { kind: 'free_above', free_above: [usd(5000)] },
      prices: [usd(599)],
      rank: 1,
    });
    await option(z, {
      name: 'Freight',
      rule: {
        kind: 'weight',
        brackets: [
          { up_to_grams: 1000, prices: [usd(900)] },
          { up_to_grams: 10_000, prices: [usd(2500)] },
        ],
      },
      prices: [],
      rank: 2,
    });
    const light = await rates('us', 4999, 1000);
    expect(light.map((r) => [r.name, r.price.amount])).toEqual([
      ['Standard', 599],
      ['Freight', 900],
      ['Express', 1999],
    ]);
    const heavyAndDear = await rates('mx', 5000, 1001);
    expect(heavyAndDear.map((r) => [r.name, r.price.amount])).toEqual([
      ['Standard', 0],
      ['Freight', 2500],
      ['Express', 1999],
    ]);
    // Too heavy for every bracket: Freight is not offered; no price in euros: nothing is.
    expect((await rates('us', 100, 10_001)).map((r) => r.name)).toEqual(['Standard', 'Express']);
    expect(await rates('us', 100, 100, 'eur')).toEqual([]);
    // A country in no zone has no options.
    expect(await rates('jp', 100, 100)).toEqual([]);
    const one = light[0];
    if (!one) throw new Error('no rate');
    expect(
      await shipping.service.rateFor(one.option_id, {
        countryCode: 'us',
        subtotal: 1,
        weightGrams: 0,
        currencyCode: 'usd',
      }),
    ).toMatchObject({
      name: 'Standard',
      price: usd(599),
    });
    expect(
      await shipping.service.rateFor(one.option_id, {
        countryCode: 'jp',
        subtotal: 1,
        weightGrams: 0,
        currencyCode: 'usd',
      }),
    ).toBeUndefined();
  });

  it('manages zones and options; a country ships through one zone only; disabled options are not offered', async () => {
    const eu = await zone('Europe', ['de', 'fr']);
    const clash = await call('POST', '/admin/shipping/zones', {
      name: 'DACH',
      countries: ['de', 'at', 'ch'],
    });
    expect(clash.status).toBe(409);
    expect(clash.json).toMatchObject({ code: 'country_in_another_zone', countries: ['de'] });
    const std = await option(eu, { name: 'Standard', rule: { kind: 'flat' }, prices: [eur(499)] });
    expect((await rates('fr', 1, 1, 'eur')).map((r) => r.price)).toEqual([eur(499)]);
    const changed = await call('PATCH', `/admin/shipping/options/${std}`, {
      prices: [eur(599)],
      name: 'Standard (3–5 days)',
    });
    expect(changed.json.shipping_option).toMatchObject({ name: 'Standard (3–5 days)', prices: [eur(599)] });
    expect((await rates('fr', 1, 1, 'eur'))[0]).toMatchObject({
      name: 'Standard (3–5 days)',
      price: eur(599),
    });
    await call('PATCH', `/admin/shipping/options/${std}`, { enabled: false });
    expect(await rates('fr', 1, 1, 'eur')).toEqual([]);
    const moved = await call('PATCH', `/admin/shipping/zones/${eu}`, { countries: ['de', 'fr', 'it'] });
    expect(moved.json.zone.countries).toEqual(['de', 'fr', 'it']);
    const list = await call('GET', '/admin/shipping/zones');
    expect(list.json.data.find((z: { id: string }) => z.id === eu).options).toHaveLength(1);
    expect((await call('DELETE', `/admin/shipping/zones/${eu}`)).status).toBe(204);
    expect((await call('DELETE', `/admin/shipping/zones/${eu}`)).json.code).toBe('zone_not_found');
    expect((await call('PATCH', `/admin/shipping/options/${std}`, { enabled: true })).json.code).toBe(
      'shipping_option_not_found',
    );
    // Now free: another zone may take Germany.
    expect(
      (await call('POST', '/admin/shipping/zones', { name: 'DACH', countries: ['de', 'at', 'ch'] })).status,
    ).toBe(201);
  });

  it('offers a change of zones or options at once, though rates are cached', async () => {
    const nordics = await zone('Nordics', ['se']);
    // Asked (and cached) before anything ships to Norway or Denmark.
    expect(await rates('no', 1, 1, 'eur')).toEqual([]);
    expect(await rates('dk', 1, 1, 'eur')).toEqual([]);
    const post = await option(nordics, { name: 'Posten', rule: { kind: 'flat' }, prices: [eur(900)] });
    expect(await rates('no', 1, 1, 'eur')).toEqual([]);
    await call('PATCH', `/admin/shipping/zones/${nordics}`, { countries: ['se', 'no'] });
    expect((await rates('no', 1, 1, 'eur')).map((r) => r.option_id)).toEqual([post]);
    const express = await option(nordics, {
      name: 'Express',
      rule: { kind: 'flat' },
      prices: [eur(2500)],
      rank: 2,
    });
    expect((await rates('no', 1, 1, 'eur')).map((r) => r.option_id)).toEqual([post, express]);
    expect((await call('DELETE', `/admin/shipping/options/${post}`)).status).toBe(204);
    expect((await rates('se', 1, 1, 'eur')).map((r) => r.option_id)).toEqual([express]);
    const denmark = await zone('Denmark', ['dk']);
    await option(denmark, { name: 'PostNord', rule: { kind: 'flat' }, prices: [eur(700)] });
    expect((await rates('dk', 1, 1, 'eur')).map((r) => r.name)).toEqual(['PostNord']);
    expect((await call('DELETE', `/admin/shipping/zones/${nordics}`)).status).toBe(204);
    expect(await rates('no', 1, 1, 'eur')).toEqual([]);
    expect(await rates('se', 1, 1, 'eur')).toEqual([]);
  });

  it('validates option bodies and rejects unknown fields', async () => {
    const z = await zone('Oceania', ['au', 'nz']);
    for (const body of [
      { name: 'X', rule: { kind: 'flat' }, prices: [usd(-1)] },
      { name: 'X', rule: { kind: 'flat' }, prices: [usd(1.5)] },
      { name: 'X', rule: { kind: 'teleport' }, prices: [] },
      { name: 'X', rule: { kind: 'flat', extra: 1 }, prices: [] },
      { name: 'X', rule: { kind: 'flat' }, prices: [], surprise: true },
    ]) {
      const r = await call('POST', `/admin/shipping/zones/${z}/options`, body);
      expect(r.json.code, JSON.stringify(body)).toBe('validation_failed');
    }
    expect((await call('POST', '/admin/shipping/zones', { name: 'Bad', countries: ['USA'] })).json.code).toBe(
      'validation_failed',
    );
  });

  it('needs settings:manage for the admin routes', async () => {
    expect((await call('GET', '/admin/shipping/zones', undefined, {})).status).toBe(401);
    const support = await auth.headers({ roles: ['support'] });
    expect((await call('GET', '/admin/shipping/zones', undefined, support)).status).toBe(403);
    const customer = await auth.headers({ kind: 'customer' });
    expect((await call('POST', '/admin/shipping/zones', { name: 'x', countries: [] }, customer)).status).toBe(
      403,
    );
  });

  it('records shipments with an event in the same transaction, once per idempotency key', async () => {
    const input = {
      order_id: 'order_test1',
      carrier: 'ups',
      tracking_number: '1Z999AA10123456784',
      tracking_url: 'https://www.ups.com/track?tracknum=1Z999AA10123456784',
      lines: [{ line_id: 'oli_1', variant_id: 'var_1', quantity: 2 }],
      idempotency_key: 'ful_1',
    };
    const first = await shipping.service.createShipment(input);
    if (!first.ok) throw new Error(first.message);
    expect(first.shipment).toMatchObject({ order_id: 'order_test1', carrier: 'ups', lines: input.lines });
    expect(first.shipment.id).toMatch(/^shp_/);
    const again = await shipping.service.createShipment(input);
    expect(again).toEqual(first);
    expect(await shipping.service.createShipment({ ...input, lines: [] })).toMatchObject({
      ok: false,
      code: 'validation_failed',
    });
    expect(await shipping.service.listShipments('order_test1')).toEqual([first.shipment]);
    const events = await sql<{ key: string; payload: { shipment: { id: string } } }>`
      select key, payload from platform.outbox where type = 'shipping.shipment.created.v1'
    `.execute(platform.ports.db.primary);
    expect(events.rows).toEqual([{ key: 'order_test1', payload: { shipment: first.shipment } }]);
    const listed = await call('GET', '/admin/shipments?order_id=order_test1');
    expect(listed.json.data).toEqual([first.shipment]);
    // The same key twice at once still makes one shipment.
    const racing = await Promise.all(
      [1, 2].map(() => shipping.service.createShipment({ ...input, idempotency_key: 'ful_2' })),
    );
    const ids = racing.map((r) => (r.ok ? r.shipment.id : r.code));
    expect(ids[0]).toMatch(/^shp_/);
    expect(ids[1]).toBe(ids[0]);
    expect(await shipping.service.listShipments('order_test1')).toHaveLength(2);
  });
});
