import { fileURLToPath } from 'node:url';
import type { MigrationSource } from '@emporium/platform';

/** Notify's tables in schema `notify` (messages sent or kept). */
export const notifyMigrations: MigrationSource = {
  module: 'notify',
  dir: fileURLToPath(new URL('../migrations', import.meta.url)),
};
