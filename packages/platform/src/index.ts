export * from './auth/index.ts';
export { createBatcher, fulfilled } from './batching/batcher.ts';
export * from './cache/index.ts';
export { type Clock, ManualClock, systemClock } from './clock/clock.ts';
export { loadPlatformConfig, type PlatformConfig } from './config/platform-config.ts';
export * as settings from './config/settings.ts';
export { DataDirInUseError } from './db/data-dir-lock.ts';
export {
  type AnyTables,
  type AnyTransaction,
  type Database,
  isRetryableTransactionError,
  type TransactionOptions,
} from './db/database.ts';
export {
  type EmbeddedUpkeep,
  type EmbeddedUpkeepOptions,
  startEmbeddedUpkeep,
} from './db/embedded-upkeep.ts';
export { keyIn } from './db/key-in.ts';
export { dumpEmbedded, openEmbeddedDatabase, openPostgresDatabase } from './db/open-database.ts';
export {
  AppError,
  ConfigError,
  conflict,
  type FieldError,
  notFound,
  validationFailed,
} from './errors/app-error.ts';
export { platformErrorCodes } from './errors/errors.ts';
export * from './events/index.ts';
export * from './http/index.ts';
export * from './idempotency/index.ts';
export { idTime, isId, newId } from './ids/ids.ts';
export * from './logging/index.ts';
export * from './metrics/index.ts';
export {
  MigrationError,
  type MigrationFile,
  type MigrationReport,
  type MigrationSource,
  migrate,
  migrationStatus,
  readMigrations,
} from './migrations/migrator.ts';
export { platformMigrations } from './migrations/platform-migrations.ts';
export type {
  EmporiumModule,
  ModuleComposer,
  ModuleFactory,
  ModulePorts,
} from './modules/emporium-module.ts';
export { mountModules, stopModules } from './modules/mount-modules.ts';
export * from './money/money.ts';
export { EnvSecretStore, type SecretStore } from './secrets/secrets.ts';
