import { fileURLToPath } from 'node:url';
import type { MigrationSource } from '@emporium/platform';

/** The orders' tables in schema `orders` (orders, lines, timeline, fulfilments, refunds). */
export const ordersMigrations: MigrationSource = {
  module: 'orders',
  dir: fileURLToPath(new URL('../migrations', import.meta.url)),
};
