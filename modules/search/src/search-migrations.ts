import { fileURLToPath } from 'node:url';
import type { MigrationSource } from '@emporium/platform';

/** The search projection's tables and functions, in schema `search` (register after the platform's). */
export const searchMigrations: MigrationSource = {
  module: 'search',
  dir: fileURLToPath(new URL('../migrations', import.meta.url)),
};
