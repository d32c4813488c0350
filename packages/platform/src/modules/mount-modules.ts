import type { HttpApp } from '../http/http-app.ts';
import type { EmporiumModule, ModuleFactory, ModulePorts } from './emporium-module.ts';

/**
 * Builds each module from the ports, registers its routes on `app` and its handlers on the bus,
 * in the order given. The server and the test platform mount modules through this one path.
 */
export async function mountModules(
  app: HttpApp,
  ports: ModulePorts,
  factories: readonly ModuleFactory[],
): Promise<EmporiumModule[]> {
  const modules: EmporiumModule[] = [];
  for (const create of factories) {
    const mod = await create(ports);
    await mod.registerRoutes?.(app);
    mod.subscribe?.(ports.bus);
    modules.push(mod);
  }
  return modules;
}

/** Stops modules in reverse order of mounting. */
export async function stopModules(modules: readonly EmporiumModule[]): Promise<void> {
  for (const mod of [...modules].reverse()) await mod.stop?.();
}
