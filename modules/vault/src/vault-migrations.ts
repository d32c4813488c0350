import { fileURLToPath } from 'node:url';
import type { MigrationSource } from '@emporium/platform';

/** The vault's tables in schema `vault` (encrypted cards, wrapped secrets, the test processor's ledger). */
export const vaultMigrations: MigrationSource = {
  module: 'vault',
  dir: fileURLToPath(new URL('../migrations', import.meta.url)),
};
