import { fileURLToPath } from 'node:url';
import type { MigrationSource } from './migrator.ts';

/** The platform's own tables (outbox, processed events, dead letters) in schema `platform`. */
export const platformMigrations: MigrationSource = {
  module: 'platform',
  dir: fileURLToPath(new URL('../../migrations', import.meta.url)),
};
