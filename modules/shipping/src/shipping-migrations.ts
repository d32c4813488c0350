import { fileURLToPath } from 'node:url';
import type { MigrationSource } from '@emporium/platform';

/** The shipping module's tables in schema `shipping` (zones, options, shipments). */
export const shippingMigrations: MigrationSource = {
  module: 'shipping',
  dir: fileURLToPath(new URL('../migrations', import.meta.url)),
};
