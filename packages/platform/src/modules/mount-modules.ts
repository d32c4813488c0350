import type { HttpApp } from '../http/http-app.ts';
import type { EmporiumModule, ModuleComposer, ModulePorts } from './emporium-module.ts';

/**
 * Builds the modules from the ports, registers their routes on `app` and their handlers on the
 * bus, in the order composed. The server and the test platform mount modules through this one path.
 */
export async function mountModules(
  app: HttpApp,
  ports: ModulePorts,
  compose: ModuleComposer,
): Promise<EmporiumModule[]> {
  const modules = await compose(ports);
  for (const mod of modules) {
    await mod.registerRoutes?.(app);
    mod.subscribe?.(ports.bus);
  }
  return modules;
}

/** Stops modules in reverse order of mounting. */
export async function stopModules(modules: readonly EmporiumModule[]): Promise<void> {
  for (const mod of [...modules].reverse()) await mod.stop?.();
}
