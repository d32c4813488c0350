import { cartMigrations, createCartModule } from '@emporium/cart';
import { createCatalogModule } from '@emporium/catalog';
import { checkoutMigrations, createCheckoutModule } from '@emporium/checkout';
import { createInventoryModule } from '@emporium/inventory';
import { createOrdersModule, ordersMigrations } from '@emporium/orders';
import { createPaymentsModule, paymentsMigrations } from '@emporium/payments';
import { migrate } from '@emporium/platform';
import { createSearchModule } from '@emporium/search';
import { createShippingModule, loadShippingZones, shippingMigrations } from '@emporium/shipping';
import { createTestAuth, startTestPlatform } from '@emporium/testkit';
import { createVaultModule, memoryKeyRing, vaultMigrations } from '@emporium/vault';
import { createStorefront } from '../../src/index.ts';
import { type Shop, testConfig, testMedia } from './shop.ts';

/**
 * Every module a purchase needs, real and wired as the server wires them (PGlite, in-process LRU
 * and database events; the vault with an in-memory key ring and the built-in test processor),
 * with the storefront on top and one US zone with a flat "Standard" option at 5.00 USD.
 */
export async function startFullShop(listen?: { port: number }): Promise<Shop> {
  const auth = await createTestAuth();
  const platform = await startTestPlatform({
    authenticator: auth.authenticator,
    env: { EMPORIUM_RATE_LIMITS: 'off', ...(listen ? { PORT: String(listen.port), HOST: '127.0.0.1' } : {}) },
    compose: async (ports) => {
      // A no-op when the run's template database already has them.
      await migrate(ports.db, [
        shippingMigrations,
        cartMigrations,
        vaultMigrations,
        paymentsMigrations,
        ordersMigrations,
        checkoutMigrations,
      ]);
      const inventory = createInventoryModule(ports);
      const catalog = createCatalogModule(ports, { inventory: inventory.service }, { availabilityTtlMs: 0 });
      const search = createSearchModule(ports);
      const shipping = createShippingModule(ports);
      const cart = createCartModule(ports, {
        catalog: catalog.service,
        inventory: inventory.service,
        shipping: shipping.service,
      });
      const vault = createVaultModule(ports, {
        keyRing: memoryKeyRing(),
        testProcessorLatencyMs: 0,
        ...(listen ? { allowedOrigins: [`http://127.0.0.1:${listen.port}`] } : {}),
      });
      const payments = createPaymentsModule(ports, {
        vault: vault.service,
        retry: { baseDelayMs: 5, maxDelayMs: 20 },
      });
      const orders = createOrdersModule(ports, {
        payments: payments.service,
        shipping: shipping.service,
        inventory: inventory.service,
      });
      const checkout = createCheckoutModule(
        ports,
        {
          carts: cart.service,
          inventory: inventory.service,
          payments: payments.service,
          orders: orders.service,
        },
        { recoveryIntervalMs: 3_600_000 },
      );
      return [
        inventory,
        catalog,
        search,
        shipping,
        cart,
        vault,
        payments,
        orders,
        checkout,
        testMedia,
        createStorefront(ports, { config: testConfig, dataDir: null }),
      ];
    },
  });
  await loadShippingZones(platform.ports.db, [
    {
      name: 'United States',
      countries: ['us'],
      options: [
        {
          name: 'Standard',
          carrier: 'ups',
          rule: { kind: 'flat' },
          prices: [{ amount: 500, currency_code: 'usd' }],
        },
      ],
    },
  ]);
  return { platform, app: platform.app, admin: await auth.headers(), close: () => platform.close() };
}
