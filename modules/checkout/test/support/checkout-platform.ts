import { cartMigrations, createCartModule } from '@emporium/cart';
import type { CartService } from '@emporium/cart/contract';
import { createCatalogModule } from '@emporium/catalog';
import { createInventoryModule } from '@emporium/inventory';
import type { InventoryService } from '@emporium/inventory/contract';
import { createOrdersModule, ordersMigrations } from '@emporium/orders';
import type { OrdersService } from '@emporium/orders/contract';
import { createPaymentsModule, paymentsMigrations } from '@emporium/payments';
import type { PaymentsService } from '@emporium/payments/contract';
import { migrate } from '@emporium/platform';
import { createShippingModule, shippingMigrations } from '@emporium/shipping';
import { type DatabaseKind, startTestPlatform, type TestPlatform } from '@emporium/testkit';
import { createVaultModule, memoryKeyRing, vaultMigrations } from '@emporium/vault';
import {
  type CheckoutDeps,
  type CheckoutModule,
  type CheckoutOptions,
  checkoutMigrations,
  createCheckoutModule,
} from '../../src/index.ts';
import { seedStore } from './seed-store.ts';
import { type Http, injectHttp } from './shopper.ts';

export interface CheckoutPlatform {
  platform: TestPlatform;
  http: Http;
  checkout: CheckoutModule;
  /** The real services, for arranging situations a shopper cannot (holds lapsing, stock counts). */
  services: {
    inventory: InventoryService;
    carts: CartService;
    payments: PaymentsService;
    orders: OrdersService;
  };
  /** Variants with their opening stock (see seedStore). */
  variantIds: string[];
  close(): Promise<void>;
}

/**
 * Every module checkout needs, real and wired as the server wires them, on a fresh database of
 * `kind`: inventory, catalog, shipping, cart, vault (in-memory key ring, the built-in test
 * processor, with no latency unless asked), payments (fast retries), orders and checkout. Events go through
 * the database outbox; the cache is the in-process LRU.
 */
export async function startCheckoutPlatform(
  kind: DatabaseKind,
  options: {
    stock: number;
    products?: number;
    checkout?: CheckoutOptions;
    rateLimits?: boolean;
    /** The built-in test processor's latency per call (default 0). */
    processorLatencyMs?: number;
    /** How long a cart holds its stock after a change (the cart module's default unless given). */
    cartHoldTtlMs?: number;
    /** Wraps the services the checkout drives (a test steering when they answer). */
    wrapDeps?: (deps: CheckoutDeps) => CheckoutDeps;
  },
): Promise<CheckoutPlatform> {
  let checkout: CheckoutModule | undefined;
  let services: CheckoutPlatform['services'] | undefined;
  const platform = await startTestPlatform({
    database: kind,
    env: { EMPORIUM_RATE_LIMITS: options.rateLimits ? 'on' : 'off' },
    compose: async (ports) => {
      // A no-op once the server registers these sources (the run's template has them then).
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
      const shipping = createShippingModule(ports);
      const cart = createCartModule(
        ports,
        { catalog: catalog.service, inventory: inventory.service, shipping: shipping.service },
        options.cartHoldTtlMs === undefined ? {} : { reservationTtlMs: options.cartHoldTtlMs },
      );
      const vault = createVaultModule(ports, {
        keyRing: memoryKeyRing(),
        testProcessorLatencyMs: options.processorLatencyMs ?? 0,
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
      const deps: CheckoutDeps = {
        carts: cart.service,
        inventory: inventory.service,
        payments: payments.service,
        orders: orders.service,
      };
      checkout = createCheckoutModule(ports, options.wrapDeps ? options.wrapDeps(deps) : deps, {
        recoveryIntervalMs: 3_600_000,
        ...options.checkout,
      });
      services = {
        inventory: inventory.service,
        carts: cart.service,
        payments: payments.service,
        orders: orders.service,
      };
      return [inventory, catalog, shipping, cart, vault, payments, orders, checkout];
    },
  });
  const { variantIds } = await seedStore(platform.ports.db, {
    stock: options.stock,
    products: options.products ?? 1,
  });
  if (!checkout || !services) throw new Error('checkout module was not built');
  return {
    services,
    platform,
    http: injectHttp(platform.app),
    checkout,
    variantIds,
    close: () => platform.close(),
  };
}
