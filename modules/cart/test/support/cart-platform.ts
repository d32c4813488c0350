import { createCatalogModule } from '@emporium/catalog';
import { createInventoryModule, type InventoryModule } from '@emporium/inventory';
import { ManualClock, migrate } from '@emporium/platform';
import { createShippingModule, shippingMigrations } from '@emporium/shipping';
import {
  createTestAuth,
  type DatabaseKind,
  startTestPlatform,
  type TestAuth,
  type TestPlatform,
} from '@emporium/testkit';
import type { CartService } from '../../src/contract/index.ts';
import { cartMigrations, createCartModule } from '../../src/index.ts';

export interface NewVariant {
  prices: Record<string, number>;
  weight_grams?: number;
  /** Units available; default 100. */
  stock?: number;
}

export interface CartPlatform {
  platform: TestPlatform;
  auth: TestAuth;
  clock: ManualClock;
  inventory: InventoryModule;
  cart: CartService;
  /** Headers of an owner (every permission, second factor). */
  owner: Record<string, string>;
  inject(
    method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE',
    url: string,
    options?: { body?: unknown; headers?: Record<string, string> },
    // biome-ignore lint/suspicious/noExplicitAny: response bodies are checked by the tests' expectations.
  ): Promise<{ status: number; json: any }>;
  /** A product (published unless told) with variants priced as given, in stock; its variant ids in order. */
  product(variants: [NewVariant], status?: 'draft' | 'published'): Promise<[string]>;
  product(variants: [NewVariant, NewVariant], status?: 'draft' | 'published'): Promise<[string, string]>;
  close(): Promise<void>;
}

let counter = 0;
const unique = (label: string) =>
  `${label}${process.pid.toString(36)}${(++counter).toString(36)}${Math.random().toString(36).slice(2, 6)}`;

/**
 * The real platform in-process (HTTP app, database of `kind`, memory cache, pg event bus, JWT
 * authentication with a test key, a ManualClock) with the REAL inventory, catalog, shipping and
 * cart modules composed as the server composes them. Nothing is faked.
 */
export async function startCartPlatform(
  options: { database?: DatabaseKind; reservationTtlMs?: number } = {},
): Promise<CartPlatform> {
  const auth = await createTestAuth();
  const clock = new ManualClock(new Date());
  let cart: CartService | undefined;
  let inventory: InventoryModule | undefined;
  const platform = await startTestPlatform({
    database: options.database ?? 'pglite',
    authenticator: auth.authenticator,
    clock,
    compose: async (ports) => {
      // Idempotent: a no-op once apps/server registers these sources for the test template.
      await migrate(ports.db, [shippingMigrations, cartMigrations]);
      inventory = createInventoryModule(ports, { sweepIntervalMs: 3_600_000 });
      const catalog = createCatalogModule(ports, { inventory: inventory.service }, { availabilityTtlMs: 0 });
      const shipping = createShippingModule(ports);
      const cartModule = createCartModule(
        ports,
        { catalog: catalog.service, inventory: inventory.service, shipping: shipping.service },
        { reservationTtlMs: options.reservationTtlMs ?? 10 * 60_000 },
      );
      cart = cartModule.service;
      return [inventory, catalog, shipping, cartModule];
    },
  });
  if (!cart || !inventory) throw new Error('the modules were not composed');
  const owner = await auth.headers({ roles: ['owner'] });
  const inject: CartPlatform['inject'] = async (method, url, opts = {}) => {
    const r = await platform.app.inject({
      method,
      url,
      headers: opts.headers ?? {},
      ...(opts.body === undefined ? {} : { payload: opts.body as object }),
    });
    return { status: r.statusCode, json: r.body ? r.json() : undefined };
  };
  const inv = inventory;
  return {
    platform,
    auth,
    clock,
    inventory: inv,
    cart,
    owner,
    inject,
    async product(variants: NewVariant[], status: 'draft' | 'published' = 'published'): Promise<never> {
      const sku = unique('SKU-').toUpperCase();
      const r = await inject('POST', '/admin/products', {
        headers: owner,
        body: {
          title: `Shirt ${sku}`,
          status,
          options: [{ title: 'Size', values: variants.map((_, i) => `S${i}`) }],
          variants: variants.map((v, i) => ({
            sku: `${sku}-${i}`,
            title: `S${i}`,
            options: { Size: `S${i}` },
            prices: Object.entries(v.prices).map(([currency_code, amount]) => ({ amount, currency_code })),
            ...(v.weight_grams === undefined ? {} : { weight_grams: v.weight_grams }),
          })),
        },
      });
      if (r.status !== 201) throw new Error(`product not created: ${JSON.stringify(r.json)}`);
      const ids: string[] = r.json.product.variants.map((v: { id: string }) => v.id);
      for (const [i, id] of ids.entries()) {
        await inv.service.setAvailable(id, variants[i]?.stock ?? 100, {
          actor: 'test',
          reason: 'test stock',
        });
      }
      return ids as never;
    },
    close: () => platform.close(),
  };
}

/** API.md's address shape, in a country. */
export const address = (country_code: string, region?: string) => ({
  first_name: 'Ada',
  last_name: 'Lovelace',
  line1: '1 Analytical Way',
  city: 'London',
  postal_code: 'N1 1AA',
  country_code,
  ...(region ? { region } : {}),
});
