import type { ModuleFactory } from '@emporium/platform';

/**
 * The modules the monolith mounts, in dependency order. Each module issue adds its factory here
 * (and its migrations in migration-sources.ts).
 */
export const moduleFactories: readonly ModuleFactory[] = [];
