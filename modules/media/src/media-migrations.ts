import { fileURLToPath } from 'node:url';
import type { MigrationSource } from '@emporium/platform';

/** Media's tables in schema `media` (uploaded files). */
export const mediaMigrations: MigrationSource = {
  module: 'media',
  dir: fileURLToPath(new URL('../migrations', import.meta.url)),
};
