import { cartMigrations, createCartModule } from '@emporium/cart';
import { createCatalogModule } from '@emporium/catalog';
import { checkoutMigrations, createCheckoutModule } from '@emporium/checkout';
import { createIdentityModule, type IdentityModule, identityMigrations } from '@emporium/identity';
import { createInventoryModule } from '@emporium/inventory';
import { createOrdersModule, ordersMigrations } from '@emporium/orders';
import { customerOrdersJson } from '@emporium/orders/contract';
import { createPaymentsModule, paymentsMigrations } from '@emporium/payments';
import { type Authenticator, type EmporiumModule, migrate } from '@emporium/platform';
import { createSearchModule } from '@emporium/search';
import { createShippingModule, loadShippingZones, shippingMigrations } from '@emporium/shipping';
import { createTestAuth, startTestPlatform } from '@emporium/testkit';
import { createVaultModule, memoryKeyRing, vaultMigrations } from '@emporium/vault';
import { createStorefront } from '../../src/index.ts';
import { type Shop, testConfig, testMedia } from './shop.ts';

export interface FullShopOptions {
  /** The port the app will listen on (the vault's allowed origin and the OAuth redirect name it). */
  port?: number;
  /**
   * Also compose the identity module as the server does (apps/server/src/modules.ts): the OpenID
   * Connect provider at /auth, customers at /store/customers (listing their orders through the
   * orders service), the storefront registered as its customer client. Its access tokens are
   * accepted next to the test's own staff tokens.
   */
  identity?: boolean;
}

export interface FullShop extends Shop {
  /** When composed (`identity: true`). */
  identity?: IdentityModule;
}

/**
 * Every module a purchase needs, real and wired as the server wires them (PGlite, in-process LRU
 * and database events; the vault with an in-memory key ring and the built-in test processor),
 * with the storefront on top and one US zone with a flat "Standard" option at 5.00 USD.
 */
export async function startFullShop(options: FullShopOptions = {}): Promise<FullShop> {
  const listen = options.port === undefined ? undefined : { port: options.port };
  const auth = await createTestAuth();
  let identity: IdentityModule | undefined;
  // The test's staff tokens (admin API) first, then the provider's customer tokens.
  const authenticator: Authenticator = {
    authenticate: async (token) =>
      (await auth.authenticator.authenticate(token)) ??
      (identity ? identity.authenticator.authenticate(token) : null),
  };
  const platform = await startTestPlatform({
    authenticator,
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
        ...(options.identity ? [identityMigrations] : []),
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
      identity = options.identity
        ? createIdentityModule(ports, { orders: customerOrdersJson(orders.service) })
        : undefined;
      // Identity's routes come first, as in the server: it installs the rate limiter and audit hook.
      const first: EmporiumModule[] = identity ? [identity] : [];
      return [
        ...first,
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
        createStorefront(ports, {
          config: testConfig,
          dataDir: null,
          ...(identity ? { identity: identity.service } : {}),
        }),
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
  return {
    platform,
    app: platform.app,
    admin: await auth.headers(),
    ...(identity ? { identity } : {}),
    close: () => platform.close(),
  };
}
