import { createIdempotencyStore, type EmporiumModule, type ModulePorts } from '@emporium/platform';
import type { OrdersService } from './contract/index.ts';
import type { OrdersTables } from './db/tables.ts';
import { registerOrderRoutes } from './http/order-routes.ts';
import type { OrdersContext, OrdersDeps } from './orders-context.ts';
import { createAdminCommands, type OrderAdminCommands } from './service/admin-commands.ts';
import { createOrdersService } from './service/orders-service.ts';

export { ordersErrorCodes } from './errors.ts';
export type { OrdersDeps } from './orders-context.ts';
export { ordersMigrations } from './orders-migrations.ts';
export type { FulfilmentInput, OrderAdminCommands } from './service/admin-commands.ts';

export interface OrdersOptions {
  /** How often `start()` deletes expired Idempotency-Keys (platform-wide). Default 10 minutes; 0 disables. */
  idempotencySweepIntervalMs?: number;
}

export type OrdersModule = EmporiumModule & {
  service: OrdersService;
  /** The staff actions behind `/admin/orders` (capture, cancel, fulfil, refund, complete). */
  commands: OrderAdminCommands;
};

/**
 * The orders module: orders with an explicit state machine, the guest's `GET /store/orders/{id}`
 * and `/admin/orders`. Checkout gets `service` (OrdersService). It calls payments (capture, void,
 * refund), shipping (shipments) and inventory (stock back on cancel) through their contracts.
 * Its migrations are `ordersMigrations`. `start()` also sweeps expired Idempotency-Keys.
 *
 * @example
 * const orders = createOrdersModule(ports, { payments: payments.service, shipping: shipping.service, inventory: inventory.service });
 */
export function createOrdersModule(
  ports: ModulePorts,
  deps: OrdersDeps,
  options: OrdersOptions = {},
): OrdersModule {
  const ctx: OrdersContext = {
    ...deps,
    db: ports.db.as<OrdersTables>(),
    clock: ports.clock,
    nudge: () => ports.bus.nudge(),
  };
  const service = createOrdersService(ctx);
  const commands = createAdminCommands(ctx);
  const idempotency = createIdempotencyStore({ db: ports.db, clock: ports.clock });
  const interval = options.idempotencySweepIntervalMs ?? 600_000;
  if (!Number.isInteger(interval) || interval < 0) {
    throw new Error(
      `orders option idempotencySweepIntervalMs must be a non-negative integer, got ${interval}`,
    );
  }
  let timer: NodeJS.Timeout | undefined;
  return {
    name: 'orders',
    service,
    commands,
    async registerRoutes(app) {
      registerOrderRoutes(app, ctx, commands, idempotency);
    },
    async start() {
      if (interval === 0) return;
      timer = setInterval(() => {
        idempotency
          .sweep()
          .catch((err: unknown) => ports.logger.warn({ err }, 'idempotency key sweep failed'));
      }, interval);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
    },
  };
}
