import { fileURLToPath } from 'node:url';
import type { MigrationSource } from '@emporium/platform';

/** The catalog's tables in schema `catalog` (products, variants, categories, collections). */
export const catalogMigrations: MigrationSource = {
  module: 'catalog',
  dir: fileURLToPath(new URL('../migrations', import.meta.url)),
};
