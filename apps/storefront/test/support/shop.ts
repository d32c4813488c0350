import { createCatalogModule } from '@emporium/catalog';
import { createInventoryModule } from '@emporium/inventory';
import type { EmporiumModule, HttpApp, ModulePorts } from '@emporium/platform';
import { createSearchModule } from '@emporium/search';
import { createTestAuth, startTestPlatform, type TestPlatform } from '@emporium/testkit';
import { Type } from 'typebox';
import type { StorefrontConfig } from '../../src/config.ts';
import { createStorefront } from '../../src/index.ts';

export const testConfig: StorefrontConfig = {
  apiUrl: undefined,
  vaultOrigin: undefined,
  sessionSecret: 'test-session-secret-0123456789abcdef',
  currency: 'usd',
  publicUrl: undefined,
  oidcClientId: 'storefront',
};

/** Real modules (catalog, inventory, search) on PGlite with in-process events; the storefront on top. */
export interface Shop {
  platform: TestPlatform;
  app: HttpApp;
  admin: { authorization: string };
  close(): Promise<void>;
}

// Stands in for the server's demo pictures: an SVG drawn from its name.
export const testMedia: EmporiumModule = {
  name: 'test-media',
  async registerRoutes(app) {
    app.get(
      '/media/test/:name',
      { schema: { params: Type.Object({ name: Type.String({ pattern: '^[a-z0-9-]+\\.svg$' }) }) } },
      async (_request, reply) =>
        reply
          .type('image/svg+xml')
          .send(
            '<svg xmlns="http://www.w3.org/2000/svg" width="1200" height="1200"><rect width="1200" height="1200" fill="#336699"/><circle cx="600" cy="600" r="300" fill="#fff"/></svg>',
          ),
    );
  },
};

export async function startShop(
  extra: (ports: ModulePorts) => EmporiumModule[] = () => [],
  config: StorefrontConfig = testConfig,
): Promise<Shop> {
  const auth = await createTestAuth();
  const platform = await startTestPlatform({
    authenticator: auth.authenticator,
    compose: (ports) => {
      const inventory = createInventoryModule(ports);
      const catalog = createCatalogModule(ports, { inventory: inventory.service });
      const search = createSearchModule(ports);
      return [
        inventory,
        catalog,
        search,
        testMedia,
        ...extra(ports),
        createStorefront(ports, { config, dataDir: null }),
      ];
    },
  });
  return { platform, app: platform.app, admin: await auth.headers(), close: () => platform.close() };
}

export interface SeededProduct {
  id: string;
  handle: string;
  variants: Array<{ id: string; title: string }>;
}

/** Creates a published product through the admin API, sets its stock and waits until search lists it. */
export async function addProduct(
  shop: Shop,
  input: {
    title: string;
    handle?: string;
    description?: string;
    price?: number;
    category_ids?: string[];
    sizes?: string[];
    stock?: number;
  },
): Promise<SeededProduct> {
  const sizes = input.sizes ?? [];
  const res = await shop.app.inject({
    method: 'POST',
    url: '/admin/products',
    headers: shop.admin,
    payload: {
      title: input.title,
      ...(input.handle ? { handle: input.handle } : {}),
      description: input.description ?? `A fine ${input.title}.`,
      status: 'published',
      category_ids: input.category_ids ?? [],
      images: [
        {
          url: `/media/test/${(input.handle ?? 'item').toLowerCase()}-1.svg`,
          alt: input.title,
          width: 1200,
          height: 1200,
        },
      ],
      ...(sizes.length > 0 ? { options: [{ title: 'Size', values: sizes }] } : {}),
      variants: (sizes.length > 0 ? sizes : ['Default']).map((size) => ({
        sku: `${input.title}-${size}`.toUpperCase().replace(/[^A-Z0-9]+/g, '-'),
        title: size,
        ...(sizes.length > 0 ? { options: { Size: size } } : {}),
        prices: [{ amount: input.price ?? 2500, currency_code: 'usd' }],
      })),
    },
  });
  if (res.statusCode !== 201) throw new Error(`creating ${input.title}: ${res.statusCode} ${res.body}`);
  const product = res.json().product as SeededProduct;
  for (const v of product.variants) {
    const stock = await shop.app.inject({
      method: 'PUT',
      url: `/admin/inventory/${v.id}`,
      headers: shop.admin,
      payload: { available: input.stock ?? 10 },
    });
    if (stock.statusCode !== 200) throw new Error(`stock for ${v.id}: ${stock.statusCode} ${stock.body}`);
  }
  await waitFor(async () => {
    const found = await shop.app.inject({
      url: `/store/products?q=${encodeURIComponent(input.title)}&limit=50`,
    });
    return found.json().data.some((h: { id: string }) => h.id === product.id);
  });
  return product;
}

export async function addCategory(shop: Shop, name: string, handle: string): Promise<string> {
  const res = await shop.app.inject({
    method: 'POST',
    url: '/admin/categories',
    headers: shop.admin,
    payload: { name, handle },
  });
  if (res.statusCode !== 201) throw new Error(`category ${name}: ${res.statusCode} ${res.body}`);
  return res.json().category.id;
}

/** Polls until `done` (the search projection follows catalog events asynchronously). */
export async function waitFor(done: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error('did not happen in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
