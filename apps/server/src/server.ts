import {
  type Authenticator,
  createHttpApp,
  type EmporiumModule,
  type HttpApp,
  mountModules,
  type ReadinessCheck,
} from '@emporium/platform';
import { registerDemoImages } from './media/demo-images.ts';
import { composeModules } from './modules.ts';
import type { Runtime } from './runtime/runtime.ts';

export interface Server {
  app: HttpApp;
  modules: readonly EmporiumModule[];
}

const VERSION = '0.1.0';

/** Builds the monolith: the platform's HTTP app with every module's routes and event handlers. */
export interface BuildOptions {
  /** Verifies bearer tokens; default: the identity module's (its provider's own keys, via JWKS). */
  authenticator?: Authenticator;
}

export async function buildServer(runtime: Runtime, options: BuildOptions = {}): Promise<Server> {
  const { config, db, cache } = runtime;
  const readiness: ReadinessCheck[] = [{ name: 'database', check: () => db.ping() }];
  if (config.redisUrl) readiness.push({ name: 'redis', check: () => cache.ping() });
  if (config.natsUrl) readiness.push({ name: 'nats', check: () => runtime.bus.transport.ping() });

  // The identity module is built with the other modules, after the app: until it is, no token is valid.
  let identityAuthenticator: Authenticator | undefined;
  const authenticator: Authenticator = options.authenticator ?? {
    authenticate: async (token) => (identityAuthenticator ? identityAuthenticator.authenticate(token) : null),
  };
  const app = await createHttpApp({
    logger: runtime.logger,
    metrics: runtime.metrics,
    readiness,
    openapi: {
      title: 'Emporium API',
      version: VERSION,
      description: 'The public HTTP contract of Emporium: store, admin, vault and identity routes.',
    },
    authenticator,
    rateLimits: config.rateLimits,
    cache,
  });
  const ports = {
    config,
    db,
    cache,
    bus: runtime.bus,
    clock: runtime.clock,
    secrets: runtime.secrets,
    logger: runtime.logger,
    metrics: runtime.metrics,
  };
  registerDemoImages(app);
  const modules = await mountModules(app, ports, composeModules);
  identityAuthenticator = (
    modules.find((m) => m.name === 'identity') as { authenticator?: Authenticator } | undefined
  )?.authenticator;
  await app.ready();
  return { app, modules };
}
