import { fileURLToPath } from 'node:url';
import type { MigrationSource } from '@emporium/platform';

/** Payments' tables in schema `payments` (intents, authorization attempts, refunds). */
export const paymentsMigrations: MigrationSource = {
  module: 'payments',
  dir: fileURLToPath(new URL('../migrations', import.meta.url)),
};
