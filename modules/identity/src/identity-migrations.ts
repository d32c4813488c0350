import { fileURLToPath } from 'node:url';
import type { MigrationSource } from '@emporium/platform';

/** The identity module's tables in schema `identity` (provider storage, accounts, keys, audit log). */
export const identityMigrations: MigrationSource = {
  module: 'identity',
  dir: fileURLToPath(new URL('../migrations', import.meta.url)),
};
