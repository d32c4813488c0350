import { cartMigrations } from '@emporium/cart';
import { catalogMigrations } from '@emporium/catalog';
import { checkoutMigrations } from '@emporium/checkout';
import { identityMigrations } from '@emporium/identity';
import { inventoryMigrations } from '@emporium/inventory';
import { mediaMigrations } from '@emporium/media';
import { notifyMigrations } from '@emporium/notify';
import { ordersMigrations } from '@emporium/orders';
import { paymentsMigrations } from '@emporium/payments';
import { type MigrationSource, platformMigrations } from '@emporium/platform';
import { searchMigrations } from '@emporium/search';
import { shippingMigrations } from '@emporium/shipping';
import { vaultMigrations } from '@emporium/vault';

/**
 * Every module's migrations, in dependency order: platform first. A module issue adds its
 * module's source here when it lands.
 */
export const migrationSources: readonly MigrationSource[] = [
  platformMigrations,
  inventoryMigrations,
  catalogMigrations,
  searchMigrations,
  shippingMigrations,
  cartMigrations,
  vaultMigrations,
  paymentsMigrations,
  ordersMigrations,
  checkoutMigrations,
  notifyMigrations,
  identityMigrations,
  mediaMigrations,
];
