import { fileURLToPath } from 'node:url';
import type { MigrationSource } from '@emporium/platform';

/** The inventory's tables in schema `inventory` (stock levels, reservations, adjustment ledger). */
export const inventoryMigrations: MigrationSource = {
  module: 'inventory',
  dir: fileURLToPath(new URL('../migrations', import.meta.url)),
};
