import { isCatalogEmpty } from '@emporium/catalog';
import {
  closeGracefully,
  createLogger,
  installSignalHandlers,
  type PlatformConfig,
  stopModules,
} from '@emporium/platform';
import { openRuntime } from '../runtime/runtime.ts';
import { indexDemoBatch, indexDemoCategories } from '../seed/index-demo-batch.ts';
import { seedDemo } from '../seed/seed-demo.ts';
import { buildServer } from '../server.ts';
import { EXIT, say } from './output.ts';

/** Marks a start that stays running: main() must not set an exit code. */
export const RUNNING = -1;

/**
 * `emporium start`: opens every port in the configured mode, migrates, mounts every module and
 * listens. Runs until SIGTERM/SIGINT, then drains requests and event handlers before closing.
 */
export async function runStart(config: PlatformConfig): Promise<number> {
  const began = performance.now();
  const logger = createLogger({ level: config.logLevel });
  const runtime = await openRuntime(config, logger, { tell: say });
  if (config.demo && runtime.db.kind === 'pglite' && (await isCatalogEmpty(runtime.db))) {
    try {
      say('Adding the demo catalog (500 products; EMPORIUM_DEMO=0 skips this)…');
      await seedDemo(runtime.db, {
        products: 500,
        from: 0,
        index: indexDemoBatch,
        indexCategories: indexDemoCategories,
      });
    } catch (err) {
      await runtime.close();
      throw err;
    }
  }
  let server: Awaited<ReturnType<typeof buildServer>>;
  try {
    server = await buildServer(runtime);
  } catch (err) {
    await runtime.close();
    throw err;
  }
  const { app, modules } = server;
  try {
    await app.listen({ port: config.port, host: config.host });
  } catch (err) {
    await closeGracefully(app, { timeoutMs: 0 });
    await runtime.close();
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      say(
        `emporium: port ${config.port} on ${config.host} is already in use; stop the other process or set PORT`,
      );
      return EXIT.failure;
    }
    throw err;
  }
  await runtime.bus.start();
  for (const m of modules) await m.start?.();
  installSignalHandlers(app, {
    timeoutMs: config.shutdownTimeoutMs,
    afterClose: async () => {
      await stopModules(modules);
      await runtime.close();
    },
  });
  const mode = config.databaseUrl ? 'PostgreSQL' : `embedded database in ${config.dataDir}`;
  say(
    `Emporium is ready at http://${config.host}:${config.port} (${mode}; started in ${Math.round(performance.now() - began)} ms)`,
  );
  return RUNNING;
}
