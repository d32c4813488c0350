import {
  type Authenticator,
  type Clock,
  createEventBus,
  createHttpApp,
  createLogger,
  createMemoryCache,
  createMetrics,
  createNatsTransport,
  createPgTransport,
  createRedisCache,
  type EmporiumModule,
  EnvSecretStore,
  type EventTransport,
  type HttpApp,
  loadPlatformConfig,
  type ModuleComposer,
  type ModuleFactory,
  type ModulePorts,
  mountModules,
  stopModules,
  systemClock,
} from '@emporium/platform';
import { type DatabaseKind, openTestDatabase } from './databases.ts';
import { requireService, uniquePrefix } from './require-service.ts';
import { serviceUrls } from './services.ts';

export interface TestPlatformOptions {
  /** Default 'pglite'. */
  database?: DatabaseKind;
  /** Default 'memory' (the in-process LRU); 'redis' uses the real Redis under a fresh key prefix. */
  cache?: 'memory' | 'redis';
  /** Default 'pg' (deliveries in the database); 'nats' uses the real JetStream under a fresh prefix. */
  events?: 'pg' | 'nats';
  /** Independent modules to mount… */
  modules?: readonly ModuleFactory[];
  /** …or modules that depend on each other's services, built together (takes precedence). */
  compose?: ModuleComposer;
  clock?: Clock;
  /** Verifies bearer tokens for `/admin` routes (see createTestAuth). Default: none is valid. */
  authenticator?: Authenticator;
  /** Settings on top of the defaults (as environment variables, e.g. `{ EMPORIUM_RATE_LIMITS: 'off' }`). */
  env?: Record<string, string>;
}

export interface TestPlatform {
  /** Ready; exercise it with `app.inject(...)`. */
  app: HttpApp;
  ports: ModulePorts;
  modules: readonly EmporiumModule[];
  /** Stops modules and the bus, closes the app and every port, drops the test database. */
  close(): Promise<void>;
}

/**
 * The platform in-process with the adapters a test chooses (each stated explicitly, STYLE.md §6):
 * a fresh migrated database, a cache, an event transport with short polling and retry delays,
 * and the given modules mounted on the real HTTP app. Logs are silent.
 */
export async function startTestPlatform(options: TestPlatformOptions = {}): Promise<TestPlatform> {
  const config = loadPlatformConfig({ LOG_LEVEL: 'silent', EMPORIUM_DEMO: '0', ...options.env });
  const logger = createLogger({ level: 'silent' });
  const clock = options.clock ?? systemClock;
  const db = await openTestDatabase(options.database ?? 'pglite');
  const cache =
    options.cache === 'redis'
      ? createRedisCache({ url: requireService('redis'), keyPrefix: `${uniquePrefix('cache')}:` })
      : createMemoryCache({ maxEntries: 10_000 });
  const delivery = {
    maxAttempts: config.eventMaxAttempts,
    backoff: { baseMs: 20, capMs: 200 },
    clock,
    logger,
  };
  const transport: EventTransport =
    options.events === 'nats'
      ? createNatsTransport({
          ...delivery,
          db,
          servers: requireService('nats') && serviceUrls.nats,
          subjectPrefix: uniquePrefix('events'),
        })
      : createPgTransport(db, { ...delivery, pollIntervalMs: 50 });
  const bus = createEventBus({ db, transport, clock, logger, pollIntervalMs: 50 });
  const metrics = createMetrics();
  const ports: ModulePorts = {
    config,
    db,
    cache,
    bus,
    clock,
    secrets: new EnvSecretStore({}),
    logger,
    metrics,
  };
  const app = await createHttpApp({
    logger,
    metrics,
    readiness: [{ name: 'database', check: () => db.ping() }],
    openapi: { title: 'Emporium (test)', version: '0.0.0' },
    ...(options.authenticator ? { authenticator: options.authenticator } : {}),
    rateLimits: config.rateLimits,
    cache,
  });
  const compose: ModuleComposer =
    options.compose ??
    (async (p) => {
      const built = [];
      for (const create of options.modules ?? []) built.push(await create(p));
      return built;
    });
  const modules = await mountModules(app, ports, compose);
  await app.ready();
  await bus.start();
  for (const mod of modules) await mod.start?.();
  return {
    app,
    ports,
    modules,
    async close() {
      await stopModules(modules);
      await app.close();
      await bus.stop();
      await cache.close();
      await db.close();
    },
  };
}
