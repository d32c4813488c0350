export { migrationSources } from './migration-sources.ts';
export { composeModules } from './modules.ts';
export { openRuntime, type Runtime, type RuntimeOptions } from './runtime/runtime.ts';
export { type BuildOptions, buildServer, type Server } from './server.ts';
