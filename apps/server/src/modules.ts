import { createAdminDashboard } from '@emporium/admin';
import { createCartModule, loadCartSettings } from '@emporium/cart';
import { createCatalogModule } from '@emporium/catalog';
import { createCheckoutModule, loadCheckoutSettings } from '@emporium/checkout';
import { createIdentityModule } from '@emporium/identity';
import { createInventoryModule } from '@emporium/inventory';
import { createMediaModule } from '@emporium/media';
import { createNotifyModule } from '@emporium/notify';
import { createOrdersModule } from '@emporium/orders';
import { customerOrdersJson } from '@emporium/orders/contract';
import { createPaymentsModule } from '@emporium/payments';
import type { EmporiumModule, ModulePorts } from '@emporium/platform';
import { createSearchModule } from '@emporium/search';
import { createShippingModule } from '@emporium/shipping';
import { createStorefront } from '@emporium/storefront';
import { createVaultModule, loadVaultSettings } from '@emporium/vault';

/**
 * The modules the monolith mounts, built in dependency order so that each gets the services of
 * those it uses. Each module issue adds its module here (and its migrations in
 * migration-sources.ts).
 */
export function composeModules(ports: ModulePorts): EmporiumModule[] {
  const inventory = createInventoryModule(ports);
  const catalog = createCatalogModule(ports, { inventory: inventory.service });
  const search = createSearchModule(ports);
  const shipping = createShippingModule(ports);
  // Carts hold stock for EMPORIUM_CART_HOLD_MINUTES (default 30) after their last line change.
  const cart = createCartModule(
    ports,
    { catalog: catalog.service, inventory: inventory.service, shipping: shipping.service },
    loadCartSettings(process.env),
  );
  // The card vault (VAULT_* settings, KEK from the secret store) and payments, which reaches cards only through it.
  const vault = createVaultModule(ports, loadVaultSettings(process.env, ports.config));
  const payments = createPaymentsModule(ports, { vault: vault.service });
  const orders = createOrdersModule(ports, {
    payments: payments.service,
    shipping: shipping.service,
    inventory: inventory.service,
  });
  // Order confirmations (and identity's mails, through notify.service): SMTP_URL, else kept for /admin/notifications.
  const notify = createNotifyModule(ports);
  // Identity's routes come first (the array below): it installs the audit hook on /admin and the
  // rate limiter every module uses. It mails through notify and lists a customer's orders.
  const identity = createIdentityModule(ports, {
    notifier: notify.service,
    // `GET /store/customers/me/orders` answers each order in its public JSON, as the orders API does.
    orders: customerOrdersJson(orders.service),
  });
  // The checkout saga (POST /store/carts/{id}/checkout) and its recovery worker: EMPORIUM_CHECKOUT_* settings.
  const checkout = createCheckoutModule(
    ports,
    { carts: cart.service, inventory: inventory.service, payments: payments.service, orders: orders.service },
    loadCheckoutSettings(process.env),
  );
  // Uploaded product images: POST /admin/media (stored in schema media), served at GET /media/{name}.webp (name: its sha256, base64url).
  const media = createMediaModule(ports);
  // The storefront renders pages from the public API (in-process), so it is mounted last, at `/`.
  const storefront = createStorefront(ports, { identity: identity.service });
  // The staff dashboard (GET /admin, pages under /admin/ui/), an OAuth client of identity over the admin API.
  const admin = createAdminDashboard(ports, { identity: identity.service });
  return [
    identity,
    inventory,
    catalog,
    search,
    shipping,
    cart,
    vault,
    payments,
    orders,
    checkout,
    notify,
    media,
    storefront,
    admin,
  ];
}
