import type { Cache } from '../cache/cache.ts';
import type { Clock } from '../clock/clock.ts';
import type { PlatformConfig } from '../config/platform-config.ts';
import type { Database } from '../db/database.ts';
import type { EventBus } from '../events/event-bus.ts';
import type { HttpApp } from '../http/http-app.ts';
import type { Logger } from '../logging/create-logger.ts';
import type { Metrics } from '../metrics/create-metrics.ts';
import type { SecretStore } from '../secrets/secrets.ts';

/**
 * The ports the composition root hands every module. Nothing in a module knows which mode it
 * runs in: embedded (PGlite, LRU, database-backed events) or distributed (PostgreSQL, Redis, NATS).
 */
export interface ModulePorts {
  readonly config: PlatformConfig;
  readonly db: Database;
  readonly cache: Cache;
  readonly bus: EventBus;
  readonly clock: Clock;
  readonly secrets: SecretStore;
  readonly logger: Logger;
  readonly metrics: Metrics;
}

/**
 * What a module gives the composition root. Its migrations are registered separately
 * (apps/server/src/migration-sources.ts) because `emporium migrate` runs without building modules.
 */
export interface EmporiumModule {
  /** The module's name, also its Postgres schema: `catalog`, `orders`, … */
  readonly name: string;
  /** Registers the module's `/store`, `/admin` and `/internal` routes, before the app is ready. */
  registerRoutes?(app: HttpApp): Promise<void>;
  /** Subscribes the module's event handlers, before the bus starts. */
  subscribe?(bus: EventBus): void;
  /** Background work (expiry sweeps, recovery workers) started once the server listens. */
  start?(): Promise<void>;
  /** Stops that work; called on shutdown after the HTTP side has drained. */
  stop?(): Promise<void>;
}

export type ModuleFactory = (ports: ModulePorts) => EmporiumModule | Promise<EmporiumModule>;

/**
 * Builds several modules that depend on each other's services, in dependency order:
 * `(ports) => { const inventory = createInventoryModule(ports); const catalog = createCatalogModule(ports, { inventory: inventory.service }); return [inventory, catalog]; }`
 */
export type ModuleComposer = (ports: ModulePorts) => Promise<EmporiumModule[]> | EmporiumModule[];
