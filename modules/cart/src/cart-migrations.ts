import { fileURLToPath } from 'node:url';
import type { MigrationSource } from '@emporium/platform';

/** The cart module's tables in schema `cart` (carts, lines, tax regions). */
export const cartMigrations: MigrationSource = {
  module: 'cart',
  dir: fileURLToPath(new URL('../migrations', import.meta.url)),
};
