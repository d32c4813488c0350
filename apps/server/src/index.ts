export { migrationSources } from './migration-sources.ts';
export { composeModules } from './modules.ts';
export { openRuntime, type Runtime, type RuntimeOptions } from './runtime/runtime.ts';
export { buildServer, type Server } from './server.ts';
