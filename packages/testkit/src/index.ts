export { createTestDatabaseUrl, type DatabaseKind, databaseKinds, openTestDatabase } from './databases.ts';
export {
  type CliResult,
  type EmporiumProcess,
  emporiumCli,
  emporiumEnv,
  freePort,
  runEmporium,
  startEmporium,
} from './emporium-process.ts';
export { genericPlanOf } from './generic-plan.ts';
export { hasService, requireService, uniquePrefix } from './require-service.ts';
export { isReachable, type ServiceName, serviceUrls } from './services.ts';
export { createTestAuth, type TestAuth, type TestTokenOptions } from './test-auth.ts';
export { startTestPlatform, type TestPlatform, type TestPlatformOptions } from './test-platform.ts';
