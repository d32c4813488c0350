import type { EmporiumModule, EventEnvelope, ModulePorts } from '@emporium/platform';
import nodemailer from 'nodemailer';
import type { NotifyService } from './contract/index.ts';
import { registerAdminRoutes } from './http/admin-routes.ts';
import { registerEventLogRoutes } from './http/event-log-routes.ts';
import {
  deliver,
  deliverOnce,
  deliverOnceMany,
  type NotifyContext,
  type NotifyTables,
} from './service/notify-service.ts';
import { orderConfirmation, type PlacedOrder } from './templates/order-confirmation.ts';

export { notifyErrorCodes } from './errors.ts';
export { notifyMigrations } from './notify-migrations.ts';
export { orderConfirmation } from './templates/order-confirmation.ts';

/** The consumer name of the order confirmation handler (its handled events are recorded under it). */
export const ORDER_CONFIRMATION_CONSUMER = 'notify-order-confirmation';
const ORDER_PLACED = 'orders.order.placed.v1';

export interface NotifyOptions {
  /** Overrides `config.smtpUrl` (tests). */
  smtpUrl?: string;
  /** Shop name signed under emails. Default `Emporium`. */
  shopName?: string;
}

export type NotifyModule = EmporiumModule & { service: NotifyService };

/**
 * The notify module: sends an order confirmation for every `orders.order.placed.v1` (exactly once
 * per event, see `deliverOnce`), and offers `send(message)` to other modules. With `SMTP_URL`
 * it delivers through SMTP (nodemailer); without, messages are kept in schema `notify` and listed
 * at `GET /admin/notifications`. Its migrations are `notifyMigrations`.
 */
export function createNotifyModule(ports: ModulePorts, options: NotifyOptions = {}): NotifyModule {
  const smtpUrl = options.smtpUrl ?? ports.config.smtpUrl;
  const ctx: NotifyContext = {
    db: ports.db.as<NotifyTables>(),
    clock: ports.clock,
    smtp: smtpUrl ? nodemailer.createTransport(smtpUrl) : null,
    from: ports.config.mailFrom,
  };
  const service: NotifyService = { send: (message) => deliver(ctx, message) };
  return {
    name: 'notify',
    service,
    async registerRoutes(app) {
      registerAdminRoutes(app, ctx);
      registerEventLogRoutes(app, ctx);
    },
    subscribe(bus) {
      const confirmationOf = (event: EventEnvelope) =>
        orderConfirmation(event.payload as PlacedOrder, options.shopName);
      bus.subscribe(
        ORDER_CONFIRMATION_CONSUMER,
        [ORDER_PLACED],
        async (event) => {
          await deliverOnce(ctx, ports.db, ORDER_CONFIRMATION_CONSUMER, event, confirmationOf(event));
        },
        // Kept in the database, a claim's confirmations are written in one statement; sent by
        // SMTP, each is sent and recorded on its own.
        ctx.smtp
          ? {}
          : {
              handleMany: (events) =>
                deliverOnceMany(
                  ctx,
                  ports.db,
                  ORDER_CONFIRMATION_CONSUMER,
                  events.map((event) => ({ event, message: confirmationOf(event) })),
                ),
            },
      );
    },
    async stop() {
      ctx.smtp?.close();
    },
  };
}
